/**
 * The web server process: config → logger → app → listen → shutdown.
 * It serves the files that `vite build` wrote to dist/client, next to this compiled file's folder.
 */
import { once } from "node:events";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { ProbeState, answerClientErrors, closeHttpServer, createRegistry } from "@folio/http-kit";
import { createShutdown, handleProcessErrors } from "@folio/lifecycle";
import { createLogger } from "@folio/logger";
import { createApp } from "./app.js";
import { readConfig } from "./config.js";

const config = readConfig();
const logger = createLogger({ name: "web", level: config.LOG_LEVEL });
const probes = new ProbeState();
const registry = createRegistry("web");
const staticDir = fileURLToPath(new URL("../client/", import.meta.url));
if (!existsSync(`${staticDir}index.html`)) {
  logger.fatal({ staticDir }, "the built site is missing: run `pnpm --filter @folio/web build` first");
  process.exit(1);
}

const app = createApp({ config, logger, probes, registry, staticDir });
const server = answerClientErrors(createServer(app));
// Longer than the ingress's idle timeout, so the proxy, not Node, closes idle keep-alive connections.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

const shutdown = createShutdown({
  logger,
  delayMs: config.SHUTDOWN_DELAY_MS,
  timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  onDrain: () => probes.markDraining(),
});
// An unhandled rejection is logged and counted, an uncaught exception drains and exits 1 (ADR 0020).
handleProcessErrors({ logger, shutdown, registry });
shutdown.add("http server", () => closeHttpServer(server));

server.listen(config.PORT, config.HOST);
await once(server, "listening");
probes.markStarted();
logger.info({ port: config.PORT, apiUrl: config.API_URL }, "web listening");
