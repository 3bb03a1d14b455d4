import zlib from "node:zlib";
import { SignJWT } from "jose";
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

/** Rows in the tables a rejected request could have written to. */
const counts = async () => {
  const { rows } = await h.pool.query<{ articles: string; revisions: string; users: string; media: string }>(
    "SELECT (SELECT count(*) FROM articles) AS articles, (SELECT count(*) FROM article_revisions) AS revisions, (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM media) AS media",
  );
  return rows[0];
};

const cursorOf = (at: string, id: string) => Buffer.from(JSON.stringify([at, id])).toString("base64url");

describe("text PostgreSQL cannot store", () => {
  it("when any text field of an article holds a NUL character, then 400 names the field and nothing is stored", async () => {
    const before = await counts();
    for (const [field, value] of [
      ["title", "a\u0000b"],
      ["body", "text\u0000"],
      ["excerpt", "\u0000"],
      ["slug", "a\u0000b"],
      ["tags", ["ok", "b\u0000d"]],
    ] as const) {
      const res = await request(h.app).post("/v1/articles").set("authorization", token).send({ title: "NUL test", [field]: value });
      expectProblem(res, 400, "validation");
      expect(res.body.errors, field).toContainEqual(expect.objectContaining({ in: "body", path: field === "tags" ? "tags.1" : field }));
    }
    expect(await counts()).toEqual(before);
  });

  it("when an edit holds a NUL character, then 400 and the article keeps its version", async () => {
    const created = await request(h.app).post("/v1/articles").set("authorization", token).send({ title: "Edited with NUL" });
    const res = await request(h.app).patch(`/v1/articles/${created.body.id}`).set("authorization", token).set("if-match", '"1"').send({ body: "x\u0000y" });
    expectProblem(res, 400, "validation");
    expect(res.body.errors[0]).toMatchObject({ in: "body", path: "body" });
    expect((await request(h.app).get(`/v1/articles/${created.body.id}`).set("authorization", token)).body.version).toBe(1);
  });

  it("when a search, a tag filter or a login email holds a NUL character, then 400 rather than 500", async () => {
    for (const path of ["/v1/articles?q=a%00b", "/v1/articles?tag=a%00b", "/v1/public/articles?tag=a%00b", "/v1/media?cursor=%00"]) {
      const res = await request(h.app).get(path).set("authorization", token);
      expectProblem(res, 400, "validation");
      expect(res.body.errors[0].in, path).toBe("query");
    }
    const login = await request(h.app).post("/v1/auth/login").send({ email: "admin\u0000@folio.test", password: "whatever it is" });
    expectProblem(login, 400, "validation");
    expect(login.body.errors[0]).toMatchObject({ in: "body", path: "email" });
  });

  it("when a user's name or email holds a NUL character, then 400 and no user is created or changed", async () => {
    const before = await counts();
    const create = await request(h.app)
      .post("/v1/users")
      .set("authorization", token)
      .send({ email: "nul@folio.test", name: "Nu\u0000l", role: "editor", password: "long enough password" });
    expectProblem(create, 400, "validation");
    expect(create.body.errors[0]).toMatchObject({ in: "body", path: "name" });
    const me = await request(h.app).get("/v1/auth/me").set("authorization", token);
    const rename = await request(h.app).patch(`/v1/users/${me.body.id}`).set("authorization", token).send({ name: "\u0000" });
    expectProblem(rename, 400, "validation");
    expect(await counts()).toEqual(before);
    expect((await request(h.app).get("/v1/auth/me").set("authorization", token)).body.name).toBe(me.body.name);
  });

  it("when a string holds a lone UTF-16 surrogate, then 400 instead of storing a replacement character", async () => {
    const before = await counts();
    // JSON.stringify writes a lone surrogate as the escape \ud800, which JSON.parse turns back into one.
    const res = await request(h.app).post("/v1/articles").set("authorization", token).send({ title: "half a pair: \ud800" });
    expectProblem(res, 400, "validation");
    expect(res.body.errors[0]).toMatchObject({ in: "body", path: "title" });
    expect(await counts()).toEqual(before);
  });
});

