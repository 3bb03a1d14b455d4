/**
 * Builds the Express app that serves the built site from its dependencies. Nothing here listens or reads
 * the environment, so tests build it over a directory of their own and call it on port 0.
 *
 * Routing, in order: probes and metrics; /config.js (the runtime settings); hashed assets; other built files;
 * then every other GET is a client route and gets index.html, which the React router renders (including its
 * own "page not found"). A path that looks like a file (its last segment has an extension) and was not found
 * above is a real 404, so a browser asking for a chunk that a deploy removed gets an error, not HTML.
 */
import { join } from "node:path";
import express from "express";
import { httpMetrics, probeRoutes, type ProbeState, type createRegistry } from "@folio/http-kit";
import { createHttpLogger, type Logger } from "@folio/logger";
import type { WebConfig } from "./config.js";
import { runtimeConfigScript } from "./runtime-config.js";
import { securityHeaders } from "./security.js";
import { REVALIDATE, assets, rootFiles } from "./static-files.js";

export interface WebAppDeps {
  config: Pick<WebConfig, "API_URL" | "MEDIA_ORIGINS">;
  logger: Logger;
  probes: ProbeState;
  registry: ReturnType<typeof createRegistry>;
  /** The Vite build output: index.html, assets/, and the files copied from public/. */
  staticDir: string;
}

const LOOKS_LIKE_A_FILE = /\/[^/]*\.[A-Za-z0-9]+$/;

export function createApp({ config, logger, probes, registry, staticDir }: WebAppDeps): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", "strong");

  app.use(probeRoutes(probes, registry));
  app.use(createHttpLogger(logger));
  app.use(httpMetrics(registry));
  app.use(securityHeaders({ apiUrl: config.API_URL, mediaOrigins: config.MEDIA_ORIGINS }));

  const configScript = runtimeConfigScript({ apiUrl: config.API_URL });
  app.get("/config.js", (_req, res) => {
    res.type("text/javascript").setHeader("cache-control", REVALIDATE).send(configScript);
  });

  app.use("/assets", ...assets(join(staticDir, "assets")));
  app.use(rootFiles(staticDir));

  const indexHtml = join(staticDir, "index.html");
  app.use((req, res, next) => {
    const isPage = (req.method === "GET" || req.method === "HEAD") && !req.path.startsWith("/assets/") && !LOOKS_LIKE_A_FILE.test(req.path);
    if (!isPage) return next();
    res.setHeader("cache-control", REVALIDATE);
    res.sendFile(indexHtml, (error) => {
      if (error) next(error);
    });
  });

  app.use((_req, res) => {
    res.status(404).type("text/plain").send("Not found\n");
  });
  return app;
}
