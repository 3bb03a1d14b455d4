import { describe, expect, it } from "vitest";
import { DEFAULT_TIMEOUTS, timeout } from "./timeouts.ts";

describe("timeout", () => {
  it("gives the default in milliseconds", () => {
    expect(timeout("NODE_NOT_READY", {})).toBe(DEFAULT_TIMEOUTS.NODE_NOT_READY * 1000);
  });

  it("when FOLIO_E2E_TIMEOUT_<NAME> is set, then it wins, in seconds", () => {
    expect(timeout("POD_READY", { FOLIO_E2E_TIMEOUT_POD_READY: "600" })).toBe(600_000);
  });

  it("when the override is not a positive number, then it says so", () => {
    expect(() => timeout("JOB", { FOLIO_E2E_TIMEOUT_JOB: "ten" })).toThrow(/FOLIO_E2E_TIMEOUT_JOB must be a positive number of seconds, not ten/);
  });
});
