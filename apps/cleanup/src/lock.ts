/**
 * One cleanup at a time: a session-level advisory lock, taken with pg_try_advisory_lock on a connection held
 * for the whole run. A second run does not wait for it; it skips. Postgres releases the lock by itself when the
 * session ends, so a killed run never leaves it behind.
 *
 * The lock spares duplicate work and confusing logs; correctness does not depend on it, because every delete
 * checks its condition again. So losing the lock's connection mid-run is logged, not fatal.
 * https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS
 */
import { setTimeout as sleep } from "node:timers/promises";
import { isDatabaseUnavailable, type Pool, type PoolClient } from "@folio/db";
import type { Logger } from "@folio/logger";

/** hashtext() of this is the lock's key, as for the API's other advisory locks ('folio:users:admins'). */
export const LOCK_NAME = "folio:cleanup";

export interface RunLock {
  release(): Promise<void>;
}

export type LockResult = { status: "acquired"; lock: RunLock } | { status: "held-elsewhere" } | { status: "interrupted" };

export interface AcquireOptions {
  logger: Logger;
  /** While the database does not accept connections, keep trying this long, then throw. */
  waitMs: number;
  /** Stops the waiting early (SIGTERM during start-up). */
  signal?: AbortSignal;
}

export async function acquireRunLock(pool: Pool, { logger, waitMs, signal }: AcquireOptions): Promise<LockResult> {
  const deadline = Date.now() + waitMs;
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) return { status: "interrupted" };
    try {
      const lock = await tryLock(pool, logger);
      return lock ? { status: "acquired", lock } : { status: "held-elsewhere" };
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      if (Date.now() >= deadline) {
        throw new Error(`database unreachable after ${Math.round(waitMs / 1000)}s`, { cause: error });
      }
      logger.warn({ err: error, attempt }, "database not reachable yet; retrying");
      // An abort ends the pause early; the loop then reports the interruption.
      await sleep(Math.min(500 * attempt, 5_000, Math.max(deadline - Date.now(), 0)), undefined, { signal }).catch(() => {});
    }
  }
}

async function tryLock(pool: Pool, logger: Logger): Promise<RunLock | undefined> {
  const client = await pool.connect();
  // A checked-out client that loses its connection emits "error"; without a listener the process would crash.
  const onError = (error: Error) => logger.warn({ err: error }, "lost the connection holding the run lock; carrying on");
  client.on("error", onError);
  let acquired: boolean;
  try {
    const { rows } = await client.query<{ acquired: boolean }>("SELECT pg_try_advisory_lock(hashtext($1)) AS acquired", [LOCK_NAME]);
    acquired = rows[0]?.acquired === true;
  } catch (error) {
    release(client, onError, true);
    throw error;
  }
  if (!acquired) {
    release(client, onError, false);
    return undefined;
  }
  return {
    async release() {
      let broken = false;
      try {
        await client.query("SELECT pg_advisory_unlock(hashtext($1))", [LOCK_NAME]);
      } catch {
        broken = true; // the session is gone, and the lock with it
      }
      release(client, onError, broken);
    },
  };
}

function release(client: PoolClient, onError: (error: Error) => void, destroy: boolean): void {
  client.off("error", onError);
  client.release(destroy);
}
