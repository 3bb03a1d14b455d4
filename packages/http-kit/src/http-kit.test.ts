import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import express from "express";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createHttpLogger, createLogger } from "@folio/logger";
import {
  AppError,
  ApiRouter,
  ProbeState,
  buildOpenApi,
  createRegistry,
  errorHandler,
  notFoundHandler,
  probeRoutes,
  problemSchema,
  problemWith,
  type DocumentRules,
} from "./index.js";

const logger = createLogger({ name: "test", level: "silent" }, new Writable({ write: (_c, _e, done) => done() }));

function buildApp() {
  const api = new ApiRouter({ auth: { public: [], user: [], admin: [] }, jsonLimit: 200 });
  api.add(
    {
      method: "post",
      path: "/things/:id",
      operationId: "createThing",
      summary: "Create a thing",
      tags: ["things"],
      auth: "public",
      params: z.object({ id: z.coerce.number().int() }),
      query: z.object({ dry: z.enum(["true", "false"]).optional() }),
      headers: z.object({ "idempotency-key": z.string().max(200).optional() }),
      body: z.strictObject({ name: z.string().min(1) }),
      idempotent: true,
      uses: ["db"],
      responses: { 201: { description: "created", schema: z.object({ id: z.number(), name: z.string() }) } },
    },
    ({ params, body }, _req, res) => {
      res.status(201).json({ id: params.id, name: body.name });
    },
  );
  api.add(
    { method: "get", path: "/boom", operationId: "boom", summary: "Fails", tags: ["x"], auth: "public", responses: {} },
    async () => {
      throw new Error("secret internal detail");
    },
  );
  api.add(
    { method: "get", path: "/gone", operationId: "gone", summary: "Expected failure", tags: ["x"], auth: "admin", responses: {} },
    () => {
      throw new AppError("gone", 404, "It is gone.", { extra: { hint: "look elsewhere" } });
    },
  );
  const app = express();
  app.use(createHttpLogger(logger));
  app.use(api.router);
  app.use(notFoundHandler);
  app.use(errorHandler({ logger }));
  return { app, api };
}

describe("ApiRouter and errorHandler", () => {
  const { app, api } = buildApp();

  it("when the input is valid, then the handler gets parsed values", async () => {
    const res = await request(app).post("/things/7").send({ name: "lamp" });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: 7, name: "lamp" });
  });

  it("when the body has an unknown field, then the answer is 400 problem+json naming it", async () => {
    const res = await request(app).post("/things/7").send({ name: "lamp", colour: "red" });
    expect(res.status).toBe(400);
    expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, code: "validation" });
    expect(res.body.errors).toEqual([{ in: "body", path: "", message: expect.stringContaining("colour") }]);
  });

  it("when a path parameter is not a number, then the problem says where", async () => {
    const res = await request(app).post("/things/abc").send({ name: "lamp" });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ in: "params", path: "id" });
  });

  it("when the body is not JSON, then the answer is 415", async () => {
    const res = await request(app).post("/things/1").set("content-type", "text/plain").send("name=lamp");
    expect(res.status).toBe(415);
    expect(res.body.code).toBe("unsupported_media_type");
  });

  it("when the JSON is malformed, then the answer is 400 invalid_json", async () => {
    const res = await request(app).post("/things/1").set("content-type", "application/json").send("{nope");
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("invalid_json");
  });

  it("when the body is over the limit, then the answer is 413", async () => {
    const res = await request(app).post("/things/1").send({ name: "x".repeat(500) });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe("body_too_large");
  });

  it("when a handler throws an unexpected error, then the answer is 500 without its message or stack", async () => {
    const res = await request(app).get("/boom");
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.body)).not.toContain("secret internal detail");
    expect(JSON.stringify(res.body)).not.toContain("at ");
    expect(res.body.requestId).toBe(res.headers["x-request-id"]);
  });

  it("when an AppError carries extra members, then they appear in the problem", async () => {
    const res = await request(app).get("/gone");
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: "gone", hint: "look elsewhere", detail: "It is gone." });
  });

  it("when no route matches, then the answer is a 404 problem", async () => {
    const res = await request(app).get("/nowhere");
    expect(res.status).toBe(404);
    expect(res.body.code).toBe("not_found");
  });

  it("when a path exists but not with this method, then the answer is 405 with Allow; OPTIONS gets the Allow alone", async () => {
    const put = await request(app).put("/things/7").send({ name: "lamp" });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe("POST, OPTIONS");
    expect(put.body.code).toBe("method_not_allowed");
    const options = await request(app).options("/gone");
    expect(options.status).toBe(204);
    expect(options.headers.allow).toBe("GET, HEAD, OPTIONS");
    expect((await request(app).head("/gone")).status).toBe(404);
  });

  it("when the client sends a request id, then it is echoed", async () => {
    const res = await request(app).get("/nowhere").set("x-request-id", "abc-123");
    expect(res.headers["x-request-id"]).toBe("abc-123");
    expect(res.body.requestId).toBe("abc-123");
  });

  const rules: DocumentRules = {
    dependencies: { db: { code: "database_unavailable", description: "the database" } },
    authUses: { user: ["db"], admin: ["db"] },
  };
  type Operation = {
    parameters: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
    requestBody: unknown;
    responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
  };
  const document = () => buildOpenApi({ title: "t", version: "1" }, api.specs, rules) as { openapi: string; paths: Record<string, Record<string, Operation>> };

  it("when the document is built, then paths, parameters and bodies come from the schemas", () => {
    const doc = document();
    expect(doc.openapi).toBe("3.1.0");
    const op = doc.paths["/things/{id}"]!.post!;
    expect(op.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "id", in: "path", required: true }),
        expect.objectContaining({ name: "dry", in: "query", required: false }),
        expect.objectContaining({ name: "Idempotency-Key", in: "header", schema: { type: "string", maxLength: 200 } }),
      ]),
    );
    expect(JSON.stringify(op.requestBody)).toContain('"additionalProperties":false');
  });

  it("when a route has input, a body, an auth level, a key or services, then the answers they cause are documented", () => {
    const things = document().paths["/things/{id}"]!.post!.responses;
    expect(Object.keys(things).sort()).toEqual(["201", "400", "409", "413", "415", "422", "503"]);
    expect(things[503]!.description).toContain("database_unavailable");
    expect(things[415]!.content).toEqual({ "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } });
    const gone = document().paths["/gone"]!.get!.responses;
    expect(Object.keys(gone).sort()).toEqual(["401", "403", "503"]);
  });

  it("when a route uses a service the rules do not name, then the document is refused", () => {
    const spec = { ...api.specs[0]!, uses: ["dbb"] };
    expect(() => buildOpenApi({ title: "t", version: "1" }, [spec], rules)).toThrow(/dbb/);
  });

  it("when a route declares an idempotent operation without the header, then it is refused at start", () => {
    const router = new ApiRouter({ auth: { public: [], user: [], admin: [] }, jsonLimit: 200 });
    const spec = { method: "post", path: "/x", operationId: "x", summary: "x", tags: [], auth: "public", idempotent: true, responses: {} } as const;
    expect(() => router.add(spec, () => {})).toThrow(/idempotency-key/);
  });

  it("when a problem carries extra members, then its schema admits them and a declared one documents them", () => {
    expect(problemSchema.safeParse({ type: "t", title: "t", status: 412, detail: "d", code: "c", currentVersion: 3 }).success).toBe(true);
    const stale = problemWith({ currentVersion: z.number().int() });
    expect(stale.safeParse({ type: "t", title: "t", status: 412, detail: "d", code: "c" }).success).toBe(false);
  });
});

