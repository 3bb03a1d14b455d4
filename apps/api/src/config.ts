/**
 * Every setting of the API, from environment variables. This is the only module that reads process.env.
 * The table in apps/api/README.md is this schema's documentation; keep both in step.
 */
import { bool, csv, loadConfig, nonNegativeInt, parseConfig, port, positiveInt, serviceSchema, url, z } from "@folio/config";
import { s3ConfigSchema } from "@folio/storage";

export const configSchema = z
  .object({
    ...serviceSchema,
    HOST: z.string().default("0.0.0.0").describe("address to listen on"),
    PORT: port(8080).describe("port to listen on"),
    DATABASE_URL: url(["postgres", "postgresql"]).describe("PostgreSQL connection string"),
    DATABASE_POOL_MAX: positiveInt(10).describe("connections per API process"),
    DATABASE_CONNECT_TIMEOUT_MS: positiveInt(2_000).describe(
      "longest wait for a pool connection; when Postgres is down, writes fail with 503 after this",
    ),
    DATABASE_STATEMENT_TIMEOUT_MS: positiveInt(10_000).describe("server-side limit per SQL statement"),
    REDIS_URL: url(["redis", "rediss"]).describe("Redis (or Valkey) for the queue and the public cache"),
    REDIS_COMMAND_TIMEOUT_MS: positiveInt(500).describe("cache commands slower than this fall back to Postgres"),
    ...s3ConfigSchema(10_000),
    S3_CREATE_BUCKET: bool(true).describe("create the bucket at start when missing"),
    JWT_SECRET: z.string().min(32, "must be at least 32 characters").describe("HMAC key signing login tokens"),
    JWT_TTL_SECONDS: positiveInt(8 * 3600).describe("token lifetime"),
    ADMIN_EMAIL: z.email().optional().describe("first admin, created at start when no admin exists"),
    ADMIN_PASSWORD: z.string().min(12, "must be at least 12 characters").optional().describe("first admin's password"),
    PUBLIC_CACHE_TTL_SECONDS: positiveInt(60).describe("lifetime of cached public reads in Redis"),
    PUBLIC_CACHE_LOCAL_ENTRIES: nonNegativeInt(500).describe(
      "entries of the in-process tier in front of Redis (0 turns it off); invalidated through Redis pub/sub",
    ),
    IDEMPOTENCY_TTL_SECONDS: positiveInt(24 * 3600).describe("how long an Idempotency-Key's response is kept"),
    BODY_LIMIT_BYTES: positiveInt(1024 * 1024).describe("largest JSON body accepted (413 above)"),
    MEDIA_MAX_BYTES: positiveInt(20 * 1024 * 1024).describe("largest upload accepted (413 above)"),
    MEDIA_DELIVERY: z.enum(["stream", "redirect"]).default("stream").describe(
      "serve media through the API, or redirect to a presigned S3 URL (only when browsers can reach S3)",
    ),
    FLAGS_FILE: z.string().optional().describe("JSON file of feature flags (a mounted ConfigMap), re-read on change"),
    FLAGS_POLL_MS: positiveInt(2_000).describe("how often the flags file is checked for changes"),
    CORS_ORIGINS: csv().describe("browser origins allowed to call the API (the web site)"),
    LOGIN_RATE_LIMIT: positiveInt(10).describe("login attempts per client and email per window"),
    LOGIN_RATE_WINDOW_SECONDS: positiveInt(60).describe("login rate-limit window"),
    TRUST_PROXY: z
      .string()
      .default("loopback, linklocal, uniquelocal")
      .describe("which peers' X-Forwarded-For to trust (Express 'trust proxy'): the ingress controller's addresses"),
    SCHEMA_POLL_MS: nonNegativeInt(2_000).describe("while the schema is not migrated, how often to check again"),
  })
  .refine((config) => Boolean(config.ADMIN_EMAIL) === Boolean(config.ADMIN_PASSWORD), {
    message: "ADMIN_EMAIL and ADMIN_PASSWORD must be set together",
    path: ["ADMIN_PASSWORD"],
    // Check even when other settings are invalid, so the operator sees every problem at once.
    when: () => true,
  });

export type ApiConfig = z.output<typeof configSchema>;

export const readConfig = (env: Record<string, string | undefined> = process.env): ApiConfig => loadConfig(configSchema, env);
export const parseApiConfig = (env: Record<string, string | undefined>): ApiConfig => parseConfig(configSchema, env);