describe("visible text", () => {
  it("when a title or a name is made only of zero-width or invisible characters, then 400 and nothing is stored", async () => {
    const before = await counts();
    for (const title of ["\u200b", "\u200b\u200c\u200d\u2060", " \ufeff\u200b ", "\u3164", "\u0301"]) {
      const res = await request(h.app).post("/v1/articles").set("authorization", token).send({ title });
      expectProblem(res, 400, "validation");
      expect(res.body.errors[0], JSON.stringify(title)).toMatchObject({ in: "body", path: "title" });
    }
    const user = await request(h.app)
      .post("/v1/users")
      .set("authorization", token)
      .send({ email: "invisible@folio.test", name: "\u200b\u200b", role: "editor", password: "long enough password" });
    expectProblem(user, 400, "validation");
    expect(user.body.errors[0]).toMatchObject({ in: "body", path: "name" });
    expect(await counts()).toEqual(before);
  });

  it("when a title has visible characters around zero-width ones, then it is accepted as sent", async () => {
    const res = await request(h.app).post("/v1/articles").set("authorization", token).send({ title: "Zero\u200bwidth joiner" });
    expect(res.status).toBe(201);
    expect(res.body.title).toBe("Zero\u200bwidth joiner");
  });
});

describe("cursors", () => {
  const id = "3f2b1c9e-0a4d-4c7e-9b1a-2d3e4f5a6b7c";

  it("when a cursor decodes but holds values PostgreSQL refuses, then every list answers 400 on the cursor, the public one too", async () => {
    const bad = [
      cursorOf("1", id), // Date.parse accepts it; PostgreSQL does not
      cursorOf("2026-13-45T00:00:00.000000Z", id),
      cursorOf("2026-02-30T00:00:00.000000Z", id),
      cursorOf("99999-01-01T00:00:00.000000Z", id),
      cursorOf("0000-01-01T00:00:00.000000Z", id),
      cursorOf("2026-01-01T00:00:00.000000Z\u0000", id),
      cursorOf("2026-01-01T00:00:00.000000Z", "------------------------------------"),
      cursorOf("2026-01-01T00:00:00.000000Z", "3f2b1c9e0a4d4c7e9b1a2d3e4f5a6b7c----"),
      cursorOf("2026-01-01T00:00:00.000000Z", `${id.slice(0, 35)}\u0000`),
    ];
    for (const path of ["/v1/public/articles", "/v1/articles", "/v1/media"]) {
      for (const cursor of bad) {
        const res = await request(h.app).get(`${path}?cursor=${cursor}`).set("authorization", token);
        expectProblem(res, 400, "validation");
        expect(res.body.errors[0], `${path} ${Buffer.from(cursor, "base64url").toString()}`).toMatchObject({ in: "query", path: "cursor" });
      }
    }
  });

  it("when a cursor comes from the API, then the next page follows", async () => {
    for (const title of ["Cursor one", "Cursor two", "Cursor three"]) {
      await request(h.app).post("/v1/articles").set("authorization", token).send({ title });
    }
    const first = await request(h.app).get("/v1/articles?limit=2").set("authorization", token);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await request(h.app).get(`/v1/articles?limit=2&cursor=${first.body.nextCursor}`).set("authorization", token);
    expect(second.status).toBe(200);
    expect(second.body.items.length).toBeGreaterThan(0);
  });
});

