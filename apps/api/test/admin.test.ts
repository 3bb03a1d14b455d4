import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendLogEntries, nodeKey,
  writeHeartbeat, type Heartbeat, type LogEntry } from "@folio/node-logs";
import { startRedis, type RedisServer } from "@folio/testkit";
import { createEditor, createHarness, type Harness } from "./harness.js";

const entry = (overrides: Partial<LogEntry> & Pick<LogEntry, "message">): LogEntry => ({
  node: "node-a",
  namespace: "folio",
  pod: "folio-api-7d9c5-x2x4q",
  container: "api",
  stream: "stdout",
  time: "2026-03-01T10:00:00.000000000Z",
  ...overrides,
});

const heartbeat = (node: string, sentAt: Date): Heartbeat => ({
  node,
  agentVersion: "1.0.0",
  startedAt: new Date(sentAt.getTime() - 60_000).toISOString(),
  sentAt: sentAt.toISOString(),
  lastShippedAt: sentAt.toISOString(),
  filesTailed: 4,
  lagBytes: 0,
});

describe("admin: nodes and logs", () => {
  let h: Harness;
  let admin: string;
  let editor: string;

  beforeAll(async () => {
    h = await createHarness();
    admin = await h.login();
    editor = (await createEditor(h, admin)).token;
    // Written with the agent's own writer, oldest first.
    await appendLogEntries(
      h.redis,
      [
        entry({ message: "api on a", level: "info" }),
        entry({ node: "node-b", pod: "folio-worker-5f6b-q8r2p", container: "worker", message: "worker on b", level: "warn" }),
        entry({ node: "node-b", pod: "folio-api-7d9c5-z9z9z", message: "api on b", stream: "stderr" }),
        entry({ node: "node-a", pod: "folio-web-1a2b-c3d4e", container: "nginx", message: "web on a" }),
      ],
      { maxLen: 1_000 },
    );
  });
  afterAll(() => h.close());

  it("when an editor or nobody asks, then the answer is 403 or 401", async () => {
    for (const path of ["/v1/admin/nodes", "/v1/admin/logs"]) {
      expect((await request(h.app).get(path).set("authorization", editor)).status, path).toBe(403);
      expect((await request(h.app).get(path)).status, path).toBe(401);
    }
  });

  it("when an admin lists logs, then the newest entries come first with their tags, and a plain line has a null level", async () => {
    const res = await request(h.app).get("/v1/admin/logs").set("authorization", admin);
    expect(res.status).toBe(200);
    expect(res.body.items.map((item: { message: string }) => item.message)).toEqual(["web on a", "api on b", "worker on b", "api on a"]);
    expect(res.body.items[1]).toMatchObject({ node: "node-b", namespace: "folio", pod: "folio-api-7d9c5-z9z9z", container: "api", stream: "stderr", level: null });
    expect(res.body.items[1].id).toMatch(/^\d+-\d+$/);
    expect(res.body.nextBefore).toBeNull();
  });

  it("when filtering by node, by container name, by pod-name prefix or both, then only matching entries come back", async () => {
    const messages = async (query: string) =>
      (await request(h.app).get(`/v1/admin/logs?${query}`).set("authorization", admin)).body.items.map((item: { message: string }) => item.message);
    expect(await messages("node=node-b")).toEqual(["api on b", "worker on b"]);
    expect(await messages("app=api")).toEqual(["api on b", "api on a"]);
    expect(await messages("app=folio-worker")).toEqual(["worker on b"]);
    expect(await messages("app=api&node=node-a")).toEqual(["api on a"]);
    expect(await messages("node=node-c")).toEqual([]);
  });

  it("when a page is full, then nextBefore leads to the older entries, without repeating any", async () => {
    const first = await request(h.app).get("/v1/admin/logs?limit=3").set("authorization", admin);
    expect(first.body.items).toHaveLength(3);
    const second = await request(h.app).get(`/v1/admin/logs?limit=3&before=${first.body.nextBefore}`).set("authorization", admin);
    expect(second.body.items.map((item: { message: string }) => item.message)).toEqual(["api on a"]);
    expect(second.body.nextBefore).toBeNull();
  });

  it("when the query is out of range or has an unknown field, then it is a 400 validation problem", async () => {
    for (const query of ["limit=0", "limit=501", "before=yesterday", "level=error"]) {
      const res = await request(h.app).get(`/v1/admin/logs?${query}`).set("authorization", admin);
      expect(res.status, query).toBe(400);
      expect(res.body.code).toBe("validation");
    }
  });

  it("when before matches the pattern but Redis would refuse it (0-0, parts above 2^64-1), then 400, not 503", async () => {
    for (const before of ["0-0", "18446744073709551616-0", "99999999999999999999-0", "1-18446744073709551616"]) {
      const res = await request(h.app).get(`/v1/admin/logs?before=${before}`).set("authorization", admin);
      expect(res.status, before).toBe(400);
      expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ code: "validation", errors: [expect.objectContaining({ in: "query", path: "before" })] });
      expect(res.headers["retry-after"]).toBeUndefined();
    }
  });

  it("when before is at the edges Redis accepts (0-1, 2^64-1 in both parts), then the page is read", async () => {
    const oldest = await request(h.app).get("/v1/admin/logs?before=0-1").set("authorization", admin);
    expect(oldest.status).toBe(200);
    expect(oldest.body.items).toEqual([]);
    const newest = await request(h.app).get("/v1/admin/logs?before=18446744073709551615-18446744073709551615").set("authorization", admin);
    expect(newest.status).toBe(200);
    expect(newest.body.items).toHaveLength(4);
  });

  it("when Redis answers but rejects the read (a key of the wrong type), then 500 internal, not an outage clients retry", async () => {
    await h.redis.rename("folio:logs", "folio:logs:kept");
    try {
      await h.redis.set("folio:logs", "not a stream");
      const res = await request(h.app).get("/v1/admin/logs").set("authorization", admin);
      expect(res.status).toBe(500);
      expect(res.body.code).toBe("internal");
      expect(res.headers["retry-after"]).toBeUndefined();
    } finally {
      await h.redis.del("folio:logs");
      await h.redis.rename("folio:logs:kept", "folio:logs");
    }
  });

  it("when agents have sent heartbeats, then the live nodes are listed by name with the age of their heartbeat", async () => {
    await writeHeartbeat(h.redis, heartbeat("node-b", new Date(Date.now() - 4_000)), 15);
    await writeHeartbeat(h.redis, heartbeat("node-a", new Date()), 15);
    const res = await request(h.app).get("/v1/admin/nodes").set("authorization", admin);
    expect(res.status).toBe(200);
    expect(res.body.items.map((item: { node: string }) => item.node)).toEqual(["node-a", "node-b"]);
    expect(res.body.items[0]).toMatchObject({ agentVersion: "1.0.0", filesTailed: 4, lagBytes: 0 });
    expect(res.body.items[0].ageSeconds).toBeLessThan(2);
    expect(res.body.items[1].ageSeconds).toBeGreaterThanOrEqual(4);
    expect(res.body.items.map((item: { live: boolean }) => item.live)).toEqual([true, true]);
  });

  it("when a node's heartbeat key has expired, then it is still listed, as not live", async () => {
    await writeHeartbeat(h.redis, heartbeat("node-dead", new Date(Date.now() - 60_000)), 15);
    await h.redis.del(nodeKey("node-dead"));
    const res = await request(h.app).get("/v1/admin/nodes").set("authorization", admin);
    expect(res.body.items.find((item: { node: string }) => item.node === "node-dead")).toMatchObject({ live: false });
    expect(res.body.items.find((item: { node: string }) => item.node === "node-dead").ageSeconds).toBeGreaterThanOrEqual(60);
  });
});

describe("admin: when Redis is down", () => {
  let redis: RedisServer;
  let h: Harness;
  let admin: string;

  beforeAll(async () => {
    redis = await startRedis({ allowExternal: false });
    h = await createHarness({ redisUrl: redis.url });
    admin = await h.login();
  });
  afterAll(async () => {
    await h.close();
    await redis.dispose();
  });

  it("then nodes and logs answer 503 redis_unavailable with Retry-After", async () => {
    await redis.stop();
    for (const path of ["/v1/admin/nodes", "/v1/admin/logs"]) {
      const res = await request(h.app).get(path).set("authorization", admin);
      expect(res.status, path).toBe(503);
      expect(res.body.code).toBe("redis_unavailable");
      expect(res.headers["retry-after"]).toBe("5");
    }
  });
});
