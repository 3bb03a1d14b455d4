import { describe, expect, it } from "vitest";
import { eventually, EventuallyTimeout } from "./eventually.ts";

describe("eventually", () => {
  it("when the probe succeeds after failures, then it returns its value", async () => {
    let calls = 0;
    const value = await eventually(
      () => {
        calls++;
        if (calls < 3) throw new Error("not yet");
        return "ready";
      },
      { timeout: 5_000, interval: 10 },
    );
    expect(value).toBe("ready");
    expect(calls).toBe(3);
  });

  it("when `until` rejects values, then it keeps polling until one passes", async () => {
    let n = 0;
    expect(await eventually(() => ++n, { timeout: 5_000, interval: 5, until: (value) => value >= 4 })).toBe(4);
  });

  it("when it times out, then the error names what was awaited and the last value seen", async () => {
    let n = 0;
    const error = await eventually(() => ({ ready: false, attempt: ++n }), {
      timeout: 200,
      interval: 20,
      description: "postgres-0 to be Ready",
      until: (value) => value.ready,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EventuallyTimeout);
    const timeout = error as EventuallyTimeout;
    expect(timeout.message).toMatch(/waiting for postgres-0 to be Ready/);
    expect(timeout.message).toMatch(/the last value seen was \{ ready: false, attempt: \d+ \}/);
    expect(timeout.attempts).toBeGreaterThan(1);
    expect(timeout.lastValue).toMatchObject({ ready: false });
  });

  it("when the last attempt threw, then the error shows that error", async () => {
    const error = await eventually(
      () => {
        throw new Error("connection refused");
      },
      { timeout: 100, interval: 20 },
    ).catch((caught: unknown) => caught as Error);
    expect(error.message).toMatch(/the last attempt failed: connection refused/);
  });

  it("when aborted, then it stops waiting", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("test ended")), 50);
    await expect(eventually(() => false, { timeout: 10_000, interval: 10, until: Boolean, signal: controller.signal })).rejects.toThrow(/test ended/);
  });
});
