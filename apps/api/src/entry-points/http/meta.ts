import { z } from "zod";
import { buildOpenApi, type ApiRouter } from "@folio/http-kit";
import type { AppDeps } from "../../deps.js";
import { flagsSchema } from "../../domain/flags.js";

export const API_INFO = {
  title: "Folio API",
  version: "1.0.0",
  description: "Articles, media, users and the public read API of Folio. Errors are RFC 9457 problem+json.",
};

export function registerMetaRoutes(api: ApiRouter, deps: AppDeps): void {
  api.add(
    {
      method: "get",
      path: "/v1/config/flags",
      operationId: "getFlags",
      summary: "The feature flags this API process currently sees (read-only)",
      tags: ["config"],
      auth: "public",
      responses: {
        200: {
          description: "flags, where they came from and when they were loaded",
          schema: z.object({
            flags: flagsSchema,
            source: z.string().nullable(),
            loadedAt: z.iso.datetime(),
            error: z.string().nullable().meta({ description: "why the file's current content was not applied" }),
          }),
        },
      },
    },
    (_input, _req, res) => {
      const snapshot = deps.flags.snapshot;
      res.setHeader("cache-control", "no-store").json({ ...snapshot, loadedAt: snapshot.loadedAt.toISOString() });
    },
  );

  let document: unknown;
  api.add(
    {
      method: "get",
      path: "/v1/openapi.json",
      operationId: "getOpenApi",
      summary: "This document",
      tags: ["meta"],
      auth: "public",
      responses: { 200: { description: "OpenAPI 3.1 document", schema: z.record(z.string(), z.unknown()) } },
    },
    (_input, _req, res) => {
      // Built on first request, when every route has been registered.
      document ??= buildOpenApi(API_INFO, api.specs);
      res.json(document);
    },
  );
}
