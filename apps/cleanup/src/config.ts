/**
 * Every setting of the cleanup job, from environment variables. This is the only module that reads process.env.
 * The table in apps/cleanup/README.md and `--help` document this schema; `--help` is generated from it.
 */
import { bool, loadConfig, parseConfig, positiveInt, serviceSchema, url, z } from "@folio/config";
import { s3ConfigSchema } from "@folio/storage";

export const configSchema = z.object({
  LOG_LEVEL: serviceSchema.LOG_LEVEL,
  DATABASE_URL: url(["postgres", "postgresql"]).describe(
    "PostgreSQL connection string; a direct connection or a session-mode pooler, since the run lock lives in the session",
  ),
  DATABASE_WAIT_SECONDS: positiveInt(60).describe("at start, how long to keep retrying while the database does not accept connections"),
  DATABASE_CONNECT_TIMEOUT_MS: positiveInt(5_000).describe("longest wait for one connection attempt"),
  DATABASE_STATEMENT_TIMEOUT_MS: positiveInt(60_000).describe("server-side limit per SQL statement (one batch's delete)"),
  REDIS_URL: url(["redis", "rediss"]).describe("Redis (or Valkey) holding the media queue"),
  ...s3ConfigSchema(10_000),
  TRASH_RETENTION_DAYS: positiveInt(30).describe("articles stay in the trash this long before they are purged with their revisions"),
  ORPHAN_GRACE_HOURS: positiveInt(24).describe(
    "objects without a media row, and pending media without an original, are purged only when older than this",
  ),
  QUEUE_RETENTION_DAYS: positiveInt(7).describe("completed and failed media jobs are kept this long"),
  BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500).describe(
    "rows or objects per batch; each batch is its own transaction and the unit a SIGTERM waits for",
  ),
  CLEANUP_DRY_RUN: bool(false).describe("report what would be purged and change nothing (same as --dry-run)"),
  SHUTDOWN_TIMEOUT_MS: positiveInt(20_000).describe(
    "after SIGTERM, how long the current batch may take before the process exits anyway; keep it below terminationGracePeriodSeconds",
  ),
});

export type CleanupConfig = z.output<typeof configSchema>;

export const readConfig = (env: Record<string, string | undefined> = process.env): CleanupConfig => loadConfig(configSchema, env);
export const parseCleanupConfig = (env: Record<string, string | undefined>): CleanupConfig => parseConfig(configSchema, env);
