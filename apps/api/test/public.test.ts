import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedis, type RedisServer } from "@folio/testkit";
import { createHarness, type Harness } from "./harness.js";

let h: Harness;
let token: string;
let redis: RedisServer;
beforeAll(async () => {
  // Its own Redis, because this file stops it.
  redis = await startRedis({ allowExternal: false });
  h = await createHarness({ redisUrl: redis.url });
  token = await h.login();
});
afterAll(async () => {
  await h.close();
  await redis.dispose();
});

async function publish(title: string, tags: string[] = []) {
  const created = await request(h.app).post("/v1/articles").set("authorization", token).send({ title, body: `Body of ${title}`, tags });
  const published = await request(h.app).post(`/v1/articles/${created.body.id}/publish`).set("authorization", token).set("if-match", '"1"');
  expect(published.status).toBe(200);
  return published.body as { id: string; slug: string; version: number };
}
const readSlug = (slug: string) => request(h.app).get(`/v1/public/articles/${slug}`);

describe("public reads", () => {
  it("when an article is read twice, then the first read misses the cache and the second hits it", async () => {
    const article = await publish("Cached article");
    const first = await readSlug(article.slug);
    const second = await readSlug(article.slug);
    expect(first.status).toBe(200);
    expect(first.headers["x-cache"]).toBe("miss");
    expect(second.headers["x-cache"]).toBe("hit");
    expect(second.body).toEqual(first.body);
    expect(second.body).toMatchObject({ title: "Cached article", body: "Body of Cached article", cover: null });
    expect(second.body).not.toHaveProperty("authorId");
  });

  it("when a drafted article's slug is read, then the answer is 404", async () => {
    const created = await request(h.app).post("/v1/articles").set("authorization", token).send({ title: "Secret draft" });
    const res = await readSlug(created.body.slug);
    expect(res.status).toBe(404);
  });

  it("when a cached article is edited, then the next read shows the edit", async () => {
    const article = await publish("Edit me publicly");
    await readSlug(article.slug);
    expect((await readSlug(article.slug)).headers["x-cache"]).toBe("hit");
    const edit = await request(h.app)
      .patch(`/v1/articles/${article.id}`)
      .set("authorization", token)
      .set("if-match", `"${article.version}"`)
      .send({ title: "Edited publicly" });
    expect(edit.status).toBe(200);
    const after = await readSlug(article.slug);
    expect(after.headers["x-cache"]).toBe("miss");
    expect(after.body.title).toBe("Edited publicly");
  });

  it("when a cached article is trashed, then it disappears from the page and the list", async () => {
    const article = await publish("Trash me publicly", ["trash-test"]);
    await readSlug(article.slug);
    const listed = await request(h.app).get("/v1/public/articles?tag=trash-test");
    expect(listed.body.items.map((a: { slug: string }) => a.slug)).toEqual([article.slug]);
    await request(h.app).post(`/v1/articles/${article.id}/trash`).set("authorization", token).set("if-match", `"${article.version}"`);
    expect((await readSlug(article.slug)).status).toBe(404);
    expect((await request(h.app).get("/v1/public/articles?tag=trash-test")).body.items).toEqual([]);
  });

  it("when listing published articles, then pages come newest first without bodies", async () => {
    for (const n of [1, 2, 3]) await publish(`Listed ${n}`, ["listing"]);
    const page1 = await request(h.app).get("/v1/public/articles?tag=listing&limit=2");
    expect(page1.body.items.map((a: { title: string }) => a.title)).toEqual(["Listed 3", "Listed 2"]);
    expect(page1.body.items[0]).not.toHaveProperty("body");
    const page2 = await request(h.app).get(`/v1/public/articles?tag=listing&limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items.map((a: { title: string }) => a.title)).toEqual(["Listed 1"]);
    expect(page2.body.nextCursor).toBeNull();
  });
});

describe("with two API replicas", () => {
  it("when one replica changes an article that the other serves from memory, then the other serves the change at once", async () => {
    const other = await h.replica();
    try {
      const article = await publish("Replicated article");
      for (let i = 0; i < 3; i++) await request(other.app).get(`/v1/public/articles/${article.slug}`);
      const edit = await request(h.app)
        .patch(`/v1/articles/${article.id}`)
        .set("authorization", token)
        .set("if-match", `"${article.version}"`)
        .send({ title: "Changed on the first replica" });
      expect(edit.status).toBe(200);
      // The invalidation travels by pub/sub; give the message a moment, but no TTL-long wait.
      await expect
        .poll(async () => (await request(other.app).get(`/v1/public/articles/${article.slug}`)).body.title, { timeout: 2_000, interval: 20 })
        .toBe("Changed on the first replica");
    } finally {
      other.close();
    }
  });
});

describe("when Redis is down", () => {
  it("then public reads still answer from Postgres, and after Redis returns the cache is used again", async () => {
    const article = await publish("Survives redis");
    await readSlug(article.slug);
    await redis.stop();
    const started = Date.now();
    const during = await readSlug(article.slug);
    expect(during.status).toBe(200);
    expect(during.headers["x-cache"]).toBe("bypass");
    expect(during.body.title).toBe("Survives redis");
    expect(Date.now() - started).toBeLessThan(2_000);
    const list = await request(h.app).get("/v1/public/articles");
    expect(list.status).toBe(200);

    // An edit while Redis is down cannot invalidate; the API must not serve the old cached copy afterwards.
    const edit = await request(h.app)
      .patch(`/v1/articles/${article.id}`)
      .set("authorization", token)
      .set("if-match", `"${article.version}"`)
      .send({ title: "Edited while redis was down" });
    expect(edit.status).toBe(200);

    await redis.start();
    await expect.poll(async () => (await readSlug(article.slug)).headers["x-cache"], { timeout: 10_000 }).toBe("hit");
    expect((await readSlug(article.slug)).body.title).toBe("Edited while redis was down");
  });
});
