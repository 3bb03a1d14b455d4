/**
 * Polling for things that become true eventually: a cluster converging, a pod moving, a write becoming
 * visible. `eventually` calls `probe` until it returns without throwing (and, with `until`, until the value
 * passes), and on timeout throws an error that shows the last value or error it saw, which is what a reader
 * of a failed run needs to know.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { inspect } from "node:util";

export interface EventuallyOptions<T> {
  /** Milliseconds before giving up. */
  timeout: number;
  /** Milliseconds between attempts (measured from the end of one to the start of the next). */
  interval?: number;
  /** What is awaited, for the error message: "postgres-0 to be Ready". */
  description?: string;
  /** The value is accepted only when this returns true; otherwise polling goes on. */
  until?: (value: T) => boolean;
  /** Stops waiting early (e.g. a test's abort signal). */
  signal?: AbortSignal;
}

export class EventuallyTimeout extends Error {
  override name = "EventuallyTimeout";
  readonly attempts: number;
  readonly lastValue: unknown;
  readonly lastError: unknown;

  constructor(message: string, attempts: number, lastValue: unknown, lastError: unknown) {
    super(message);
    this.attempts = attempts;
    this.lastValue = lastValue;
    this.lastError = lastError;
  }
}

function describe(value: unknown): string {
  const text = inspect(value, { depth: 4, breakLength: 120, maxArrayLength: 20, maxStringLength: 2_000 });
  return text.length > 4_000 ? `${text.slice(0, 4_000)}…` : text;
}

export async function eventually<T>(probe: () => Promise<T> | T, options: EventuallyOptions<T>): Promise<T> {
  const interval = options.interval ?? 1_000;
  const deadline = performance.now() + options.timeout;
  let attempts = 0;
  let lastValue: unknown;
  let lastError: unknown;
  let sawValue = false;
  for (;;) {
    options.signal?.throwIfAborted();
    attempts++;
    try {
      const value = await probe();
      if (!options.until || options.until(value)) return value;
      lastValue = value;
      sawValue = true;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (performance.now() + interval > deadline) break;
    // sleep rejects with a generic AbortError; the abort's own reason says more.
    await sleep(interval, undefined, { signal: options.signal }).catch((error: unknown) => {
      options.signal?.throwIfAborted();
      throw error;
    });
  }
  const what = options.description ?? "the condition";
  const last =
    lastError !== undefined
      ? `the last attempt failed: ${lastError instanceof Error ? lastError.message : describe(lastError)}`
      : sawValue
        ? `the last value seen was ${describe(lastValue)}`
        : "no attempt finished";
  throw new EventuallyTimeout(`timed out after ${(options.timeout / 1000).toFixed(1)} s waiting for ${what} (${attempts} attempts); ${last}`, attempts, lastValue, lastError);
}
