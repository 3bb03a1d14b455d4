/**
 * Configuration is read once at start from environment variables, validated with a zod schema,
 * frozen and injected. A process with invalid configuration exits 1 and lists every problem,
 * not just the first, so an operator fixes a broken Deployment in one round.
 */
import { z } from "zod";

export { z };
export * from "./network-errors.js";
export * from "./redis-errors.js";

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

/** Parses `env` with `schema`; throws a ConfigError listing every problem. Empty strings count as unset. */
export function parseConfig<S extends z.ZodType>(schema: S, env: Env = process.env): Readonly<z.output<S>> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ""));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`),
    );
  }
  return deepFreeze(result.data);
}

/**
 * For `main.ts`: parse, and on failure print every problem to stderr and exit 1.
 * Exiting here (rather than throwing) keeps a config error from looking like a crash with a stack trace.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Env = process.env): Readonly<z.output<S>> {
  try {
    return parseConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

// Schema helpers for values that arrive as strings.

export const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const nonNegativeInt = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

/** "true"/"false"/"1"/"0"/"yes"/"no"; anything else is an error rather than silently false. */
export const bool = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"], { message: 'expected one of "true", "false", "1", "0", "yes", "no"' })
    .transform((value) => value === "true" || value === "1" || value === "yes")
    .default(fallback);

/** A comma-separated list; blank entries are dropped. */
export const csv = (fallback: string[] = []) =>
  z
    .string()
    .transform((value) =>
      value
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .default(fallback);

export const url = (protocols: string[]) =>
  z.url({ message: `expected a URL (${protocols.join(", ")})` }).refine(
    (value) => protocols.some((protocol) => value.startsWith(`${protocol}://`)),
    { message: `expected a URL starting with ${protocols.map((p) => `${p}://`).join(" or ")}` },
  );

export const logLevel = () => z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info");

/** Settings every Folio service shares. */
export const serviceSchema = {
  LOG_LEVEL: logLevel().describe("pino log level"),
  SHUTDOWN_DELAY_MS: nonNegativeInt(3000).describe(
    "after SIGTERM, keep serving while readiness fails so endpoints are updated before the server closes",
  ),
  SHUTDOWN_TIMEOUT_MS: positiveInt(20_000).describe(
    "hard deadline for a graceful shutdown; keep it below the pod's terminationGracePeriodSeconds",
  ),
};
