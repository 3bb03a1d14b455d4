/**
 * Test fixtures: a temporary directory laid out like the kubelet's /var/log/pods, CRI lines, agents started
 * against the run's real Redis, and a way to read back what a given node shipped.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { appendFileSync, mkdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import type { Redis } from "ioredis";
import { createRegistry, type prometheus } from "@folio/http-kit";
import { createLogger, type Logger } from "@folio/logger";
import { LOG_STREAM_KEY, fromFields, type StoredLogEntry } from "@folio/node-logs";
import { connectRedis, startAgent, type Agent } from "../src/agent.js";
import { parseAgentConfig, type AgentConfig } from "../src/config.js";

/** Logs go nowhere unless FOLIO_TEST_LOGS=1. */
export const testLogger: Logger = createLogger(
  { name: "agent-test", level: process.env.FOLIO_TEST_LOGS ? "debug" : "silent" },
  process.env.FOLIO_TEST_LOGS ? undefined : new Writable({ write: (_c, _e, done) => done() }),
);

/** A node name no other test uses, so each test reads back only its own entries. */
export const uniqueNode = () => `node-${randomBytes(4).toString("hex")}`;

export interface CriOptions {
  stream?: "stdout" | "stderr";
  tag?: "P" | "F";
  time?: string;
}

/** One line as containerd writes it, with its newline. */
export function cri(message: string, { stream = "stdout", tag = "F", time = new Date().toISOString() }: CriOptions = {}): string {
  return `${time} ${stream} ${tag} ${message}\n`;
}

/** A temporary /var/log/pods and a state directory, removed by dispose(). */
export class Workspace {
  private constructor(readonly root: string) {}

  static async create(): Promise<Workspace> {
    return new Workspace(await mkdtemp(join(tmpdir(), "folio-agent-")));
  }

  get logDir(): string {
    return join(this.root, "pods");
  }

  get stateDir(): string {
    return join(this.root, "state");
  }

  /** The directory of one container of a pod, created; its log files are `<n>.log` inside. */
  container(namespace: string, pod: string, container: string, uid: string = randomUUID()): string {
    const dir = join(this.logDir, `${namespace}_${pod}_${uid}`, container);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Appends synchronously, so a test's writes and renames happen between two of the agent's polls. */
  append(file: string, ...lines: string[]): void {
    appendFileSync(file, lines.join(""));
  }

  dispose(): Promise<void> {
    return rm(this.root, { recursive: true, force: true });
  }
}

export interface TestAgent {
  agent: Agent;
  config: AgentConfig;
  registry: prometheus.Registry;
  redis: Redis;
  stop(): Promise<void>;
}

/** Starts an agent with short intervals; stop() stops it the way SIGTERM does and closes its connection. */
export async function startTestAgent(workspace: Workspace, redisUrl: string, env: Record<string, string>, logger: Logger = testLogger): Promise<TestAgent> {
  const config = parseAgentConfig({
    LOG_DIR: workspace.logDir,
    STATE_DIR: workspace.stateDir,
    REDIS_URL: redisUrl,
    POLL_INTERVAL_MS: "50",
    SHIP_INTERVAL_MS: "50",
    SHIP_RETRY_MAX_MS: "200",
    SHIP_FLUSH_TIMEOUT_MS: "2000",
    ...env,
  });
  const redis = connectRedis(config);
  redis.on("error", () => {});
  const registry = createRegistry("agent-test");
  const agent = await startAgent({ config, logger, redis, registry });
  let stopped: Promise<void> | undefined;
  return {
    agent,
    config,
    registry,
    redis,
    stop: () =>
      (stopped ??= agent.stop().finally(() => {
        redis.disconnect();
      })),
  };
}

/** Everything `node` shipped, oldest first. */
export async function shippedBy(redis: Redis, node: string): Promise<StoredLogEntry[]> {
  const rows = await redis.xrange(LOG_STREAM_KEY, "-", "+");
  return rows.flatMap(([id, fields]) => {
    const entry = fromFields(fields);
    return entry?.node === node ? [{ id, ...entry }] : [];
  });
}

/** The messages of `node`'s entries, oldest first. */
export async function messagesFrom(redis: Redis, node: string): Promise<string[]> {
  return (await shippedBy(redis, node)).map((entry) => entry.message);
}

export const numbered = (prefix: string, from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix} ${from + i}`);

export async function metricValue(registry: prometheus.Registry, name: string): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  return (await metric.get()).values[0]?.value ?? 0;
}
