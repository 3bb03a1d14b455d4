import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiPath } from "@folio/http-kit";
import { createHarness, type Harness } from "./harness.js";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

type Doc = { openapi: string; paths: Record<string, Record<string, { operationId: string; responses: object; security?: unknown[] }>> };

/** Every method+path that Express would actually route, read from the router's own stack. */
function expressRoutes(app: Harness["app"]): string[] {
  const found: string[] = [];
  const walk = (stack: unknown[], prefix = "") => {
    for (const layer of stack as { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: unknown[] } }[]) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) found.push(`${method.toUpperCase()} ${prefix}${layer.route.path}`);
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, prefix);
      }
    }
  };
  walk((app as unknown as { router: { stack: unknown[] } }).router.stack);
  return found;
}

describe("OpenAPI document", () => {
  it("when fetched, then it is OpenAPI 3.1 and every operation has an id and responses", async () => {
    const res = await request(h.app).get("/v1/openapi.json");
    expect(res.status).toBe(200);
    const doc = res.body as Doc;
    expect(doc.openapi).toBe("3.1.0");
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(operation.operationId, `${method} ${path}`).toMatch(/^[a-zA-Z]+$/);
        expect(Object.keys(operation.responses).length, `${method} ${path}`).toBeGreaterThan(0);
      }
    }
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("when compared with the Express router, then every /v1 route is documented and every documented route exists", async () => {
    const doc = (await request(h.app).get("/v1/openapi.json")).body as Doc;
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));
    const routed = expressRoutes(h.app)
      .filter((route) => route.includes(" /v1/"))
      .map((route) => {
        const [method, path] = route.split(" ");
        return `${method} ${openApiPath(path!)}`;
      });
    expect(routed.length).toBeGreaterThan(15);
    expect([...documented].sort()).toEqual([...new Set(routed)].sort());
  });

  it("when a route is public, then the document says it needs no token; write routes need one", async () => {
    const doc = (await request(h.app).get("/v1/openapi.json")).body as Doc;
    expect(doc.paths["/v1/public/articles/{slug}"]!.get!.security).toEqual([]);
    expect(doc.paths["/v1/articles"]!.post!.security).toBeUndefined();
    const body = JSON.stringify(doc.paths["/v1/articles"]!.post);
    expect(body).toContain('"additionalProperties":false');
    expect(body).toContain("Idempotency-Key");
  });
});
