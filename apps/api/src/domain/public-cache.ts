/**
 * Read-through cache for the public API in Redis. Invalidation by generation: every cache key contains the
 * current generation number, and a change increments it, which orphans every cached page and article at once
 * (they expire by TTL). Correct for lists, whose membership any change can alter, with one INCR per write.
 *
 * Redis is an accelerator here, never a dependency: any Redis error or slow command (commandTimeout) falls
 * back to Postgres. If an invalidation cannot reach Redis, this process bypasses the cache until a later
 * invalidation succeeds, so it never serves what it knows may be stale. See docs/adr/0005-public-cache.md.
 */
import type { Redis } from "ioredis";
import type { Logger } from "@folio/logger";
import { prometheus } from "@folio/http-kit";

const GENERATION_KEY = "folio:public:generation";

// One round trip for a hit: read the generation and the entry under it.
const READ_SCRIPT = `
local generation = redis.call('GET', KEYS[1]) or '0'
local value = redis.call('GET', ARGV[1] .. generation .. ':' .. ARGV[2])
return {generation, value}
`;

export type CacheSource = "hit" | "miss" | "bypass";

export class PublicCache {
  #pendingInvalidation = false;
  readonly #lookups: prometheus.Counter<"result">;

  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
    private readonly logger: Logger,
    registry: prometheus.Registry,
  ) {
    this.#lookups = new prometheus.Counter({
      name: "folio_public_cache_lookups_total",
      help: "Public read cache lookups by result (hit, miss, bypass when Redis is unavailable)",
      labelNames: ["result"],
      registers: [registry],
    });
    redis.defineCommand("folioCacheRead", { numberOfKeys: 1, lua: READ_SCRIPT });
  }

  /** Returns the cached JSON text for `key`, or loads, caches and returns it. `undefined` from load is not cached. */
  async read(key: string, load: () => Promise<string | undefined>): Promise<{ json: string | undefined; source: CacheSource }> {
    let generation: string | undefined;
    try {
      if (this.#pendingInvalidation) await this.invalidate();
      if (!this.#pendingInvalidation) {
        const [gen, value] = (await (this.redis as unknown as CacheCommands).folioCacheRead(GENERATION_KEY, "folio:public:", key)) as [
          string,
          string | null,
        ];
        if (value !== null) {
          this.#lookups.inc({ result: "hit" });
          return { json: value, source: "hit" };
        }
        generation = gen;
      }
    } catch (error) {
      this.logger.warn({ err: error }, "public cache unavailable, reading from postgres");
    }
    const json = await load();
    if (generation === undefined) {
      this.#lookups.inc({ result: "bypass" });
      return { json, source: "bypass" };
    }
    this.#lookups.inc({ result: "miss" });
    if (json !== undefined) {
      // A write between our read and this set bumped the generation, so this entry is simply never read.
      this.redis.set(`folio:public:${generation}:${key}`, json, "EX", this.ttlSeconds).catch((error: unknown) => {
        this.logger.warn({ err: error }, "could not fill the public cache");
      });
    }
    return { json, source: "miss" };
  }

  /** Called after every committed change that the public API can see. Never throws. */
  async invalidate(): Promise<void> {
    try {
      await this.redis.incr(GENERATION_KEY);
      this.#pendingInvalidation = false;
    } catch (error) {
      this.#pendingInvalidation = true;
      this.logger.warn({ err: error }, "could not invalidate the public cache; bypassing it until Redis answers");
    }
  }
}

interface CacheCommands {
  folioCacheRead(key: string, prefix: string, suffix: string): Promise<unknown>;
}
