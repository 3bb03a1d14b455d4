/**
 * Every setting of the agent, from environment variables. This is the only module that reads process.env.
 * The table in apps/agent/README.md is this schema's documentation; keep both in step.
 */
import { csv, loadConfig, nonNegativeInt, parseConfig, port, positiveInt, serviceSchema, url, z } from "@folio/config";

export const configSchema = z
  .object({
    ...serviceSchema,
    // No Service routes traffic to the agent, so there are no endpoints to update before it stops.
    SHUTDOWN_DELAY_MS: nonNegativeInt(0).describe("after SIGTERM, wait this long before stopping (nothing routes to the agent)"),
    NODE_NAME: z.string().min(1).describe("the node this agent runs on (the downward API's spec.nodeName)"),
    AGENT_VERSION: z.string().min(1).default("dev").describe("version reported in the heartbeat (the chart passes the image tag)"),
    HOST: z.string().default("0.0.0.0").describe("address for /healthz, /readyz and /metrics"),
    AGENT_PORT: port(8082).describe("port for /healthz, /readyz and /metrics"),
    REDIS_URL: url(["redis", "rediss"]).describe("Redis (or Valkey) that holds the log stream and the heartbeats"),
    REDIS_COMMAND_TIMEOUT_MS: positiveInt(5_000).describe("a Redis command slower than this fails and is retried"),
    LOG_DIR: z.string().min(1).default("/var/log/pods").describe("the kubelet's pod log directory, mounted read-only"),
    STATE_DIR: z.string().min(1).describe("where the file offsets are kept across restarts (a hostPath directory)"),
    WATCH_NAMESPACES: csv().describe("comma-separated namespaces whose pods are tailed; empty for all"),
    WATCH_POD_PREFIXES: csv().describe("comma-separated pod-name prefixes that are tailed; empty for all"),
    POLL_INTERVAL_MS: positiveInt(1_000).describe("how often the log directory and files are checked for new lines"),
    SHIP_BATCH_SIZE: positiveInt(500).describe("most lines per pipelined batch of XADDs"),
    SHIP_INTERVAL_MS: positiveInt(1_000).describe("longest wait before a batch smaller than SHIP_BATCH_SIZE is shipped"),
    SHIP_RETRY_MAX_MS: positiveInt(30_000).describe("longest wait between attempts while Redis is unavailable"),
    SHIP_FLUSH_TIMEOUT_MS: positiveInt(5_000).describe("after SIGTERM, how long to keep shipping buffered lines"),
    MAX_BUFFERED_LINES: positiveInt(10_000).describe("lines read but not yet shipped; reading pauses at this many"),
    MESSAGE_MAX_BYTES: positiveInt(8_192).describe("longer messages are cut to this many bytes and marked as truncated"),
    LOG_STREAM_MAXLEN: positiveInt(50_000).describe("about how many entries the Redis stream keeps (XADD MAXLEN ~)"),
    HEARTBEAT_TTL_SECONDS: positiveInt(15).describe("lifetime of the node's heartbeat key; it is refreshed every third of it"),
  })
  .refine(({ SHIP_FLUSH_TIMEOUT_MS: flush, SHUTDOWN_TIMEOUT_MS: deadline }) => !Number.isInteger(flush) || !Number.isInteger(deadline) || flush < deadline, {
    message: "must be shorter than SHUTDOWN_TIMEOUT_MS, so saving the offsets still fits before the deadline",
    path: ["SHIP_FLUSH_TIMEOUT_MS"],
    // Check even when other settings are invalid, so the operator sees every problem at once.
    when: () => true,
  });

export type AgentConfig = z.output<typeof configSchema>;

export const readConfig = (env: Record<string, string | undefined> = process.env): AgentConfig => loadConfig(configSchema, env);
export const parseAgentConfig = (env: Record<string, string | undefined>): AgentConfig => parseConfig(configSchema, env);
