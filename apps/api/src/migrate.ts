/**
 * Applies pending schema migrations and exits: 0 when the schema is current, 1 otherwise.
 * Runs as a Kubernetes Job (and `pnpm --filter @folio/api migrate` locally). Waits a bounded time for the
 * database to accept connections, because on a first install the Job and Postgres start together.
 */
import { runMigrations } from "@folio/db";
import { isNetworkError, loadConfig, positiveInt, serviceSchema, url, z } from "@folio/config";
import { createLogger } from "@folio/logger";

const config = loadConfig(
  z.object({
    LOG_LEVEL: serviceSchema.LOG_LEVEL,
    DATABASE_URL: url(["postgres", "postgresql"]).describe("PostgreSQL connection string (owner of the schema)"),
    MIGRATE_WAIT_SECONDS: positiveInt(120).describe("how long to wait for the database to accept connections"),
  }),
);
const logger = createLogger({ name: "migrate", level: config.LOG_LEVEL });

const deadline = Date.now() + config.MIGRATE_WAIT_SECONDS * 1000;
let attempt = 0;
for (;;) {
  attempt++;
  try {
    const applied = await runMigrations(config.DATABASE_URL, logger);
    logger.info({ applied, attempt }, applied.length ? "migrations applied" : "schema already current");
    process.exitCode = 0;
    break;
  } catch (error) {
    const code = (error as { code?: string }).code;
    // Unreachable (any network error) or starting up (57P03): worth waiting for. Anything else is a real failure.
    const retryable = isNetworkError(error) || code === "57P03";
    if (!retryable || Date.now() > deadline) {
      logger.fatal({ err: error, attempt }, retryable ? `database unreachable after ${config.MIGRATE_WAIT_SECONDS}s` : "migration failed");
      process.exitCode = 1;
      break;
    }
    logger.warn({ code, attempt }, "database not reachable yet; retrying");
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * attempt, 5000)));
  }
}