describe("probes", () => {
  it("when starting, then healthz is ok and readyz is 503 with the reason; when draining, readyz fails again", async () => {
    const state = new ProbeState();
    const app = express().use(probeRoutes(state));
    state.waitingFor("schema migrations");
    expect((await request(app).get("/healthz")).status).toBe(200);
    const starting = await request(app).get("/readyz");
    expect(starting.status).toBe(503);
    expect(starting.body.reason).toBe("schema migrations");
    state.markStarted();
    expect((await request(app).get("/readyz")).status).toBe(200);
    state.markDraining();
    expect((await request(app).get("/readyz")).status).toBe(503);
    expect((await request(app).get("/healthz")).status).toBe(200);
  });

  it("when draining, then every response asks a keep-alive client to close its connection", async () => {
    const state = new ProbeState();
    state.markStarted();
    const app = express()
      .use(probeRoutes(state))
      .get("/work", (_req, res) => res.json({ done: true }));
    const server = app.listen(0, "127.0.0.1");
    await once(server, "listening");
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      // fetch keeps connections alive, as a browser or an ingress controller does
      expect((await fetch(`${url}/work`)).headers.get("connection")).toBe("keep-alive");
      state.markDraining();
      expect((await fetch(`${url}/work`)).headers.get("connection")).toBe("close");
      expect((await fetch(`${url}/readyz`)).headers.get("connection")).toBe("close");
    } finally {
      server.close();
    }
  });

  it("when given a registry, then /metrics serves it, and other paths and methods pass through", async () => {
    const registry = createRegistry("probe-test");
    const app = express()
      .use(probeRoutes(new ProbeState(), registry))
      .use((req, res) => res.status(404).json({ passedThrough: `${req.method} ${req.path}` }));
    const metrics = await request(app).get("/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.headers["content-type"]).toContain("text/plain");
    expect(metrics.text).toContain('service="probe-test"');
    expect((await request(app).post("/healthz")).body).toEqual({ passedThrough: "POST /healthz" });
    expect((await request(app).get("/healthz/x")).body).toEqual({ passedThrough: "GET /healthz/x" });
    expect((await request(express().use(probeRoutes(new ProbeState()))).get("/metrics")).status).toBe(404);
  });
});
