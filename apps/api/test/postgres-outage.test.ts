import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type PostgresServer } from "@folio/testkit";
import { createHarness, type Harness } from "./harness.js";

let postgres: PostgresServer;
let h: Harness;
let token: string;
beforeAll(async () => {
  // Its own Postgres, because this file stops it.
  postgres = await startPostgres({ allowExternal: false });
  h = await createHarness({ databaseAdminUrl: postgres.url, env: { DATABASE_CONNECT_TIMEOUT_MS: "1000" } });
  token = await h.login();
});
afterAll(async () => {
  await h.close();
  await postgres.dispose();
});

describe("when Postgres is down", () => {
  it("then writes answer 503 within the pool's connect timeout, reads of public pages still work from cache, and everything recovers without a restart", async () => {
    const created = await request(h.app).post("/v1/articles").set("authorization", token).send({ title: "Before the outage" });
    await request(h.app).post(`/v1/articles/${created.body.id}/publish`).set("authorization", token).set("if-match", '"1"');
    await request(h.app).get(`/v1/public/articles/${created.body.slug}`); // fills the cache

    await postgres.stop();
    try {
      const started = Date.now();
      const write = await request(h.app).post("/v1/articles").set("authorization", token).send({ title: "During the outage" });
      const elapsed = Date.now() - started;
      console.log(`write during outage: ${write.status} in ${elapsed} ms`);
      expect(write.status).toBe(503);
      expect(write.body.code).toBe("database_unavailable");
      expect(write.headers["retry-after"]).toBe("5");
      expect(elapsed).toBeLessThan(3_000);

      const cached = await request(h.app).get(`/v1/public/articles/${created.body.slug}`);
      expect(cached.status).toBe(200);
      expect(cached.headers["x-cache"]).toBe("hit");
      expect((await request(h.app).get("/healthz")).status).toBe(200);
    } finally {
      await postgres.start();
    }

    await expect
      .poll(async () => (await request(h.app).post("/v1/articles").set("authorization", token).send({ title: "After the outage" })).status, {
        timeout: 15_000,
        interval: 250,
      })
      .toBe(201);
    const titles = (await h.pool.query("SELECT title FROM articles ORDER BY created_at")).rows.map((row) => row.title);
    expect(titles).toContain("Before the outage");
    expect(titles).toContain("After the outage");
    expect(titles).not.toContain("During the outage");
  });
});