describe("integers beyond PostgreSQL's integer", () => {
  it("when If-Match holds a version above 2^31-1 or hundreds of digits, then 400 and the article is unchanged", async () => {
    const created = await request(h.app).post("/v1/articles").set("authorization", token).send({ title: "Big versions" });
    for (const etag of ['"2147483648"', `"${"9".repeat(300)}"`, '"0"']) {
      const edit = await request(h.app).patch(`/v1/articles/${created.body.id}`).set("authorization", token).set("if-match", etag).send({ title: "changed" });
      expectProblem(edit, 400, "validation");
      expect(edit.body.errors[0], etag).toMatchObject({ in: "headers", path: "if-match" });
      const publish = await request(h.app).post(`/v1/articles/${created.body.id}/publish`).set("authorization", token).set("if-match", etag);
      expectProblem(publish, 400, "validation");
    }
    const now = await request(h.app).get(`/v1/articles/${created.body.id}`).set("authorization", token);
    expect(now.body).toMatchObject({ version: 1, title: "Big versions", status: "draft" });
  });

  it("when a revision number is above 2^31-1, then 400; the largest one is a plain 404", async () => {
    const created = await request(h.app).post("/v1/articles").set("authorization", token).send({ title: "Revisions" });
    for (const version of ["2147483648", "9007199254740993", "9".repeat(300)]) {
      const res = await request(h.app).get(`/v1/articles/${created.body.id}/revisions/${version}`).set("authorization", token);
      expectProblem(res, 400, "validation");
      expect(res.body.errors[0]).toMatchObject({ in: "params", path: "version" });
    }
    expectProblem(await request(h.app).get(`/v1/articles/${created.body.id}/revisions/2147483647`).set("authorization", token), 404, "not_found");
  });

  it("when the OpenAPI document describes versions, then it gives PostgreSQL's integer maximum", async () => {
    const doc = (await request(h.app).get("/v1/openapi.json")).body;
    expect(doc.components.schemas.Article.properties.version.maximum).toBe(2147483647);
    expect(doc.components.schemas.RevisionSummary.properties.version.maximum).toBe(2147483647);
    const revision = doc.paths["/v1/articles/{id}/revisions/{version}"].get.parameters.find((p: { name: string }) => p.name === "version");
    expect(revision.schema.maximum).toBe(2147483647);
  });
});

/** A JSON article sent as these bytes, with this Content-Encoding (serialize: superagent would JSON-encode a Buffer). */
const postEncoded = (encoding: string, bytes: Buffer) =>
  request(h.app)
    .post("/v1/articles")
    .set("authorization", token)
    .set("content-type", "application/json")
    .set("content-encoding", encoding)
    .serialize((body: unknown) => body as string)
    .send(bytes);

describe("malformed requests", () => {
  it("when a path holds invalid percent-encoding, then 400 problem, on public routes too", async () => {
    for (const path of ["/v1/public/articles/%C0%AE", "/v1/articles/%C0%AE", "/v1/media/%E0%A4%A/content/original"]) {
      const res = await request(h.app).get(path).set("authorization", token);
      expectProblem(res, 400, "invalid_path");
    }
  });

  it("when a body is not what its Content-Encoding says, then 400 invalid_content_encoding and nothing is stored", async () => {
    const before = await counts();
    const json = Buffer.from(JSON.stringify({ title: "Compressed" }));
    const truncated = zlib.gzipSync(json).subarray(0, 12);
    for (const [encoding, body] of [
      ["gzip", json],
      ["gzip", truncated],
      ["deflate", json],
      ["br", json],
      ["zstd", json],
    ] as const) {
      const res = await postEncoded(encoding, body);
      expectProblem(res, 400, "invalid_content_encoding");
      expect(res.body.detail, encoding).toContain(encoding);
    }
    expect(await counts()).toEqual(before);
  });

  it("when the Content-Encoding is unknown, then 415; a correctly compressed body is accepted", async () => {
    const json = Buffer.from(JSON.stringify({ title: "Gzipped for real" }));
    const unknown = await postEncoded("compress", json);
    expectProblem(unknown, 415, "unsupported_encoding");
    expect(unknown.headers["accept-encoding"]).toBe("gzip, deflate, br, zstd");
    const gzipped = await postEncoded("gzip", zlib.gzipSync(json));
    expect(gzipped.status, JSON.stringify(gzipped.body)).toBe(201);
  });

  it("when a token signed with the right secret names a subject that is not a UUID, then 401", async () => {
    const secret = new TextEncoder().encode(h.config.JWT_SECRET);
    for (const sub of ["not-a-uuid", "3f2b1c9e-0a4d-4c7e-9b1a-2d3e4f5a6b7c\u0000", ""]) {
      const forged = await new SignJWT({ role: "admin" })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(sub)
        .setIssuer("folio-api")
        .setAudience("folio")
        .setIssuedAt()
        .setExpirationTime("5m")
        .sign(secret);
      const res = await request(h.app).get("/v1/auth/me").set("authorization", `Bearer ${forged}`);
      expectProblem(res, 401, "unauthorized");
    }
  });
});
