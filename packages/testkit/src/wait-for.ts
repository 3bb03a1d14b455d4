import { inspect } from "node:util";

export interface WaitForOptions {
  /** Give up after this long. Default 10 s. */
  timeoutMs?: number;
  /** Pause between attempts. Default 100 ms. */
  intervalMs?: number;
  /** What is awaited, for the timeout message: "the article to be published". */
  description?: string;
}

/**
 * Calls `fn` until it returns something other than `false`, `null` or `undefined`, and returns that.
 * A throw counts as "not yet". On timeout, throws an error naming the description and the last value or
 * error seen (the error is also the `cause`). An attempt that hangs is abandoned at the deadline.
 */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 100, description = "the condition" }: WaitForOptions = {},
): Promise<Exclude<T, false | null | undefined>> {
  const deadline = Date.now() + timeoutMs;
  let last: { value: unknown } | { error: unknown } | undefined;
  for (;;) {
    const remaining = deadline - Date.now();
    try {
      const value = await withTimeout(Promise.resolve().then(fn), remaining);
      if (value !== false && value !== null && value !== undefined) return value as Exclude<T, false | null | undefined>;
      last = { value };
    } catch (error) {
      if (error !== TIMED_OUT) last = { error };
    }
    if (Date.now() + intervalMs > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const seen =
    last === undefined
      ? "no attempt finished"
      : "error" in last
        ? `last error: ${last.error instanceof Error ? last.error.message : inspect(last.error)}`
        : `last value: ${inspect(last.value, { depth: 4, breakLength: Infinity })}`;
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}; ${seen}`, {
    cause: last && "error" in last ? last.error : undefined,
  });
}

const TIMED_OUT = Symbol("timed out");

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(reject, Math.max(ms, 0), TIMED_OUT)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
