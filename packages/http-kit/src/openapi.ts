/**
 * Builds an OpenAPI 3.1 document from the route specs. OpenAPI 3.1 schemas are JSON Schema 2020-12,
 * which is what zod's toJSONSchema emits, so no hand-written schema is needed anywhere.
 */
import { z } from "zod";
import type { RouteSpec } from "./routes.js";

export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: "input" | "output"): JsonSchema => {
  const json = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as JsonSchema;
  delete json.$schema;
  return json;
};

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ in: z.string(), path: z.string(), message: z.string() })).optional(),
  })
  .meta({ description: "RFC 9457 problem details" });

/** "/v1/articles/:id" → "/v1/articles/{id}" */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}

/** "idempotency-key" → "Idempotency-Key" (header names are case-insensitive; this is how they are written). */
const headerName = (name: string) => name.replace(/(^|-)([a-z])/g, (_m, dash: string, letter: string) => dash + letter.toUpperCase());

export function buildOpenApi(info: OpenApiInfo, specs: readonly RouteSpec[]): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of specs) {
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ["path", spec.params],
      ["query", spec.query],
      ["header", spec.headers],
    ] as const) {
      if (!schema) continue;
      for (const [name, field] of Object.entries(schema.shape)) {
        const fieldSchema = field as z.ZodType;
        parameters.push({
          name: where === "header" ? headerName(name) : name,
          in: where,
          required: where === "path" || !fieldSchema.safeParse(undefined).success,
          schema: toSchema(fieldSchema, "input"),
        });
      }
    }
    if (spec.idempotent && !spec.headers?.shape["idempotency-key"]) {
      parameters.push({
        name: "Idempotency-Key",
        in: "header",
        required: false,
        description: "Retry safely: a repeated request with the same key replays the first response.",
        schema: { type: "string", minLength: 1, maxLength: 200 },
      });
    }
    const operation: Record<string, unknown> = {
      operationId: spec.operationId,
      summary: spec.summary,
      tags: spec.tags,
      ...(parameters.length ? { parameters } : {}),
      ...(spec.auth === "public" ? { security: [] } : {}),
      ...(spec.auth === "admin" ? { "x-required-role": "admin" } : {}),
      responses: Object.fromEntries(
        Object.entries(spec.responses).map(([status, response]) => [
          status,
          {
            description: response.description,
            ...(response.schema || Number(status) >= 400
              ? {
                  content: {
                    [response.contentType ?? (Number(status) >= 400 ? "application/problem+json" : "application/json")]: {
                      schema: response.schema ? toSchema(response.schema, "output") : { $ref: "#/components/schemas/Problem" },
                    },
                  },
                }
              : {}),
          },
        ]),
      ),
    };
    if (spec.body && (spec.bodyType ?? "json") === "json") {
      operation.requestBody = { required: true, content: { "application/json": { schema: toSchema(spec.body, "input") } } };
    }
    if (spec.bodyType === "multipart") {
      operation.requestBody = {
        required: true,
        content: { "multipart/form-data": { schema: spec.multipart ? toSchema(spec.multipart, "input") : { type: "object" } } },
      };
    }
    (paths[openApiPath(spec.path)] ??= {})[spec.method] = operation;
  }
  return {
    openapi: "3.1.0",
    info,
    paths,
    components: {
      schemas: { Problem: toSchema(problemSchema, "output") },
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
    },
    security: [{ bearer: [] }],
  };
}
