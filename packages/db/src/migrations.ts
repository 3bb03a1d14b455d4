/**
 * Schema migrations are plain SQL files in packages/db/migrations, applied by node-pg-migrate.
 * node-pg-migrate takes a Postgres advisory lock while it runs, so concurrent runners (two Job pods,
 * or a Job and a developer) apply each migration once. See docs/adr/0002-migrations-node-pg-migrate-sql.md.
 */
import { readdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type pg from "pg";
import { runner } from "node-pg-migrate";
import type { Logger } from "@folio/logger";

export const MIGRATIONS_DIR = fileURLToPath(new URL("../migrations", import.meta.url));
export const MIGRATIONS_TABLE = "pgmigrations";

/**
 * Applies pending migrations. node-pg-migrate does not wait for its lock: a second runner fails with
 * "Another migration is already running". We wait and retry instead, so a second runner finds the schema
 * current and succeeds, which is what a Job retried on another node or a parallel test run needs.
 */
export async function runMigrations(databaseUrl: string, logger: Logger, lockWaitMs = 60_000): Promise<string[]> {
  const deadline = Date.now() + lockWaitMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await runOnce(databaseUrl, logger);
    } catch (error) {
      const locked = error instanceof Error && error.message.includes("Another migration is already running");
      if (!locked || Date.now() > deadline) throw error;
      logger.info({ attempt }, "another migration runner holds the lock; waiting");
      await new Promise((resolve) => setTimeout(resolve, Math.min(100 * attempt, 1_000)));
    }
  }
}

async function runOnce(databaseUrl: string, logger: Logger): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: "up",
    migrationsTable: MIGRATIONS_TABLE,
    count: Infinity,
    checkOrder: true,
    singleTransaction: true,
    logger: { debug: () => {}, info: (msg: string) => logger.debug(msg), warn: (msg: string) => logger.warn(msg), error: (msg: string) => logger.error(msg) },
  });
  return applied.map((migration) => migration.name);
}

export async function migrationNames(): Promise<string[]> {
  const files = await readdir(MIGRATIONS_DIR);
  return files
    .filter((file) => file.endsWith(".sql"))
    .map((file) => file.replace(/\.sql$/, ""))
    .sort();
}

/** Migrations in the folder that the database has not applied yet ([] when the schema is current). */
export async function pendingMigrations(db: Pick<pg.Pool, "query">): Promise<string[]> {
  const expected = await migrationNames();
  const exists = await db.query<{ present: boolean }>("SELECT to_regclass($1) IS NOT NULL AS present", [MIGRATIONS_TABLE]);
  if (!exists.rows[0]?.present) return expected;
  const done = await db.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE}`);
  const applied = new Set(done.rows.map((row) => row.name));
  return expected.filter((name) => !applied.has(name));
}

export interface StartWhenMigratedOptions {
  logger: Logger;
  pollMs: number;
  /** True once the process is shutting down: stop trying. */
  stopping: () => boolean;
  /** Why the process is not ready yet (for /readyz). */
  waitingFor: (reason: string) => void;
  /** Runs once the schema is current; a throw (a dependency not up yet) is retried after `pollMs`. */
  start: () => Promise<void> | void;
}

/**
 * Start-up of a long-running service: wait until the schema this build expects is migrated (the migrate Job may
 * still be running, or PostgreSQL may not be up yet), then run `start`. Retries until it succeeds or the
 * process starts shutting down; never fails the process, so readiness, not a crash loop, reports the wait.
 */
export async function startWhenMigrated(pool: Pick<pg.Pool, "query">, options: StartWhenMigratedOptions): Promise<void> {
  const { logger } = options;
  while (!options.stopping()) {
    try {
      const pending = await pendingMigrations(pool);
      if (pending.length === 0) {
        await options.start();
        return;
      }
      options.waitingFor(`schema migrations pending: ${pending.join(", ")}`);
      logger.info({ pending }, "waiting for schema migrations");
    } catch (error) {
      options.waitingFor("dependencies unreachable");
      logger.warn({ err: error }, "start-up check failed; retrying");
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs));
  }
}
