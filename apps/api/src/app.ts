/**
 * Builds the Express app from its dependencies. No I/O happens here, so tests build it with their own
 * pools and clients and drive it with supertest.
 */
import express, { type RequestHandler } from "express";
import { isDatabaseUnavailable, poolStats } from "@folio/db";
import {
  AppError,
  ApiRouter,
  errorHandler,
  httpMetrics,
  notFoundHandler,
  probeRoutes,
  prometheus,
  type ErrorClassifier,
} from "@folio/http-kit";
import { createHttpLogger } from "@folio/logger";
import { registerQueueDepthGauge } from "@folio/queue";
import { isStorageUnavailable } from "@folio/storage";
import type { AppDeps } from "./deps.js";
import { Idempotency } from "./domain/idempotency.js";
import { PublicCache } from "@folio/cache";
import { createTokenService } from "./domain/tokens.js";
import { registerAdminRoutes } from "./entry-points/http/admin.js";
import { registerArticleRoutes } from "./entry-points/http/articles.js";
import { authenticate, registerAuthRoutes, requireAdmin } from "./entry-points/http/auth.js";
import { registerMediaRoutes } from "./entry-points/http/media.js";
import { registerMetaRoutes } from "./entry-points/http/meta.js";
import { registerPublicRoutes } from "./entry-points/http/public.js";
import { registerUserRoutes } from "./entry-points/http/users.js";

export interface App {
  app: express.Express;
  router: ApiRouter;
}

const classifyDependencyErrors: ErrorClassifier = (error) => {
  if (isStorageUnavailable(error)) {
    return new AppError("storage_unavailable", 503, "Object storage is unavailable; retry shortly.", {
      cause: error,
      headers: { "retry-after": "5" },
    });
  }
  if (isDatabaseUnavailable(error)) {
    return new AppError("database_unavailable", 503, "The database is unavailable; retry shortly.", {
      cause: error,
      headers: { "retry-after": "5" },
    });
  }
  return undefined;
};

export function createApp(deps: AppDeps): App {
  const { config, logger, registry } = deps;
  const app = express();
  app.disable("x-powered-by");
  // Express would hash every response body for a weak ETag; articles carry their own version ETags instead.
  app.set("etag", false);
  // Whose X-Forwarded-For to believe (the ingress controller), so req.ip is the client for rate limiting.
  app.set("trust proxy", config.TRUST_PROXY);
  app.set("query parser", "simple"); // no nested objects from ?a[b]=c

  registerCollectors(deps);
  // Probes and scrapes first: they need no access log, metrics or CORS, and kubelets call them often.
  app.use(probeRoutes(deps.probes, registry));
  app.use(createHttpLogger(logger));
  app.use(httpMetrics(registry));
  app.use(responseHeaders(config.CORS_ORIGINS));

  const tokens = createTokenService(config.JWT_SECRET, config.JWT_TTL_SECONDS);
  const authed = authenticate(deps, tokens);
  // Routes go straight onto the app, after the middleware above: no nested router on the way to each handler.
  const router = new ApiRouter({ auth: { public: [], user: [authed], admin: [authed, requireAdmin] }, jsonLimit: config.BODY_LIMIT_BYTES }, app);
  const idempotency = new Idempotency(deps.pool, config.IDEMPOTENCY_TTL_SECONDS);
  const cache = new PublicCache(
    deps.cache,
    deps.cacheSubscriber,
    { ttlSeconds: config.PUBLIC_CACHE_TTL_SECONDS, localEntries: config.PUBLIC_CACHE_LOCAL_ENTRIES },
    logger,
    registry,
  );

  // The public reads are the hot path: registered first, Express finds them without testing the other routes.
  registerPublicRoutes(router, deps, cache);
  registerAuthRoutes(router, deps, tokens);
  registerUserRoutes(router, deps, idempotency);
  registerArticleRoutes(router, deps, idempotency, cache);
  registerMediaRoutes(router, deps, idempotency, cache);
  registerMetaRoutes(router, deps);
  registerAdminRoutes(router, deps);

  app.use(notFoundHandler);
  app.use(errorHandler({ logger, classifiers: [classifyDependencyErrors] }));
  return { app, router };
}

/**
 * Security headers on every response, and CORS for the configured browser origins (the web site lives on
 * another host than the API). One middleware rather than two: this runs on every request.
 */
function responseHeaders(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  return (req, res, next) => {
    res.setHeader("x-content-type-options", "nosniff");
    res.setHeader("referrer-policy", "no-referrer");
    res.setHeader("cross-origin-resource-policy", "cross-origin"); // images are embedded by the site's origin
    res.setHeader("vary", "origin");
    const origin = req.headers.origin;
    if (origin && allowed.has(origin)) {
      res.setHeader("access-control-allow-origin", origin);
      res.setHeader("access-control-expose-headers", "etag, location, x-request-id, retry-after, idempotent-replayed, x-cache");
      if (req.method === "OPTIONS") {
        res.setHeader("access-control-allow-methods", "GET, POST, PATCH, DELETE");
        res.setHeader("access-control-allow-headers", "authorization, content-type, if-match, idempotency-key, x-request-id");
        res.setHeader("access-control-max-age", "600");
        res.status(204).end();
        return;
      }
    }
    next();
  };
}

function registerCollectors(deps: AppDeps): void {
  const { registry, pool, mediaQueue } = deps;
  new prometheus.Gauge({
    name: "folio_db_pool_connections",
    help: "PostgreSQL pool connections by state",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      const stats = poolStats(pool);
      this.set({ state: "total" }, stats.total);
      this.set({ state: "idle" }, stats.idle);
      this.set({ state: "waiting" }, stats.waiting);
    },
  });
  registerQueueDepthGauge(registry, mediaQueue);
}
