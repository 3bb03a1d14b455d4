import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "./harness.js";

let h: Harness;
let token: string;
beforeAll(async () => {
  h = await createHarness();
  token = await h.login();
});
afterAll(() => h.close());

const post = (key: string | undefined, body: Record<string, unknown>) => {
  const req = request(h.app).post("/v1/articles").set("authorization", token);
  if (key) req.set("idempotency-key", key);
  return req.send(body);
};
const countTitled = async (title: string) =>
  Number((await h.pool.query("SELECT count(*) FROM articles WHERE title = $1", [title])).rows[0].count);

describe("Idempotency-Key", () => {
  it("when a client retries with the same key, then it gets the first response again and one article exists", async () => {
    const first = await post("retry-1", { title: "Idempotent" });
    const again = await post("retry-1", { title: "Idempotent" });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.headers.location).toBe(first.headers.location);
    expect(await countTitled("Idempotent")).toBe(1);
  });

  it("when the same key comes with a different body, then the answer is 422 and nothing is created", async () => {
    await post("reused-1", { title: "Body A" });
    const res = await post("reused-1", { title: "Body B" });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("idempotency_key_reused");
    expect(await countTitled("Body B")).toBe(0);
  });

  it("when retries with one key race, then exactly one article is created and all get its response", async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => post("race-1", { title: "Racing" })));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(201));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(await countTitled("Racing")).toBe(1);
  });

  it("when the first attempt failed validation, then a retry with the key is processed afresh", async () => {
    const bad = await post("fix-1", { title: "" });
    expect(bad.status).toBe(400);
    const good = await post("fix-1", { title: "" });
    expect(good.status).toBe(400);
    expect(await countTitled("")).toBe(0);
  });

  it("when there is no key, then each POST creates a new article", async () => {
    await post(undefined, { title: "No key" });
    await post(undefined, { title: "No key" });
    expect(await countTitled("No key")).toBe(2);
  });

  it("when the key is too long or has spaces, then the answer is 400 on the header", async () => {
    for (const key of ["x".repeat(201), "has space"]) {
      const res = await post(key, { title: "bad key" });
      expect(res.status).toBe(400);
      expect(res.body.errors[0]).toMatchObject({ in: "headers", path: "idempotency-key" });
    }
  });

  it("when two users use the same key, then each gets their own result", async () => {
    const other = await request(h.app)
      .post("/v1/users")
      .set("authorization", token)
      .send({ email: "other@folio.test", name: "O", role: "editor", password: "other user password" });
    expect(other.status).toBe(201);
    const otherToken = await h.login("other@folio.test", "other user password");
    const mine = await post("shared-key", { title: "Mine" });
    const theirs = await request(h.app).post("/v1/articles").set("authorization", otherToken).set("idempotency-key", "shared-key").send({ title: "Theirs" });
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(mine.body.id);
  });
});
