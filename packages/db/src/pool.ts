import pg from "pg";
import { isNetworkError } from "@folio/config";
import type { Logger } from "@folio/logger";

export type { Pool, PoolClient } from "pg";

/** Anything that can run a query: the pool, or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, "query">;

export interface PoolSettings {
  connectionString: string;
  max: number;
  /**
   * How long a request may wait for a connection. This bound is what turns "Postgres is down" into a fast 503
   * instead of requests piling up until the client gives up.
   */
  connectionTimeoutMs: number;
  /** Server-side limit per statement, so one slow query cannot hold a connection forever. */
  statementTimeoutMs: number;
  applicationName: string;
}

export function createPool(settings: PoolSettings, logger: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString: settings.connectionString,
    max: settings.max,
    connectionTimeoutMillis: settings.connectionTimeoutMs,
    idleTimeoutMillis: 30_000,
    statement_timeout: settings.statementTimeoutMs,
    application_name: settings.applicationName,
    keepAlive: true,
  });
  // An idle client losing its connection (Postgres restarted) emits here; without a listener the process dies.
  pool.on("error", (error) => logger.warn({ err: error }, "idle postgres connection lost"));
  return pool;
}

/** Runs `work` in a transaction; rolls back on any error and always releases the client. */
export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  // A checked-out client whose connection dies (Postgres killed or restarted) emits "error" besides failing its
  // query; the pool only listens while the client is idle, and an unheard "error" would crash the process.
  // The failing query already reports the problem to the caller, so here it only marks the client as broken.
  const onError = () => {
    broken = true;
  };
  client.on("error", onError);
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    if (!broken) {
      try {
        await client.query("ROLLBACK");
      } catch {
        broken = true; // the connection itself is gone; do not return it to the pool
      }
    }
    throw error;
  } finally {
    client.off("error", onError);
    client.release(broken);
  }
}

/**
 * PostgreSQL's own codes for "not accepting connections now". Network failures (ECONNREFUSED, EHOSTUNREACH when
 * the database's node is gone, …) come from the one shared list in @folio/config.
 * https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
const UNAVAILABLE_SQLSTATES = new Set([
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up, recovering)
  "08000", // connection_exception
  "08001", // sqlclient_unable_to_establish_sqlconnection
  "08003", // connection_does_not_exist
  "08006", // connection_failure
]);

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!error || typeof error !== "object") return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && UNAVAILABLE_SQLSTATES.has(code)) return true;
  if (isNetworkError(error)) return true;
  // pg's own errors carry no code: a connect that exceeded connectionTimeoutMillis, a connection that ended.
  const message = error instanceof Error ? error.message : "";
  return (
    message.includes("timeout exceeded when trying to connect") ||
    message.includes("Connection terminated") ||
    message.includes("Client has encountered a connection error")
  );
}

export function poolStats(pool: pg.Pool): { total: number; idle: number; waiting: number } {
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
}
