/**
 * Builds an OpenAPI 3.1 document from the route specs. OpenAPI 3.1 schemas are JSON Schema 2020-12,
 * which is what zod's toJSONSchema emits, so no hand-written schema is needed anywhere.
 *
 * A route declares only what is its own. The answers that follow from the shape of a declaration are added here,
 * by one rule for every route (documentedResponses), because they come from shared middleware rather than from
 * the handler: a route cannot forget them, and the document cannot promise what the middleware does not do.
 */
import { z } from "zod";
import type { ResponseSpec, RouteSpec } from "./routes.js";

export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

/** What the document cannot read from a route's declaration: what lies behind names and auth levels. */
export interface DocumentRules {
  /**
   * The 503 answer of each service, by the name routes give in `uses`: the problem code the error middleware
   * renders for that service's failures, and a description.
   */
  dependencies: Record<string, { code: string; description: string }>;
  /** Services the middleware of an auth level reaches (loading the token's user, say), as if the route used them. */
  authUses?: Partial<Record<RouteSpec["auth"], readonly string[]>>;
}

type JsonSchema = Record<string, unknown>;

/**
 * RFC 9457 problem details. A problem type may add members of its own (§3.2), so the schema names the members
 * every problem has and admits others; routes whose problems carry known extra members declare them with
 * problemWith, and the document then describes those too.
 */
export const problemSchema = z
  .looseObject({
    type: z.string().meta({ description: "urn:folio:problem:<code>" }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().meta({ description: "for people; may change between versions" }),
    code: z.string().meta({ description: "for programs: stable, snake_case" }),
    instance: z.string().optional(),
    requestId: z.string().optional().meta({ description: "quote it when reporting a problem" }),
    errors: z
      .array(
        z.object({
          in: z.string().meta({ description: "body, query, params or headers" }),
          path: z.string().meta({ description: "dotted path inside it; empty for the whole part" }),
          message: z.string(),
        }),
      )
      .optional()
      .meta({ description: "which input was wrong, on 400 and some 409 answers" }),
  })
  .meta({ id: "Problem", description: "RFC 9457 problem details" });

/** A problem whose type carries extra members; give it an `id` in .meta() to name it in the document. */
export function problemWith<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  return problemSchema.extend(shape);
}

/** "/v1/articles/:id" → "/v1/articles/{id}" */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}

/** "idempotency-key" → "Idempotency-Key" (header names are case-insensitive; this is how they are written). */
const headerName = (name: string) => name.replace(/(^|-)([a-z])/g, (_m, dash: string, letter: string) => dash + letter.toUpperCase());

/**
 * Every answer a route can give: the ones the rule below derives from its declaration, and its own responses. When
 * both have a status, the route's description comes first and the derived one follows it (a route can be more
 * precise about an answer, never hide one), and the route's problem schema, if it gives one, is the schema.
 *
 * | declaration                          | adds | problem codes                                                   |
 * | ------------------------------------ | ---- | --------------------------------------------------------------- |
 * | auth "user" or "admin"               | 401  | unauthorized                                                    |
 * | auth "admin"                         | 403  | forbidden                                                       |
 * | params, query or headers             | 400  | validation                                                      |
 * | a JSON body                          | 400  | validation, invalid_json                                        |
 * |                                      | 413  | body_too_large                                                  |
 * |                                      | 415  | unsupported_media_type, unsupported_encoding                    |
 * | a multipart body                     | 400, 413, 415 | validation; body_too_large; unsupported_media_type     |
 * | idempotent                           | 409  | idempotency_conflict (the key's first request is still running) |
 * |                                      | 422  | idempotency_key_reused                                          |
 * | uses (and the auth level's authUses) | 503  | one per service, from DocumentRules.dependencies                |
 *
 * Not derived: 404 (only the handler knows it looks something up), 409/412 of the route's own, 429, and 500,
 * which is a bug wherever it happens and is documented nowhere.
 */
