/**
 * The node's heartbeat: the key folio:nodes:<node> with a TTL, rewritten every third of it, so that two
 * missed beats in a row are tolerated and a node whose agent stopped drops out of GET /v1/admin/nodes within
 * HEARTBEAT_TTL_SECONDS. The key is not deleted on a graceful stop either: it expires, so during a rolling
 * update the node stays listed across the few seconds between the old pod and the new one.
 */
import type { Redis } from "ioredis";
import type { Logger } from "@folio/logger";
import { writeHeartbeat } from "@folio/node-logs";

export interface HeartbeatOptions {
  node: string;
  agentVersion: string;
  ttlSeconds: number;
}

export interface HeartbeatStats {
  lastShippedAt: Date | undefined;
  filesTailed: number;
  lagBytes: number;
}

export class Heartbeat {
  readonly #startedAt = new Date();
  #timer: NodeJS.Timeout | undefined;
  #beating: Promise<void> | undefined;
  #failing = false;
  // Beat as soon as the connection is (re)established, rather than up to a third of the TTL later.
  readonly #onReady = () => void this.beat();

  constructor(
    private readonly redis: Redis,
    private readonly options: HeartbeatOptions,
    private readonly stats: () => HeartbeatStats,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.redis.on("ready", this.#onReady);
    this.#timer = setInterval(() => void this.beat(), (this.options.ttlSeconds * 1000) / 3);
    if (this.redis.status === "ready") void this.beat();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.redis.off("ready", this.#onReady);
    await this.#beating;
  }

  /** Writes the heartbeat once; a failure is logged (once per outage) and the next beat tries again. */
  beat(): Promise<void> {
    this.#beating ??= this.#write().finally(() => (this.#beating = undefined));
    return this.#beating;
  }

  async #write(): Promise<void> {
    const { lastShippedAt, filesTailed, lagBytes } = this.stats();
    try {
      await writeHeartbeat(
        this.redis,
        {
          node: this.options.node,
          agentVersion: this.options.agentVersion,
          startedAt: this.#startedAt.toISOString(),
          sentAt: new Date().toISOString(),
          lastShippedAt: lastShippedAt?.toISOString() ?? null,
          filesTailed,
          lagBytes,
        },
        this.options.ttlSeconds,
      );
      if (this.#failing) this.logger.info("heartbeat written again");
      this.#failing = false;
    } catch (error) {
      if (!this.#failing) this.logger.warn({ err: error }, "writing the heartbeat failed; retrying");
      this.#failing = true;
    }
  }
}
