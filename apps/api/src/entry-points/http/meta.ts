import { z } from "zod";
import { buildOpenApi, type ApiRouter, type DocumentRules, type RouteSpec } from "@folio/http-kit";
import type { AppDeps } from "../../deps.js";
import { flagsSchema } from "../../domain/flags.js";

export const API_INFO = {
  title: "Folio API",
  version: "1.0.0",
  description: "Articles, media, users and the public read API of Folio. Errors are RFC 9457 problem+json.",
};

/**
 * What the document derives from the route declarations besides their shapes (see documentedResponses in
 * @folio/http-kit): the 503 of each service a route `uses`, as app.ts and the routes classify its failures.
 */
export const DOCUMENT_RULES: DocumentRules = {
  dependencies: {
    postgres: { code: "database_unavailable", description: "PostgreSQL" },
    redis: { code: "redis_unavailable", description: "Redis, which holds the node heartbeats and logs" },
    storage: { code: "storage_unavailable", description: "object storage" },
    queue: {
      code: "queue_unavailable",
      description: "the job queue: the image is stored and will be processed once the queue is back; the problem carries its mediaId",
    },
  },
  // authenticate() loads the token's user from PostgreSQL on every request, so a role change applies at once.
  authUses: { user: ["postgres"], admin: ["postgres"] },
};

/** Flags and this document, as data. */
export const metaRoutes = {
  getFlags: {
    method: "get",
    path: "/v1/config/flags",
    operationId: "getFlags",
    summary: "The feature flags this API process currently sees (read-only)",
    tags: ["config"],
    auth: "public",
    responses: {
      200: {
        description: "flags, where they came from and when they were loaded",
        schema: z
          .object({
            flags: flagsSchema,
            source: z.string().nullable(),
            loadedAt: z.iso.datetime(),
            error: z.string().nullable().meta({ description: "why the file's current content was not applied" }),
          })
          .meta({ id: "FlagsSnapshot" }),
      },
    },
  },
  getOpenApi: {
    method: "get",
    path: "/v1/openapi.json",
    operationId: "getOpenApi",
    summary: "This document",
    tags: ["meta"],
    auth: "public",
    responses: { 200: { description: "OpenAPI 3.1 document", schema: z.record(z.string(), z.unknown()) } },
  },
} satisfies Record<string, RouteSpec>;

export function registerMetaRoutes(api: ApiRouter, deps: AppDeps): void {
  api.add(
    metaRoutes.getFlags,
    (_input, _req, res) => {
      const snapshot = deps.flags.snapshot;
      res.setHeader("cache-control", "no-store").json({ ...snapshot, loadedAt: snapshot.loadedAt.toISOString() });
    },
  );

  let document: unknown;
  api.add(
    metaRoutes.getOpenApi,
    (_input, _req, res) => {
      // Built on first request, when every route has been registered.
      document ??= buildOpenApi(API_INFO, api.specs, DOCUMENT_RULES);
      res.json(document);
    },
  );
}
