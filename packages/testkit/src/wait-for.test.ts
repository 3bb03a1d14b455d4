import { describe, expect, it } from "vitest";
import { waitFor } from "./wait-for.js";

describe("waitFor", () => {
  it("when the condition holds on a later attempt, then it resolves with that value", async () => {
    let attempts = 0;

    const value = await waitFor(() => (++attempts >= 3 ? { attempts } : undefined), { intervalMs: 1 });

    expect(value).toEqual({ attempts: 3 });
  });

  it("when the condition never holds, then the error names what was awaited and the last value", async () => {
    let attempts = 0;

    const waiting = waitFor(() => (attempts++, false), { timeoutMs: 50, intervalMs: 5, description: "the job" });

    await expect(waiting).rejects.toThrow(/^Timed out after 50 ms waiting for the job; last value: false$/);
    expect(attempts).toBeGreaterThan(1);
  });

  it("when every attempt throws, then the error reports the last error and keeps it as the cause", async () => {
    const cause = new Error("connection refused");

    const error: unknown = await waitFor(
      () => {
        throw cause;
      },
      { timeoutMs: 30, intervalMs: 5 },
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/last error: connection refused$/);
    expect((error as Error).cause).toBe(cause);
  });

  it("when an attempt hangs, then it gives up at the deadline", async () => {
    const started = Date.now();

    const waiting = waitFor(() => new Promise(() => {}), { timeoutMs: 50, description: "a hung call" });

    await expect(waiting).rejects.toThrow(/waiting for a hung call; no attempt finished/);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
