/**
 * The writers and readers against a real Redis. Every test uses its own node names, so tests in other packages
 * writing to the same stream (a shared FOLIO_TEST_REDIS_URL) cannot change what these see.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestServices, waitFor } from "@folio/testkit";
import {
  FORGET_NODES_AFTER_MS,
  LAST_HEARTBEATS_KEY,
  appendLogEntries,
  listHeartbeats,
  nodeKey,
  readLogEntries,
  writeHeartbeat,
  type Heartbeat,
  type LogEntry,
} from "../src/index.js";

let redis: Redis;
beforeAll(() => {
  redis = new Redis(useTestServices().redisUrl);
});
afterAll(() => redis.disconnect());

const unique = (name: string) => `${name}-${randomBytes(4).toString("hex")}`;

function entry(node: string, n: number, overrides: Partial<LogEntry> = {}): LogEntry {
  return {
    node,
    namespace: "folio",
    pod: "folio-api-7d9c5-x2x4q",
    container: "api",
    stream: "stdout",
    time: new Date(Date.UTC(2026, 2, 1, 10, 0, n)).toISOString(),
    message: `line ${n}`,
    ...overrides,
  };
}

describe("log entries", () => {
  it("when entries are appended, then they are read back newest first, page by page, with nothing repeated", async () => {
    const node = unique("node");
    await appendLogEntries(redis, Array.from({ length: 7 }, (_, n) => entry(node, n)), { maxLen: 50_000 });

    const first = await readLogEntries(redis, { node, limit: 3, scanLimit: 1_000 });
    expect(first.items.map((item) => item.message)).toEqual(["line 6", "line 5", "line 4"]);
    const second = await readLogEntries(redis, { node, limit: 3, scanLimit: 1_000, before: first.nextBefore! });
    expect(second.items.map((item) => item.message)).toEqual(["line 3", "line 2", "line 1"]);
    const third = await readLogEntries(redis, { node, limit: 3, scanLimit: 1_000, before: second.nextBefore! });
    expect(third.items.map((item) => item.message)).toEqual(["line 0"]);
    expect(third.nextBefore).toBeNull();
  });

  it("when filtering by app, then a container name or the start of a pod name matches", async () => {
    const node = unique("node");
    await appendLogEntries(
      redis,
      [
        entry(node, 1, { pod: "folio-api-abc", container: "api" }),
        entry(node, 2, { pod: "folio-worker-def", container: "worker" }),
        entry(node, 3, { pod: "folio-web-ghi", container: "nginx" }),
      ],
      { maxLen: 50_000 },
    );
    const messages = async (app: string) =>
      (await readLogEntries(redis, { node, app, limit: 10, scanLimit: 1_000 })).items.map((item) => item.message);
    expect(await messages("worker")).toEqual(["line 2"]);
    expect(await messages("folio-web")).toEqual(["line 3"]);
    expect(await messages("folio-")).toEqual(["line 3", "line 2", "line 1"]);
    expect(await messages("postgres")).toEqual([]);
  });

  it("when a filter matches little, then the scan stops at its bound and says where to continue", async () => {
    const node = unique("node");
    const other = unique("other");
    await appendLogEntries(redis, [entry(node, 1), ...Array.from({ length: 20 }, (_, n) => entry(other, n))], { maxLen: 50_000 });

    const page = await readLogEntries(redis, { node, limit: 5, scanLimit: 10 });
    expect(page.items).toEqual([]);
    expect(page.nextBefore).not.toBeNull();
    const rest = await readLogEntries(redis, { node, limit: 5, scanLimit: 100, before: page.nextBefore! });
    expect(rest.items.map((item) => item.message)).toEqual(["line 1"]);
  });

  it("when the stream is longer than its cap, then old entries are trimmed", async () => {
    const node = unique("node");
    const key = "folio:logs";
    await appendLogEntries(redis, Array.from({ length: 500 }, (_, n) => entry(node, n)), { maxLen: 50 });
    // "~" trims whole internal nodes (100 entries by default), so the length is near the cap, not exact.
    expect(await redis.xlen(key)).toBeLessThan(250);
  });
});

describe("heartbeats", () => {
  const heartbeat = (node: string): Heartbeat => ({
    node,
    agentVersion: "1.2.3",
    startedAt: new Date().toISOString(),
    sentAt: new Date().toISOString(),
    lastShippedAt: null,
    filesTailed: 3,
    lagBytes: 0,
  });

  it("when agents write heartbeats, then every node is listed as live, and a node whose key expires stays listed as not live", async () => {
    const [a, b] = [unique("a-node"), unique("b-node")];
    await writeHeartbeat(redis, heartbeat(a), 60);
    await writeHeartbeat(redis, heartbeat(b), 1);
    expect(await redis.ttl(nodeKey(a))).toBeGreaterThan(55);
    const nodes = await listHeartbeats(redis);
    expect(nodes.filter((h) => h.node === a || h.node === b).map((h) => [h.node, h.live])).toEqual([
      [a, true],
      [b, true],
    ]);

    await waitFor(async () => (await listHeartbeats(redis)).some((h) => h.node === b && !h.live), { timeoutMs: 5_000, description: `${b} to expire` });
    expect((await listHeartbeats(redis)).find((h) => h.node === a)?.live).toBe(true);
  });

  it("when a node has not been heard from for an hour, then it is forgotten", async () => {
    const node = unique("old-node");
    await writeHeartbeat(redis, heartbeat(node), 1);
    await redis.del(nodeKey(node));
    expect((await listHeartbeats(redis)).find((h) => h.node === node)?.live).toBe(false);
    const later = Date.now() + FORGET_NODES_AFTER_MS + 1_000;
    expect((await listHeartbeats(redis, later)).map((h) => h.node)).not.toContain(node);
    expect(await redis.hexists(LAST_HEARTBEATS_KEY, node)).toBe(0);
  });

  it("when a key under the prefix holds something else, then it is skipped", async () => {
    const node = unique("junk");
    await redis.set(nodeKey(node), "not json", "EX", 60);
    expect((await listHeartbeats(redis)).map((h) => h.node)).not.toContain(node);
  });
});
