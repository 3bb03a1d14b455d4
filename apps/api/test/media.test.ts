import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mediaRepo } from "@folio/db";
import { mediaJobId } from "@folio/queue";
import { startRedis, type RedisServer } from "@folio/testkit";
import { PNG_1X1, createHarness, type Harness } from "./harness.js";

let h: Harness;
let token: string;
let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis({ allowExternal: false });
  h = await createHarness({ redisUrl: redis.url, env: { MEDIA_MAX_BYTES: String(64 * 1024) } });
  token = await h.login();
});
afterAll(async () => {
  await h.close();
  await redis.dispose();
});

const upload = (content: Buffer, filename = "photo.png", key?: string) => {
  const req = request(h.app).post("/v1/media").set("authorization", token);
  if (key) req.set("idempotency-key", key);
  return req.attach("file", content, { filename, contentType: "application/octet-stream" });
};

describe("media upload", () => {
  it("when a PNG is uploaded, then the original is in S3, the row is pending and one job is queued under the media id", async () => {
    const res = await upload(PNG_1X1, "pixel.jpg");
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "pending", contentType: "image/png", filename: "pixel.jpg", sizeBytes: PNG_1X1.length, variants: [] });
    const id = res.body.id as string;
    const stored = await h.storage.head(`media/${id}/original`);
    expect(stored?.size).toBe(PNG_1X1.length);
    const job = await h.mediaQueue.getJob(mediaJobId(id));
    expect(job?.data).toEqual({ mediaId: id });
    const content = await request(h.app).get(`/v1/media/${id}/content/original`).buffer(true);
    expect(content.status).toBe(200);
    expect(content.headers["content-type"]).toBe("image/png");
    expect(Buffer.from(content.body)).toEqual(PNG_1X1);
  });

  it("when the same upload is retried with its Idempotency-Key, then one media row and one job exist", async () => {
    const first = await upload(PNG_1X1, "a.png", "upload-1");
    const again = await upload(PNG_1X1, "a.png", "upload-1");
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    const rows = await h.pool.query("SELECT count(*) FROM media WHERE filename = 'a.png'");
    expect(Number(rows.rows[0].count)).toBe(1);
    expect(await h.mediaQueue.getJobCounts("waiting")).toMatchObject({ waiting: expect.any(Number) });
    const jobs = await h.mediaQueue.getJobs(["waiting"]);
    expect(jobs.filter((job) => job.data.mediaId === first.body.id)).toHaveLength(1);
  });

  it("when the file is not an image whatever its name says, then the answer is 415 and nothing is stored", async () => {
    const before = Number((await h.pool.query("SELECT count(*) FROM media")).rows[0].count);
    const res = await upload(Buffer.from("#!/bin/sh\necho pwned\n"), "innocent.png");
    expect(res.status).toBe(415);
    expect(res.body.code).toBe("unsupported_media_type");
    expect(Number((await h.pool.query("SELECT count(*) FROM media")).rows[0].count)).toBe(before);
  });

  it("when the file is over the size limit, then the answer is 413 and no row is written", async () => {
    const big = Buffer.concat([PNG_1X1, Buffer.alloc(100 * 1024)]);
    const before = Number((await h.pool.query("SELECT count(*) FROM media")).rows[0].count);
    const res = await upload(big, "big.png");
    expect(res.status).toBe(413);
    expect(res.body.code).toBe("body_too_large");
    expect(Number((await h.pool.query("SELECT count(*) FROM media")).rows[0].count)).toBe(before);
  });

  it("when the body is not multipart or has no file part, then the answer is 415 or 400", async () => {
    const json = await request(h.app).post("/v1/media").set("authorization", token).send({ file: "x" });
    expect(json.status).toBe(415);
    const noFile = await request(h.app).post("/v1/media").set("authorization", token).field("title", "nothing");
    expect(noFile.status).toBe(400);
    expect(noFile.body.errors[0].path).toBe("file");
  });

  it("when media is listed, fetched and deleted, then deleted media is gone from lists, fetches and content", async () => {
    const created = await upload(PNG_1X1, "delete-me.png");
    const id = created.body.id as string;
    const list = await request(h.app).get("/v1/media?limit=100").set("authorization", token);
    expect(list.body.items.map((m: { id: string }) => m.id)).toContain(id);
    expect((await request(h.app).get(`/v1/media/${id}`).set("authorization", token)).body.id).toBe(id);
    expect((await request(h.app).delete(`/v1/media/${id}`).set("authorization", token)).status).toBe(204);
    expect((await request(h.app).get(`/v1/media/${id}/content/original`)).status).toBe(404);
    expect((await request(h.app).get(`/v1/media/${id}`).set("authorization", token)).status).toBe(404);
    const after = await request(h.app).get("/v1/media?limit=100").set("authorization", token);
    expect(after.body.items.map((m: { id: string }) => m.id)).not.toContain(id);
    await expect.poll(() => h.storage.head(`media/${id}/original`)).toBeUndefined();
  });

  it("when a variant is not made yet, then its content is a 404 with Retry-After", async () => {
    const created = await upload(PNG_1X1);
    const res = await request(h.app).get(`/v1/media/${created.body.id}/content/thumb`);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe("variant_not_ready");
    expect(res.headers["retry-after"]).toBe("2");
  });
});

describe("when Redis is down", () => {
  it("then an upload answers 503 quickly, and the media row stays pending for the reconciler", async () => {
    await redis.stop();
    try {
      const started = Date.now();
      const res = await upload(PNG_1X1, "during-outage.png");
      expect(res.status).toBe(503);
      expect(res.body.code).toBe("queue_unavailable");
      expect(Date.now() - started).toBeLessThan(5_000);
      const media = await mediaRepo.findById(h.pool, res.body.mediaId);
      expect(media?.status).toBe("pending");
      expect(await h.storage.head(media!.originalKey)).toBeDefined();
    } finally {
      await redis.start();
    }
  });
});
