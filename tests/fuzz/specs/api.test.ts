/**
 * Schemathesis against the real API process, started from its compiled entry point as a pod starts it, on the run's
 * PostgreSQL, Redis and S3. It reads GET /v1/openapi.json and runs every operation through the coverage, fuzzing and
 * stateful phases with all of its checks: a 5xx, a status the document does not list, a response outside its
 * schema or any other check's failure fails the test. schemathesis.toml and hooks.py say what bends, and why.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestServices } from "@folio/testkit";
import { login, startApi, type RunningApi } from "../src/api.js";
import { requireSchemathesis, runSchemathesis, summary, type FuzzReport } from "../src/schemathesis.js";

let api: RunningApi;
beforeAll(async () => {
  requireSchemathesis(); // first: a missing fuzzer says how to install it before any server starts
  api = await startApi(useTestServices());
});
afterAll(() => api?.stop());

/** Schemathesis' own account of each failure (with a curl command to reproduce it), and the API's error log. */
const explain = (report: FuzzReport) => `${report.output.slice(-12_000)}\n${api.process.output(60)}`;

function expectClean(name: string, report: FuzzReport): void {
  console.log(summary(name, report));
  expect(report.failures, explain(report)).toEqual([]);
  expect(report.errors, explain(report)).toEqual([]);
  expect(report.operations.tested, "every operation was tested").toBe(report.operations.selected);
  expect(report.exitCode, explain(report)).toBe(0);
}

describe("the API under Schemathesis", () => {
  it("when fuzzed with an admin's token, then every check passes on every operation", async () => {
    const { token, userId } = await login(api);
    const report = await runSchemathesis({
      schemaUrl: `${api.url}/v1/openapi.json`,
      token,
      env: { FOLIO_FUZZ_USER_ID: userId },
      timeoutMs: 170_000,
    });
    expectClean("with an admin's token", report);
  });

  it("when fuzzed without a token, then every check passes too: 401 where a token is needed, the public operations as usual", async () => {
    // Fewer cases: without a token most operations stop at the same 401.
    const report = await runSchemathesis({
      schemaUrl: `${api.url}/v1/openapi.json`,
      args: ["--phases", "coverage,fuzzing", "--max-examples", "5"],
      timeoutMs: 60_000,
    });
    expectClean("without a token", report);
  });
});
