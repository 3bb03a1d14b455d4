/**
 * The agent's parts, wired: the tailer reads lines into the shipper, the shipper sends them to Redis and
 * hands back what Redis acknowledged, and only those positions are saved. The heartbeat reports on all of it.
 * main.ts builds the clients and calls startAgent; tests call it with their own directories and Redis.
 */
import { Redis } from "ioredis";
import { prometheus } from "@folio/http-kit";
import type { Logger } from "@folio/logger";
import type { AgentConfig } from "./config.js";
import { Heartbeat } from "./heartbeat.js";
import { OffsetStore } from "./offsets.js";
import { Shipper } from "./shipper.js";
import { Tailer, type TailedLine } from "./tailer.js";

export interface AgentDeps {
  config: AgentConfig;
  logger: Logger;
  redis: Redis;
  registry: prometheus.Registry;
}

export interface Agent {
  readonly tailer: Tailer;
  readonly shipper: Shipper<TailedLine>;
  readonly offsets: OffsetStore;
  /** Stops reading files; resolves when the read in progress is done. */
  stopTailing(): Promise<void>;
  /** Ships what is buffered, for at most SHIP_FLUSH_TIMEOUT_MS; true when nothing is left. */
  drain(): Promise<boolean>;
  /** Saves the acknowledged positions. */
  saveOffsets(): Promise<void>;
  stopHeartbeat(): Promise<void>;
  /** All four, in that order: what SIGTERM does. */
  stop(): Promise<void>;
}

/**
 * The agent's Redis connection. It fails fast and leaves retrying to the shipper: with no offline queue a
 * command fails at once while Redis is away, and the lines wait in their files on disk, not in ioredis's memory.
 */
export function connectRedis(config: Pick<AgentConfig, "REDIS_URL" | "REDIS_COMMAND_TIMEOUT_MS">): Redis {
  return new Redis(config.REDIS_URL, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: config.REDIS_COMMAND_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
}

/** Loads the saved offsets and starts tailing, shipping and the heartbeat. */
export async function startAgent({ config, logger, redis, registry }: AgentDeps): Promise<Agent> {
  const counters = createCounters(registry);
  const offsets = new OffsetStore(config.STATE_DIR, logger);
  const saved = await offsets.load();

  let saveFailing = false;
  const saveOffsets = async () => {
    try {
      await offsets.save(tailer.positions());
      saveFailing = false;
    } catch (error) {
      // The lines are in Redis; a restart would only send them again.
      if (!saveFailing) logger.warn({ err: error, path: offsets.path }, "saving the offsets failed");
      saveFailing = true;
    }
  };

  const shipper = new Shipper<TailedLine>(
    redis,
    {
      batchSize: config.SHIP_BATCH_SIZE,
      intervalMs: config.SHIP_INTERVAL_MS,
      maxBuffered: config.MAX_BUFFERED_LINES,
      retryMaxMs: config.SHIP_RETRY_MAX_MS,
      maxLen: config.LOG_STREAM_MAXLEN,
    },
    (batch) => {
      tailer.acknowledge(batch);
      void saveOffsets();
    },
    logger,
    { shipped: counters.shipped, errors: counters.shipErrors },
  );
  const tailer = new Tailer(
    {
      logDir: config.LOG_DIR,
      node: config.NODE_NAME,
      namespaces: config.WATCH_NAMESPACES,
      podPrefixes: config.WATCH_POD_PREFIXES,
      messageMaxBytes: config.MESSAGE_MAX_BYTES,
      pollIntervalMs: config.POLL_INTERVAL_MS,
    },
    saved,
    shipper,
    logger,
    { malformed: counters.malformed },
  );
  const heartbeat = new Heartbeat(
    redis,
    { node: config.NODE_NAME, agentVersion: config.AGENT_VERSION, ttlSeconds: config.HEARTBEAT_TTL_SECONDS },
    () => ({ lastShippedAt: shipper.lastShippedAt, filesTailed: tailer.filesTailed, lagBytes: tailer.lagBytes }),
    logger,
  );
  registerGauges(registry, tailer, shipper);

  tailer.start();
  shipper.start();
  heartbeat.start();
  logger.info({ node: config.NODE_NAME, logDir: config.LOG_DIR, restoredFiles: saved.length }, "agent started");

  const agent: Agent = {
    tailer,
    shipper,
    offsets,
    stopTailing: () => tailer.stop(),
    async drain() {
      const drained = await shipper.flush(config.SHIP_FLUSH_TIMEOUT_MS);
      if (!drained) logger.warn({ buffered: shipper.buffered }, "lines left unshipped at shutdown; they will be read again at the next start");
      return drained;
    },
    saveOffsets,
    stopHeartbeat: () => heartbeat.stop(),
    async stop() {
      await agent.stopTailing();
      await agent.drain();
      await agent.saveOffsets();
      await agent.stopHeartbeat();
    },
  };
  return agent;
}

function createCounters(registry: prometheus.Registry) {
  const registers = [registry];
  return {
    shipped: new prometheus.Counter({ name: "folio_agent_lines_shipped_total", help: "Lines Redis acknowledged", registers }),
    malformed: new prometheus.Counter({ name: "folio_agent_malformed_lines_total", help: "Lines not in the CRI format, skipped", registers }),
    shipErrors: new prometheus.Counter({ name: "folio_agent_ship_errors_total", help: "Failed attempts to ship a batch", registers }),
  };
}

function registerGauges(registry: prometheus.Registry, tailer: Tailer, shipper: Shipper<TailedLine>): void {
  const gauge = (name: string, help: string, read: () => number) =>
    new prometheus.Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge("folio_agent_files_tailed", "Log files being followed", () => tailer.filesTailed);
  gauge("folio_agent_lag_bytes", "Bytes in the followed files that Redis has not acknowledged yet", () => tailer.lagBytes);
  gauge("folio_agent_buffered_lines", "Lines read and waiting to be shipped", () => shipper.buffered);
}
