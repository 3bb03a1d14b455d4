import { Ajv2020 } from "ajv/dist/2020.js";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiPath } from "@folio/http-kit";
import { openApiDocument, routeSpecs } from "../src/entry-points/http/document.js";
import { createHarness, type Harness } from "./harness.js";

let h: Harness;
let doc: Doc;
beforeAll(async () => {
  h = await createHarness();
  doc = (await request(h.app).get("/v1/openapi.json")).body as Doc;
});
afterAll(() => h.close());

interface Parameter {
  name: string;
  in: string;
  required: boolean;
  schema: Record<string, unknown>;
}
interface Operation {
  operationId: string;
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
  security?: unknown[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  "x-required-role"?: string;
}
interface Doc {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Record<string, unknown>> };
}

const operations = (document: Doc) =>
  Object.entries(document.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, operation]) => ({ label: `${method.toUpperCase()} ${path}`, method, operation })));

/** Every method+path that Express would actually route, read from the router's own stack. */
function expressRoutes(app: Harness["app"]): string[] {
  const found: string[] = [];
  const walk = (stack: unknown[], prefix = "") => {
    for (const layer of stack as { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: unknown[] } }[]) {
      if (layer.route) {
        // _all: the 405 answer for the path's other methods, not an operation.
        for (const method of Object.keys(layer.route.methods).filter((name) => name !== "_all")) found.push(`${method.toUpperCase()} ${prefix}${layer.route.path}`);
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, prefix);
      }
    }
  };
  walk((app as unknown as { router: { stack: unknown[] } }).router.stack);
  return found;
}

/** Validates a response body against the schema the document gives for its operation and status. */
function validateAgainstDocument(path: string, method: string, status: number, body: unknown) {
  const content = doc.paths[path]![method]!.responses[String(status)]!.content!;
  const [schema] = Object.values(content).map((media) => media.schema);
  // Formats (uuid, date-time) are Schemathesis' business in tests/fuzz; here the shape is the question.
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  ajv.addSchema({ $id: "folio", components: doc.components }, "folio");
  const validate = ajv.compile({ $ref: `folio#/components/schemas/${(schema as { $ref: string }).$ref.split("/").pop()}` });
  return { valid: validate(body), errors: validate.errors };
}

