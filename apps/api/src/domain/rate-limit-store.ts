/**
 * An express-rate-limit store that every API replica shares through Redis, so a limit holds for the whole
 * Deployment: with per-process counters, three replicas behind one Service would allow three times the attempts.
 *
 * Fixed windows: the first hit of a window creates the counter with the window as its TTL, in the same script
 * that increments it, so no counter can be left without a TTL (which would block that client for good).
 *
 * When Redis fails, each replica counts on its own (express-rate-limit's MemoryStore) until Redis answers
 * again: the limit degrades to per replica rather than failing open (no limit at all) or closed (no logins).
 * See docs/adr/0016-login-rate-limit-in-redis.md.
 */
import type { Redis } from "ioredis";
import { MemoryStore, type ClientRateLimitInfo, type Options, type Store } from "express-rate-limit";
import { isRedisUnavailable } from "@folio/config";
import type { Logger } from "@folio/logger";

const INCREMENT_SCRIPT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {hits, redis.call('PTTL', KEYS[1])}
`;

// Only a live, positive counter goes down: never create a key, and never go below zero.
const DECREMENT_SCRIPT = `
local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
if hits > 0 then return redis.call('DECR', KEYS[1]) end
return 0
`;

interface RateLimitCommands {
  folioRateLimitIncrement(key: string, windowMs: number): Promise<[number, number]>;
  folioRateLimitDecrement(key: string): Promise<number>;
}

export class SharedRateLimitStore implements Store {
  /** Counters live in Redis, so another replica's hits count here too. */
  readonly localKeys = false;
  readonly #fallback = new MemoryStore();
  readonly #commands: RateLimitCommands;
  #windowMs = 60_000;
  #degraded = false;

  constructor(
    private readonly redis: Redis,
    readonly prefix: string,
    private readonly logger: Logger,
  ) {
    redis.defineCommand("folioRateLimitIncrement", { numberOfKeys: 1, lua: INCREMENT_SCRIPT });
    redis.defineCommand("folioRateLimitDecrement", { numberOfKeys: 1, lua: DECREMENT_SCRIPT });
    this.#commands = redis as unknown as RateLimitCommands;
  }

  init(options: Options): void {
    this.#windowMs = options.windowMs;
    this.#fallback.init(options);
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    try {
      const [totalHits, ttlMs] = await this.#commands.folioRateLimitIncrement(this.prefix + key, this.#windowMs);
      this.#recovered();
      return { totalHits, resetTime: new Date(Date.now() + Math.max(ttlMs, 0)) };
    } catch (error) {
      this.#failed(error);
      return this.#fallback.increment(key);
    }
  }

  async decrement(key: string): Promise<void> {
    try {
      await this.#commands.folioRateLimitDecrement(this.prefix + key);
    } catch (error) {
      this.#failed(error);
      await this.#fallback.decrement(key);
    }
  }

  async resetKey(key: string): Promise<void> {
    await this.#fallback.resetKey(key);
    try {
      await this.redis.del(this.prefix + key);
    } catch (error) {
      this.#failed(error);
    }
  }

  /** One warning when Redis fails and one line when it is back, not one per request. */
  #failed(error: unknown): void {
    if (this.#degraded) return;
    this.#degraded = true;
    // A script Redis refused is a bug, not an outage: the fallback still counts, but it must be seen.
    if (isRedisUnavailable(error)) this.logger.warn({ err: error }, "rate limit counters unavailable in redis; counting in this process until it answers");
    else this.logger.error({ err: error }, "redis refused a rate limit command; counting in this process until it answers");
  }

  #recovered(): void {
    if (!this.#degraded) return;
    this.#degraded = false;
    this.logger.info("rate limit counters back in redis");
  }
}
