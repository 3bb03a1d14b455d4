/**
 * The agent process: config → logger → Redis → HTTP server (probes, metrics) → shutdown steps → agent.
 */
import { once } from "node:events";
import { createServer } from "node:http";
import express from "express";
import { ProbeState, answerClientErrors, closeHttpServer, createRegistry, probeRoutes } from "@folio/http-kit";
import { createShutdown, handleProcessErrors } from "@folio/lifecycle";
import { createLogger } from "@folio/logger";
import { connectRedis, startAgent, type Agent } from "./agent.js";
import { readConfig } from "./config.js";

const config = readConfig();
const logger = createLogger({ name: "agent", level: config.LOG_LEVEL });
const probes = new ProbeState();
const registry = createRegistry("agent");

const redis = connectRedis(config);
// ioredis reconnects by itself; without a listener each failed attempt would be an unhandled error.
redis.on("error", (error) => logger.warn({ err: error }, "redis connection error"));

const app = express();
app.disable("x-powered-by");
app.use(probeRoutes(probes, registry));
const server = answerClientErrors(createServer(app));

let agent: Agent | undefined;
const shutdown = createShutdown({
  logger,
  delayMs: config.SHUTDOWN_DELAY_MS,
  timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  onDrain: () => probes.markDraining(),
});
// An unhandled rejection is logged and counted, an uncaught exception drains and exits 1 (ADR 0020).
handleProcessErrors({ logger, shutdown, registry });
shutdown.add("tailer", () => agent?.stopTailing());
shutdown.add("shipper", async () => {
  await agent?.drain();
});
shutdown.add("offsets", () => agent?.saveOffsets());
shutdown.add("heartbeat", () => agent?.stopHeartbeat());
shutdown.add("http server", () => closeHttpServer(server));
shutdown.add("redis", async () => {
  await redis.quit().catch(() => redis.disconnect());
});

server.listen(config.AGENT_PORT, config.HOST);
await once(server, "listening");

try {
  agent = await startAgent({ config, logger, redis, registry });
  probes.markStarted();
} catch (error) {
  logger.fatal({ err: error, stateDir: config.STATE_DIR }, "the agent could not start");
  process.exit(1);
}
