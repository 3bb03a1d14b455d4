import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEditor, createHarness, type Harness } from "./harness.js";

let h: Harness;
let token: string;
beforeAll(async () => {
  h = await createHarness();
  token = await h.login();
});
afterAll(() => h.close());

const create = (body: Record<string, unknown>, auth = token) => request(h.app).post("/v1/articles").set("authorization", auth).send(body);
const patch = (id: string, etag: string | undefined, body: Record<string, unknown>) => {
  const req = request(h.app).patch(`/v1/articles/${id}`).set("authorization", token);
  if (etag) req.set("if-match", etag);
  return req.send(body);
};
const act = (id: string, action: string, etag: string) =>
  request(h.app).post(`/v1/articles/${id}/${action}`).set("authorization", token).set("if-match", etag);

describe("article lifecycle", () => {
  it("when an article goes draft → published → draft → trashed → draft, then each step is versioned and kept as a revision", async () => {
    const created = await create({ title: "Hello, Kubernetes!", body: "# Hi", tags: ["K8s", "k8s", "intro"] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ slug: "hello-kubernetes", status: "draft", version: 1, tags: ["k8s", "intro"], publishedAt: null });
    expect(created.headers.etag).toBe('"1"');
    expect(created.headers.location).toBe(`/v1/articles/${created.body.id}`);
    const id = created.body.id as string;

    const published = await act(id, "publish", '"1"');
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ status: "published", version: 2 });
    expect(published.body.publishedAt).not.toBeNull();

    const unpublished = await act(id, "unpublish", '"2"');
    expect(unpublished.body).toMatchObject({ status: "draft", version: 3 });

    const trashed = await act(id, "trash", '"3"');
    expect(trashed.body).toMatchObject({ status: "trashed", version: 4 });
    expect(trashed.body.trashedAt).not.toBeNull();

    const editTrashed = await patch(id, '"4"', { title: "nope" });
    expect(editTrashed.status).toBe(409);
    expect(editTrashed.body.code).toBe("article_trashed");

    const restored = await act(id, "restore", '"4"');
    expect(restored.body).toMatchObject({ status: "draft", version: 5, trashedAt: null });

    const revisions = await request(h.app).get(`/v1/articles/${id}/revisions`).set("authorization", token);
    expect(revisions.body.items.map((r: { version: number; status: string }) => [r.version, r.status])).toEqual([
      [4, "trashed"],
      [3, "draft"],
      [2, "published"],
      [1, "draft"],
    ]);
  });

  it("when an action is not allowed from the current status, then the answer is 409 invalid_transition", async () => {
    const created = await create({ title: "Transition test" });
    const res = await act(created.body.id, "unpublish", '"1"');
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: "invalid_transition", currentStatus: "draft" });
  });

  it("when an article is edited, then the previous version is readable as a revision", async () => {
    const created = await create({ title: "Original title", body: "original body" });
    const edited = await patch(created.body.id, '"1"', { title: "New title", body: "new body" });
    expect(edited.status).toBe(200);
    expect(edited.headers.etag).toBe('"2"');
    const revision = await request(h.app).get(`/v1/articles/${created.body.id}/revisions/1`).set("authorization", token);
    expect(revision.status).toBe(200);
    expect(revision.body).toMatchObject({ version: 1, title: "Original title", body: "original body" });
    const missing = await request(h.app).get(`/v1/articles/${created.body.id}/revisions/9`).set("authorization", token);
    expect(missing.status).toBe(404);
  });
});

describe("optimistic concurrency", () => {
  it("when two editors save from the same version, then the second gets 412 with the current version and loses nothing", async () => {
    const created = await create({ title: "Shared draft" });
    const first = await patch(created.body.id, '"1"', { body: "first editor's text" });
    expect(first.status).toBe(200);
    const second = await patch(created.body.id, '"1"', { body: "second editor's text" });
    expect(second.status).toBe(412);
    expect(second.body).toMatchObject({ code: "version_mismatch", currentVersion: 2, yourVersion: 1 });
    expect(second.body.current.body).toBe("first editor's text");
    expect(second.headers.etag).toBe('"2"');
    const current = await request(h.app).get(`/v1/articles/${created.body.id}`).set("authorization", token);
    expect(current.body.body).toBe("first editor's text");
  });

  it("when If-Match is missing or malformed, then the answer is 400 naming the header", async () => {
    const created = await create({ title: "Needs if-match" });
    for (const etag of [undefined, "1", 'W/"1"']) {
      const res = await patch(created.body.id, etag, { title: "x" });
      expect(res.status).toBe(400);
      expect(res.body.errors[0]).toMatchObject({ in: "headers", path: "if-match" });
    }
  });

  it("when many saves race from the same version, then exactly one wins", async () => {
    const created = await create({ title: "Race" });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => patch(created.body.id, '"1"', { body: `writer ${i}` })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 412)).toHaveLength(7);
  });
});

describe("slugs", () => {
  it("when titles repeat, then generated slugs get -2, -3 suffixes", async () => {
    const slugs = [];
    for (let i = 0; i < 3; i++) slugs.push((await create({ title: "Crème Brûlée" })).body.slug);
    expect(slugs).toEqual(["creme-brulee", "creme-brulee-2", "creme-brulee-3"]);
  });

  it("when an explicit slug is taken, then the answer is 409 slug_taken", async () => {
    await create({ title: "One", slug: "taken-slug" });
    const res = await create({ title: "Two", slug: "taken-slug" });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("slug_taken");
    const other = await create({ title: "Three" });
    const edit = await patch(other.body.id, '"1"', { slug: "taken-slug" });
    expect(edit.status).toBe(409);
  });

  it("when a slug has uppercase or spaces, then it is a 400 with the rule", async () => {
    const res = await create({ title: "Bad slug", slug: "Not A Slug" });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe("slug");
  });
});

describe("listing", () => {
  it("when listing with a small limit, then cursors walk every article exactly once", async () => {
    const editor = await createEditor(h, token);
    const ids = new Set<string>();
    for (let i = 0; i < 7; i++) ids.add((await create({ title: `Paged ${i}`, tags: ["paging"] }, editor.token)).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/articles?tag=paging&limit=3${cursor ? `&cursor=${cursor}` : ""}`;
      const res = await request(h.app).get(url).set("authorization", token);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((a: { id: string }) => a.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(7);
    expect(new Set(seen)).toEqual(ids);
  });

  it("when filtering by status, then only that status is listed", async () => {
    const created = await create({ title: "Filter me" });
    await act(created.body.id, "publish", '"1"');
    const res = await request(h.app).get("/v1/articles?status=published&limit=100").set("authorization", token);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(res.body.items.every((a: { status: string }) => a.status === "published")).toBe(true);
  });

  it("when the query has an unknown parameter or a bad cursor, then the answer is 400", async () => {
    expect((await request(h.app).get("/v1/articles?sort=title").set("authorization", token)).status).toBe(400);
    expect((await request(h.app).get("/v1/articles?limit=1000").set("authorization", token)).status).toBe(400);
    const badCursor = await request(h.app).get("/v1/articles?cursor=bm9wZQ").set("authorization", token);
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.errors[0]).toMatchObject({ in: "query", path: "cursor" });
  });

  it("when the cover image does not exist, then the answer is 400 on coverMediaId", async () => {
    const res = await create({ title: "Cover", coverMediaId: "00000000-0000-4000-8000-000000000000" });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe("coverMediaId");
  });
});
