import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3, type S3Server } from "@folio/testkit";
import { PNG_1X1, createHarness, type Harness } from "./harness.js";

let s3: S3Server;
let h: Harness;
let token: string;
beforeAll(async () => {
  // Its own S3 server, because this file stops it.
  s3 = await startS3({ allowExternal: false });
  h = await createHarness({ s3, env: { S3_REQUEST_TIMEOUT_MS: "2000" } });
  token = await h.login();
});
afterAll(async () => {
  await h.close();
  await s3.dispose();
});

const upload = () => request(h.app).post("/v1/media").set("authorization", token).attach("file", PNG_1X1, "pixel.png");

describe("when the S3 server is down", () => {
  it("then uploads answer 503 storage_unavailable without a media row, and work again once it is back", async () => {
    await s3.stop();
    try {
      const res = await upload();
      expect(res.status).toBe(503);
      expect(res.body.code).toBe("storage_unavailable");
      expect(Number((await h.pool.query("SELECT count(*) FROM media")).rows[0].count)).toBe(0);
      // Articles do not need S3.
      const article = await request(h.app).post("/v1/articles").set("authorization", token).send({ title: "No S3 needed" });
      expect(article.status).toBe(201);
    } finally {
      await s3.start();
    }
    const after = await upload();
    expect(after.status).toBe(201);
  });
});