describe("OpenAPI document", () => {
  it("when fetched, then it is OpenAPI 3.1 and every operation has an id and responses", () => {
    expect(doc.openapi).toBe("3.1.0");
    for (const { label, operation } of operations(doc)) {
      expect(operation.operationId, label).toMatch(/^[a-zA-Z]+$/);
      expect(Object.keys(operation.responses).length, label).toBeGreaterThan(0);
    }
    const ids = operations(doc).map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("when built from the route declarations alone, then it is the document the running app serves", () => {
    expect(openApiDocument()).toEqual(doc);
    expect(new Set(h.router.specs)).toEqual(new Set(routeSpecs));
  });

  it("when compared with the Express router, then every /v1 route is documented and every documented route exists", () => {
    const documented = operations(doc).map(({ label }) => label);
    const routed = expressRoutes(h.app)
      .filter((route) => route.includes(" /v1/"))
      .map((route) => {
        const [method, path] = route.split(" ");
        return `${method} ${openApiPath(path!)}`;
      });
    expect(routed.length).toBeGreaterThan(15);
    expect([...documented].sort()).toEqual([...new Set(routed)].sort());
  });

  it("when a route is public, then the document says it needs no token; write routes need one", () => {
    expect(doc.paths["/v1/public/articles/{slug}"]!.get!.security).toEqual([]);
    expect(doc.paths["/v1/articles"]!.post!.security).toBeUndefined();
    const body = JSON.stringify(doc.paths["/v1/articles"]!.post);
    expect(body).toContain('"additionalProperties":false');
    expect(body).toContain("Idempotency-Key");
  });

  it("when an operation needs a token, then it documents 401 and the database's 503; an admin one also 403", () => {
    const authenticated = operations(doc).filter(({ operation }) => operation.security === undefined);
    expect(authenticated.length).toBeGreaterThan(15);
    for (const { label, operation } of authenticated) {
      expect(Object.keys(operation.responses), label).toEqual(expect.arrayContaining(["401", "503"]));
      expect(JSON.stringify(operation.responses[503]), label).toContain("database_unavailable");
      if (operation["x-required-role"] === "admin") expect(Object.keys(operation.responses), label).toContain("403");
    }
    expect(operations(doc).filter(({ operation }) => operation["x-required-role"] === "admin").length).toBeGreaterThanOrEqual(6);
  });

  it("when an operation reads parameters, then it documents 400; with a body, also 413 and 415", () => {
    for (const { label, operation } of operations(doc)) {
      if (operation.parameters?.length) expect(Object.keys(operation.responses), label).toContain("400");
      if (operation.requestBody) expect(Object.keys(operation.responses), label).toEqual(expect.arrayContaining(["400", "413", "415"]));
    }
  });

  it("when an operation takes an Idempotency-Key, then the document gives the server's rule and the 409 and 422 it causes", () => {
    const idempotent = operations(doc).filter(({ operation }) => operation.parameters?.some((parameter) => parameter.name === "Idempotency-Key"));
    expect(idempotent.map(({ label }) => label).sort()).toEqual(["POST /v1/articles", "POST /v1/media", "POST /v1/users"]);
    for (const { label, operation } of idempotent) {
      const key = operation.parameters!.find((parameter) => parameter.name === "Idempotency-Key")!;
      expect(key.schema, label).toEqual({ type: "string", pattern: "^[\\x21-\\x7e]{1,200}$" });
      expect(Object.keys(operation.responses), label).toEqual(expect.arrayContaining(["409", "422"]));
    }
  });

  it("when an operation is a partial update, then its body needs at least one property, as the server does", async () => {
    for (const path of ["/v1/articles/{id}", "/v1/users/{id}"]) {
      expect(doc.paths[path]!.patch!.requestBody!.content["application/json"]!.schema.minProperties, path).toBe(1);
    }
    const token = await h.login();
    const res = await request(h.app).patch(`/v1/users/${"0".repeat(8)}-0000-4000-8000-${"0".repeat(12)}`).set("authorization", token).send({});
    expect(res.status).toBe(400);
  });

  it("when a problem carries extra members, then it still matches the documented schema (412, 409, and a plain 404)", async () => {
    expect(doc.components.schemas.Problem!.additionalProperties).toEqual({});
    const token = await h.login();
    const created = await request(h.app).post("/v1/articles").set("authorization", token).send({ title: "Contract" });
    const id = created.body.id as string;
    await request(h.app).patch(`/v1/articles/${id}`).set("authorization", token).set("if-match", '"1"').send({ title: "Second" });

    const stale = await request(h.app).patch(`/v1/articles/${id}`).set("authorization", token).set("if-match", '"1"').send({ title: "Third" });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ currentVersion: 2, current: { id } });
    expect(validateAgainstDocument("/v1/articles/{id}", "patch", 412, stale.body)).toMatchObject({ valid: true });

    const wrongState = await request(h.app).post(`/v1/articles/${id}/restore`).set("authorization", token).set("if-match", '"2"');
    expect(wrongState.status).toBe(409);
    expect(wrongState.body.currentStatus).toBe("draft");
    expect(validateAgainstDocument("/v1/articles/{id}/restore", "post", 409, wrongState.body)).toMatchObject({ valid: true });

    const missing = await request(h.app).get(`/v1/articles/${"0".repeat(8)}-0000-4000-8000-${"0".repeat(12)}`).set("authorization", token);
    expect(validateAgainstDocument("/v1/articles/{id}", "get", 404, missing.body)).toMatchObject({ valid: true });
    expect(validateAgainstDocument("/v1/articles/{id}", "get", 200, created.body)).toMatchObject({ valid: true });
  });

  it("when an answer carries an article, then its links say how to change it: the id, and the ETag as If-Match", () => {
    const links = (doc.paths["/v1/articles"]!.post!.responses[201] as { links?: Record<string, { operationId: string; parameters: object }> }).links!;
    expect(links.publishArticle).toEqual({ operationId: "publishArticle", parameters: { id: "$response.body#/id", "header.If-Match": "$response.header.ETag" } });
    const ids = new Set(operations(doc).map(({ operation }) => operation.operationId));
    for (const link of Object.values(links)) expect(ids, link.operationId).toContain(link.operationId);
  });

  it("when a path is called with a method it does not have, then the answer is 405 with Allow", async () => {
    const res = await request(h.app).put("/v1/articles");
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe("GET, POST, HEAD, OPTIONS");
    expect(res.headers["content-type"]).toContain("application/problem+json");
  });
});
