import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "./harness.js";

let h: Harness;
let token: string;
beforeAll(async () => {
  h = await createHarness({ env: { BODY_LIMIT_BYTES: "2048" } });
  token = await h.login();
});
afterAll(() => h.close());

const expectProblem = (res: request.Response, status: number, code: string) => {
  expect(res.status).toBe(status);
  expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, code, type: `urn:folio:problem:${code}` });
  expect(res.body.requestId).toBe(res.headers["x-request-id"]);
  expect(JSON.stringify(res.body)).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
};

describe("bad input", () => {
  it("when a body has unknown fields, then 400 lists each one", async () => {
    const res = await request(h.app).post("/v1/articles").set("authorization", token).send({ title: "x", author: "me", views: 3 });
    expectProblem(res, 400, "validation");
    expect(res.body.errors[0].message).toMatch(/author.*views|views.*author/);
  });

  it("when fields have the wrong types, then 400 explains every field", async () => {
    const res = await request(h.app).post("/v1/articles").set("authorization", token).send({ title: 5, tags: "one", body: null });
    expectProblem(res, 400, "validation");
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(["body", "tags", "title"]);
  });

  it("when the JSON body is bigger than the limit, then 413", async () => {
    const res = await request(h.app).post("/v1/articles").set("authorization", token).send({ title: "big", body: "x".repeat(5000) });
    expectProblem(res, 413, "body_too_large");
  });

  it("when the content type is form-encoded or missing, then 415", async () => {
    const form = await request(h.app).post("/v1/articles").set("authorization", token).type("form").send("title=x");
    expectProblem(form, 415, "unsupported_media_type");
    const xml = await request(h.app).post("/v1/articles").set("authorization", token).set("content-type", "application/xml").send("<a/>");
    expectProblem(xml, 415, "unsupported_media_type");
  });

  it("when the JSON is malformed, then 400 invalid_json", async () => {
    const res = await request(h.app).post("/v1/articles").set("authorization", token).set("content-type", "application/json").send('{"title": ');
    expectProblem(res, 400, "invalid_json");
  });

  it("when a path id is not a UUID, then 400 on params", async () => {
    const res = await request(h.app).get("/v1/articles/42").set("authorization", token);
    expectProblem(res, 400, "validation");
    expect(res.body.errors[0]).toMatchObject({ in: "params", path: "id" });
  });

  it("when a query value is out of range, then 400 on query", async () => {
    const res = await request(h.app).get("/v1/public/articles?limit=0");
    expectProblem(res, 400, "validation");
    expect(res.body.errors[0]).toMatchObject({ in: "query", path: "limit" });
  });

  it("when the route does not exist, then 404 problem", async () => {
    expectProblem(await request(h.app).get("/v1/nothing-here"), 404, "not_found");
  });

  it("when SQL metacharacters are sent, then they are stored as text (queries are parameterised)", async () => {
    const title = "Robert'); DROP TABLE articles;--";
    const res = await request(h.app).post("/v1/articles").set("authorization", token).send({ title });
    expect(res.status).toBe(201);
    expect(res.body.title).toBe(title);
    const search = await request(h.app).get(`/v1/articles?q=${encodeURIComponent("'); DROP")}`).set("authorization", token);
    expect(search.status).toBe(200);
    expect(search.body.items.map((a: { title: string }) => a.title)).toContain(title);
  });
});

describe("probes, metrics and CORS", () => {
  it("when probed, then healthz and readyz answer 200 and metrics expose HTTP, pool and queue series", async () => {
    expect((await request(h.app).get("/healthz")).status).toBe(200);
    expect((await request(h.app).get("/readyz")).status).toBe(200);
    await request(h.app).get("/v1/public/articles");
    const metrics = await request(h.app).get("/metrics");
    expect(metrics.text).toMatch(/^http_request_duration_seconds_count\{.*route="\/v1\/public\/articles",status="200"\} \d+$/m);
    expect(metrics.text).toMatch(/^folio_db_pool_connections\{state="total".*\} \d+$/m);
    expect(metrics.text).toMatch(/^folio_queue_jobs\{queue="media",state="waiting".*\} \d+$/m);
  });

  it("when the site's origin calls, then CORS allows it; another origin gets no CORS headers", async () => {
    const preflight = await request(h.app)
      .options("/v1/articles")
      .set("origin", "http://site.localtest.me")
      .set("access-control-request-method", "POST");
    expect(preflight.status).toBe(204);
    expect(preflight.headers["access-control-allow-origin"]).toBe("http://site.localtest.me");
    expect(preflight.headers["access-control-allow-headers"]).toContain("idempotency-key");
    const other = await request(h.app).get("/v1/public/articles").set("origin", "http://evil.example");
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
  });
});