export function documentedResponses(spec: RouteSpec, rules: DocumentRules): Record<number, ResponseSpec> {
  const derived: Record<number, ResponseSpec> = {};
  const add = (status: number, description: string) => {
    const earlier = derived[status];
    derived[status] = { description: earlier ? `${earlier.description}; ${description}` : description };
  };
  if (spec.params || spec.query || spec.headers) add(400, "a parameter is invalid (validation)");
  if (spec.body || spec.bodyType === "multipart") {
    add(400, spec.bodyType === "multipart" ? "the multipart body is malformed or invalid (validation)" : "the body is invalid (validation) or not JSON (invalid_json)");
    add(413, "the body is larger than this operation accepts (body_too_large)");
    add(415, "the body is not of the media type this operation reads (unsupported_media_type), or its encoding is not supported (unsupported_encoding)");
  }
  if (spec.auth !== "public") add(401, "no valid bearer token (unauthorized)");
  if (spec.auth === "admin") add(403, "the token's user is not an admin (forbidden)");
  if (spec.idempotent) {
    add(409, "a request with this Idempotency-Key is still in progress (idempotency_conflict)");
    add(422, "this Idempotency-Key was used for a different request (idempotency_key_reused)");
  }
  const uses = new Set([...(rules.authUses?.[spec.auth] ?? []), ...(spec.uses ?? [])]);
  const unavailable = [...uses].map((name) => {
    const dependency = rules.dependencies[name];
    if (!dependency) throw new Error(`${spec.operationId} uses "${name}", which DocumentRules.dependencies does not name`);
    return `${dependency.description} (${dependency.code})`;
  });
  if (unavailable.length) add(503, `a service it needs is unavailable; retry after Retry-After: ${unavailable.join("; ")}`);
  const responses: Record<number, ResponseSpec> = { ...derived };
  for (const [status, own] of Object.entries(spec.responses)) {
    const other = derived[Number(status)];
    responses[Number(status)] = other ? { ...own, description: `${own.description}; ${other.description}` } : own;
  }
  return responses;
}

/**
 * Converts a zod schema. Schemas named with .meta({ id }) become components, shared by reference: zod puts them in
 * $defs, which are moved to `components` here (one namespace for the whole document).
 */
function schemaConverter(components: Record<string, JsonSchema>) {
  return (schema: z.ZodType, io: "input" | "output"): JsonSchema => {
    const override = io === "input" ? patternOverFormat : undefined;
    const json = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any", override }) as JsonSchema;
    delete json.$schema;
    const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
    delete json.$defs;
    for (const [id, def] of Object.entries(defs)) {
      const moved = moveRefs(def) as JsonSchema;
      const earlier = components[id];
      if (earlier && JSON.stringify(earlier) !== JSON.stringify(moved)) {
        // The same id as an input and as an output schema (a default or a transform makes them differ).
        throw new Error(`the schema "${id}" has two different forms in the document; name only response schemas`);
      }
      components[id] = moved;
    }
    return moveRefs(json) as JsonSchema;
  };
}

/**
 * In a request schema, zod writes both the pattern it checks and a format (email, uuid, …). JSON Schema leaves a
 * format's meaning to each validator, so a client can judge an address valid that the pattern refuses, or the other
 * way round; the pattern alone says exactly what the server accepts. (Responses keep their formats: they describe.)
 */
function patternOverFormat({ jsonSchema }: { jsonSchema: Record<string, unknown> }): void {
  if (typeof jsonSchema.pattern === "string" && typeof jsonSchema.format === "string") delete jsonSchema.format;
}

function moveRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(moveRefs);
  if (!value || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === "$ref" && typeof inner === "string" ? inner.replace(/^#\/\$defs\//, "#/components/schemas/") : moveRefs(inner),
    ]),
  );
}

export function buildOpenApi(info: OpenApiInfo, specs: readonly RouteSpec[], rules: DocumentRules): JsonSchema {
  const components: Record<string, JsonSchema> = {};
  const toSchema = schemaConverter(components);
  const problem = toSchema(problemSchema, "output");
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
        const { description, ...parameterSchema } = toSchema(fieldSchema, "input");
        parameters.push({
          name: where === "header" ? headerName(name) : name,
          in: where,
          required: where === "path" || !fieldSchema.safeParse(undefined).success,
          ...(description ? { description } : {}),
          schema: parameterSchema,
        });
      }
    }
    const operation: Record<string, unknown> = {
      operationId: spec.operationId,
      summary: spec.summary,
      tags: spec.tags,
      ...(parameters.length ? { parameters } : {}),
      ...(spec.auth === "public" ? { security: [] } : {}),
      ...(spec.auth === "admin" ? { "x-required-role": "admin" } : {}),
      responses: Object.fromEntries(
        Object.entries(documentedResponses(spec, rules)).map(([status, response]) => {
          const isProblem = Number(status) >= 400;
          const content =
            response.schema || isProblem
              ? {
                  content: {
                    [response.contentType ?? (isProblem ? "application/problem+json" : "application/json")]: {
                      schema: response.schema ? toSchema(response.schema, "output") : problem,
                    },
                  },
                }
              : {};
          return [status, { description: response.description, ...content, ...(response.links ? { links: response.links } : {}) }];
        }),
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
      schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
    },
    security: [{ bearer: [] }],
  };
}
