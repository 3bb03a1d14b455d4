import type { Redis } from "ioredis";
import type { Pool } from "pg";
import type { Logger } from "@folio/logger";
import type { ProbeState, prometheus } from "@folio/http-kit";
import type { MediaJob, Queue } from "@folio/queue";
import type { Storage } from "@folio/storage";
import type { ApiConfig } from "./config.js";
import type { FlagStore } from "./domain/flags.js";

/** Everything the app needs from the outside world; main.ts builds it, tests build their own. */
export interface AppDeps {
  config: ApiConfig;
  logger: Logger;
  pool: Pool;
  /** Fail-fast connection for the public cache and the login rate limit's counters. */
  cache: Redis;
  /** Subscriber connection for cache invalidation messages (the in-process tier is off without it). */
  cacheSubscriber?: Redis;
  mediaQueue: Queue<MediaJob>;
  storage: Storage;
  flags: FlagStore;
  probes: ProbeState;
  registry: prometheus.Registry;
}
