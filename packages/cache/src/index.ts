/**
 * Read-through cache for the public API, in two tiers:
 *   1. Redis, shared by every API replica. Invalidation by generation: every key contains the current
 *      generation number and a change increments it, which orphans every cached page and article at once
 *      (they expire by TTL). Correct for lists, whose membership any change can alter, with one INCR per write.
 *   2. A small in-process LRU in each replica, so a hit costs no network round trip. It is only used while
 *      this replica's subscription to the invalidation channel is up: every INCR is PUBLISHed, and a replica
 *      that may have missed a message (its subscriber connection dropped) empties and disables its tier
 *      until it is subscribed again and has re-read the generation.
 *
 * Redis is an accelerator here, never a dependency: any Redis error or slow command (commandTimeout) falls
 * back to Postgres. If an invalidation cannot reach Redis, this process bypasses both tiers until a later
 * invalidation succeeds, so it never serves what it knows may be stale. See docs/adr/0005-public-cache-generation-invalidation.md.
 */
import type { Redis } from "ioredis";
import type { Logger } from "@folio/logger";
import { prometheus } from "@folio/http-kit";

const GENERATION_KEY = "folio:public:generation";
const CHANNEL = "folio:public:invalidations";
const PREFIX = "folio:public:";
/** How soon to try again to read the generation after the subscription succeeded but the read failed. */
const RETRY_FOLLOW_MS = 1_000;

// One round trip for a Redis hit: read the generation and the entry under it.
const READ_SCRIPT = `
local generation = redis.call('GET', KEYS[1]) or '0'
local value = redis.call('GET', ARGV[1] .. generation .. ':' .. ARGV[2])
return {generation, value}
`;

// Increment and announce in one step, so no replica can see the new generation without the message.
const INVALIDATE_SCRIPT = `
local generation = redis.call('INCR', KEYS[1])
redis.call('PUBLISH', ARGV[1], generation)
return generation
`;

/**
 * Invalidates every cached public page, for processes that change what the public API shows without
 * serving it (the worker marking a cover image ready). Throws when Redis is unreachable.
 */
export async function invalidatePublicCache(redis: Redis): Promise<number> {
  return (await redis.eval(INVALIDATE_SCRIPT, 1, GENERATION_KEY, CHANNEL)) as number;
}

interface CacheCommands {
  // The Buffer variant ioredis defines beside every custom command: the entry is never decoded to a string.
  folioCacheReadBuffer(key: string, prefix: string, suffix: string): Promise<[Buffer, Buffer | null]>;
  folioCacheInvalidate(key: string, channel: string): Promise<number>;
}

export type CacheSource = "hit" | "miss" | "bypass";

export interface PublicCacheOptions {
  ttlSeconds: number;
  /** Entries in the in-process tier; 0 turns it off. */
  localEntries: number;
}

interface LocalEntry {
  body: Buffer;
  generation: number;
  expiresAt: number;
}

export class PublicCache {
  #pendingInvalidation = false;
  /** Since when Redis has been failing us, so that an outage is logged when it starts and ends, not per request. */
  #failingSince: number | undefined;
  /** The generation this replica knows is current; undefined while the local tier is not trustworthy. */
  #generation: number | undefined;
  readonly #local = new Map<string, LocalEntry>();
  readonly #lookups: prometheus.Counter<"result" | "tier">;
  readonly #followed: prometheus.Counter;
  readonly #commands: CacheCommands;

