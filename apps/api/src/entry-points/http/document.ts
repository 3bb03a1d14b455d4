/**
 * The OpenAPI document from the route declarations alone: no server, no client, no configuration. `node
 * dist/openapi.js` writes it for the web app's generated types; GET /v1/openapi.json serves the one built from the
 * routes the app mounted, and apps/api/test/openapi.test.ts checks that the two are the same.
 */
import { buildOpenApi, type RouteSpec } from "@folio/http-kit";
import { adminRoutes } from "./admin.js";
import { articleRoutes } from "./articles.js";
import { authRoutes } from "./auth.js";
import { mediaRoutes } from "./media.js";
import { API_INFO, DOCUMENT_RULES, metaRoutes } from "./meta.js";
import { publicRoutes } from "./public.js";
import { userRoutes } from "./users.js";

/** Every route of the API, in the order app.ts registers them. */
export const routeSpecs: readonly RouteSpec[] = [publicRoutes, authRoutes, userRoutes, articleRoutes, mediaRoutes, metaRoutes, adminRoutes].flatMap(
  (routes) => Object.values(routes),
);

export function openApiDocument(): Record<string, unknown> {
  return buildOpenApi(API_INFO, routeSpecs, DOCUMENT_RULES);
}
