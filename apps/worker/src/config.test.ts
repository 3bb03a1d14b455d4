import { describe, expect, it } from "vitest";
import { ConfigError } from "@folio/config";
import { parseWorkerConfig } from "./config.js";

const required = {
  DATABASE_URL: "postgres://folio@localhost/folio",
  REDIS_URL: "redis://localhost:6379",
  S3_ACCESS_KEY_ID: "key",
  S3_SECRET_ACCESS_KEY: "secret",
};

function problems(env: Record<string, string>): string[] {
  try {
    parseWorkerConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
}

describe("worker configuration", () => {
  it("when only the required settings are given, then the defaults apply", () => {
    const config = parseWorkerConfig(required);

    expect(config).toMatchObject({
      WORKER_CONCURRENCY: 2,
      WORKER_PORT: 8081,
      RECONCILE_INTERVAL_MS: 60_000,
      RECONCILE_PENDING_AFTER_MS: 300_000,
      SHUTDOWN_DELAY_MS: 0,
      WORKER_DRAIN_TIMEOUT_MS: 15_000,
      SHUTDOWN_TIMEOUT_MS: 20_000,
      WORKER_LOCK_DURATION_MS: 30_000,
      WORKER_STALLED_INTERVAL_MS: 15_000,
      WORKER_MAX_STALLED_COUNT: 2,
    });
    expect(config.SCRATCH_DIR).toMatch(/folio-worker$/);
  });

  it("when only the shutdown deadline is set, then running jobs get three quarters of what the delay leaves", () => {
    expect(parseWorkerConfig({ ...required, SHUTDOWN_TIMEOUT_MS: "15000", SHUTDOWN_DELAY_MS: "1000" }).WORKER_DRAIN_TIMEOUT_MS).toBe(10_500);
  });

  it("when the drain timeout leaves no time for closing connections, then SHUTDOWN_TIMEOUT_MS is reported", () => {
    expect(problems({ ...required, WORKER_DRAIN_TIMEOUT_MS: "19500" })).toEqual([expect.stringMatching(/^SHUTDOWN_TIMEOUT_MS: must be at least 1000 ms more/)]);
  });

  it("when several settings are wrong, then every problem is listed, the shutdown budget included", () => {
    const listed = problems({ REDIS_URL: "http://nope", WORKER_CONCURRENCY: "0", SHUTDOWN_TIMEOUT_MS: "5000", WORKER_DRAIN_TIMEOUT_MS: "4500" });

    for (const key of ["DATABASE_URL", "REDIS_URL", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "WORKER_CONCURRENCY", "SHUTDOWN_TIMEOUT_MS"]) {
      expect(listed.some((problem) => problem.startsWith(`${key}:`)), `${key} in ${listed.join("; ")}`).toBe(true);
    }
  });
});