  constructor(
    private readonly redis: Redis,
    private readonly subscriber: Redis | undefined,
    private readonly options: PublicCacheOptions,
    private readonly logger: Logger,
    registry: prometheus.Registry,
  ) {
    this.#lookups = new prometheus.Counter({
      name: "folio_public_cache_lookups_total",
      help: "Public read cache lookups by result (hit, miss, bypass when Redis is unavailable) and tier",
      labelNames: ["result", "tier"],
      registers: [registry],
    });
    this.#followed = new prometheus.Counter({
      name: "folio_public_cache_follows_total",
      help: "Times the in-process tier was turned on: subscribed to invalidations, then read the generation (once at start, then after each reconnect)",
      registers: [registry],
    });
    // Read at scrape time: 0 while this replica may have missed an invalidation (its subscriber is reconnecting).
    const localTierOn = () => this.localTierOn;
    new prometheus.Gauge({
      name: "folio_public_cache_local_tier_on",
      help: "1 while the in-process tier is in use (subscribed to invalidations, generation known), else 0",
      registers: [registry],
      collect() {
        this.set(localTierOn() ? 1 : 0);
      },
    });
    redis.defineCommand("folioCacheRead", { numberOfKeys: 1, lua: READ_SCRIPT });
    redis.defineCommand("folioCacheInvalidate", { numberOfKeys: 1, lua: INVALIDATE_SCRIPT });
    this.#commands = redis as unknown as CacheCommands;
    if (subscriber && options.localEntries > 0) this.#follow(subscriber);
  }

  /** True while the in-process tier is in use: subscribed to invalidations and the generation read since. */
  get localTierOn(): boolean {
    return this.options.localEntries > 0 && this.#generation !== undefined;
  }

  /**
   * Returns the cached JSON for `key` as UTF-8 bytes, ready to send, or loads, caches and returns it.
   * `undefined` from load is not cached. Bytes rather than text: a hit then costs no encoding at all.
   */
  async read(key: string, load: () => Promise<string | undefined>): Promise<{ body: Buffer | undefined; source: CacheSource }> {
    let generation: number | undefined;
    try {
      if (this.#pendingInvalidation) await this.invalidate();
      if (!this.#pendingInvalidation) {
        const local = this.#readLocal(key);
        if (local !== undefined) {
          this.#lookups.inc({ result: "hit", tier: "local" });
          return { body: local, source: "hit" };
        }
        const [gen, value] = await this.#commands.folioCacheReadBuffer(GENERATION_KEY, PREFIX, key);
        this.#answered();
        generation = Number(gen.toString());
        if (value !== null) {
          this.#writeLocal(key, value, generation);
          this.#lookups.inc({ result: "hit", tier: "redis" });
          return { body: value, source: "hit" };
        }
      }
    } catch (error) {
      this.#failed(error, "public cache unavailable, reading from postgres");
    }
    const json = await load();
    const body = json === undefined ? undefined : Buffer.from(json);
    if (generation === undefined) {
      this.#lookups.inc({ result: "bypass", tier: "none" });
      return { body, source: "bypass" };
    }
    this.#lookups.inc({ result: "miss", tier: "none" });
    if (body !== undefined) {
      // A write between our read and this set bumped the generation, so this entry is simply never read.
      this.redis.set(`${PREFIX}${generation}:${key}`, body, "EX", this.options.ttlSeconds).catch((error: unknown) => {
        this.#failed(error, "could not fill the public cache");
      });
      this.#writeLocal(key, body, generation);
    }
    return { body, source: "miss" };
  }

  /** Called after every committed change that the public API can see. Never throws. */
  async invalidate(): Promise<void> {
    this.#local.clear();
    try {
      const generation = await this.#commands.folioCacheInvalidate(GENERATION_KEY, CHANNEL);
      this.#answered();
      this.#advance(generation);
      this.#pendingInvalidation = false;
    } catch (error) {
      this.#pendingInvalidation = true;
      this.#failed(error, "could not invalidate the public cache; bypassing it until Redis answers");
    }
  }

  /**
   * The first failure of an outage is a warning with its error; the rest are debug lines. Under load, a warning
   * with a stack trace per request would cost CPU exactly when the process is already short of it, and bury the
   * one line that matters. folio_public_cache_lookups_total{result="bypass"} counts every request.
   */
  #failed(error: unknown, message: string): void {
    if (this.#failingSince === undefined) {
      this.#failingSince = Date.now();
      this.logger.warn({ err: error }, `${message} (further failures are logged at debug until Redis answers)`);
    } else {
      this.logger.debug({ err: error }, message);
    }
  }

  #answered(): void {
    if (this.#failingSince === undefined) return;
    this.logger.info({ failingMs: Date.now() - this.#failingSince }, "public cache available again");
    this.#failingSince = undefined;
  }

  #readLocal(key: string): Buffer | undefined {
    const entry = this.#local.get(key);
    if (!entry) return undefined;
    if (entry.generation !== this.#generation || entry.expiresAt < Date.now()) {
      this.#local.delete(key);
      return undefined;
    }
    // Map keeps insertion order: re-inserting marks the entry as recently used.
    this.#local.delete(key);
    this.#local.set(key, entry);
    return entry.body;
  }

  #writeLocal(key: string, body: Buffer, generation: number): void {
    // Only entries of the generation we know to be current; an older one may already be invalidated.
    if (this.#generation === undefined || generation !== this.#generation) return;
    this.#local.set(key, { body, generation, expiresAt: Date.now() + this.options.ttlSeconds * 1000 });
    if (this.#local.size > this.options.localEntries) this.#local.delete(this.#local.keys().next().value!);
  }

  #advance(generation: number): void {
    if (this.#generation !== undefined && generation > this.#generation) {
      this.#generation = generation;
      this.#local.clear();
    }
  }

  #follow(subscriber: Redis): void {
    let retry: NodeJS.Timeout | undefined;
    const distrust = () => {
      clearTimeout(retry);
      this.#generation = undefined;
      this.#local.clear();
    };
    subscriber.on("message", (channel: string, message: string) => {
      if (channel === CHANNEL) this.#advance(Number(message));
    });
    subscriber.on("close", distrust);
    subscriber.on("reconnecting", distrust);
    // On every (re)connection: subscribe first, and only once the server has confirmed the subscription read
    // the generation. Any invalidation after that read arrives as a message, so none can be missed. This is the
    // only place that subscribes: the connection's own re-subscribe is off (subscriberConnection in @folio/queue),
    // because a failure of it would be a promise rejection nobody handles.
    const start = () => {
      clearTimeout(retry);
      if (subscriber.status !== "ready") return;
      subscriber
        .subscribe(CHANNEL)
        .then(() => this.redis.get(GENERATION_KEY))
        .then((value) => {
          if (subscriber.status !== "ready") return;
          this.#generation = Math.max(Number(value ?? 0), this.#generation ?? 0);
          this.#local.clear();
          this.#followed.inc();
        })
        .catch((error: unknown) => {
          distrust();
          this.logger.warn({ err: error }, "cannot follow cache invalidations; in-process cache off");
          // The generation comes through the other connection, which may not be ready yet (at start-up the two
          // connect in any order) or was slow (its command timeout, under load). Waiting for the subscriber's next
          // reconnect would leave the in-process tier off for as long as Redis stays up; try again while subscribed.
          if (subscriber.status === "ready") retry = setTimeout(start, RETRY_FOLLOW_MS).unref();
        });
    };
    subscriber.on("ready", start);
    if (subscriber.status === "ready") start();
  }
}
