/**
 * Ships tailed lines to the Redis stream in batches: one pipelined round trip of XADDs per batch, every
 * SHIP_INTERVAL_MS or as soon as a full batch is buffered.
 *
 * While Redis is unavailable the batch is retried with exponential backoff and jitter, and the buffer is
 * bounded: the tailer stops reading when it is full, so unread lines wait in their files on disk rather than
 * in memory. A line leaves the buffer only once Redis has acknowledged it, and only then may its file offset be
 * saved (onShipped), so a crash at any moment sends lines again rather than losing them: at least once.
 */
import type { Redis } from "ioredis";
import { isRedisUnavailable } from "@folio/config";
import type { Logger } from "@folio/logger";
import { appendLogEntries, type LogEntry } from "@folio/node-logs";

export interface ShipperOptions {
  batchSize: number;
  intervalMs: number;
  maxBuffered: number;
  retryMaxMs: number;
  /** The stream's cap (XADD MAXLEN ~). */
  maxLen: number;
}

export interface ShipperCounters {
  shipped: { inc(value?: number): void };
  errors: { inc(value?: number): void };
}

export class Shipper<T extends { entry: LogEntry }> {
  readonly #buffer: T[] = [];
  #timer: NodeJS.Timeout | undefined;
  #shipping: Promise<boolean> | undefined;
  #failures = 0;
  #stopped = false;
  #lastShippedAt: Date | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly options: ShipperOptions,
    /** Called with each batch Redis has stored, in order. */
    private readonly onShipped: (batch: T[]) => void,
    private readonly logger: Logger,
    private readonly counters: ShipperCounters,
  ) {}

  get buffered(): number {
    return this.#buffer.length;
  }

  /** How many more lines may be pushed before the buffer is full. */
  get room(): number {
    return Math.max(0, this.options.maxBuffered - this.#buffer.length);
  }

  get lastShippedAt(): Date | undefined {
    return this.#lastShippedAt;
  }

  push(items: readonly T[]): void {
    for (const item of items) this.#buffer.push(item);
    // A full batch goes at once, unless Redis is failing: then the backoff decides when to try again.
    if (this.#buffer.length >= this.options.batchSize && this.#failures === 0 && !this.#shipping && !this.#stopped) this.#schedule(0);
  }

  start(): void {
    this.#schedule(this.options.intervalMs);
  }

  /**
   * Stops the timer and ships what is buffered until the buffer is empty or `timeoutMs` has passed.
   * Resolves true when everything was shipped. Lines left over are not lost: their offsets were never saved.
   */
  async flush(timeoutMs: number): Promise<boolean> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    const deadline = Date.now() + timeoutMs;
    if (this.#shipping) await beforeDeadline(this.#shipping, deadline);
    while (this.#buffer.length > 0 && Date.now() < deadline) {
      if (await beforeDeadline(this.#ship(), deadline)) break;
      await sleep(Math.min(this.#backoffMs(), deadline - Date.now()));
    }
    return this.#buffer.length === 0;
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#tick(), delayMs);
  }

  async #tick(): Promise<void> {
    this.#shipping = this.#ship();
    const shipped = await this.#shipping;
    this.#shipping = undefined;
    if (!this.#stopped) this.#schedule(shipped ? this.options.intervalMs : this.#backoffMs());
  }

  /** Ships batch after batch until the buffer is empty (true) or Redis fails (false). */
  async #ship(): Promise<boolean> {
    while (this.#buffer.length > 0) {
      const batch = this.#buffer.slice(0, this.options.batchSize);
      try {
        await appendLogEntries(this.redis, batch.map((item) => item.entry), { maxLen: this.options.maxLen });
      } catch (error) {
        this.#failures += 1;
        this.counters.errors.inc();
        // Once per outage at warn; the ship errors metric counts every attempt. A command Redis refused (a ReplyError
        // such as WRONGTYPE) is no outage: retrying keeps the lines, but someone has to fix it, so it is an error.
        if (this.#failures === 1) {
          if (isRedisUnavailable(error)) this.logger.warn({ err: error, buffered: this.#buffer.length }, "shipping log lines failed; retrying with backoff");
          else this.logger.error({ err: error, buffered: this.#buffer.length }, "Redis refused the log lines; retrying with backoff until it accepts them");
        }
        return false;
      }
      this.#buffer.splice(0, batch.length);
      if (this.#failures > 0) this.logger.info({ failures: this.#failures }, "shipping log lines works again");
      this.#failures = 0;
      this.#lastShippedAt = new Date();
      this.counters.shipped.inc(batch.length);
      this.onShipped(batch);
    }
    return true;
  }

  /** Exponential from SHIP_INTERVAL_MS up to SHIP_RETRY_MAX_MS, with "equal jitter" so agents do not retry in step. */
  #backoffMs(): number {
    const ceiling = Math.min(this.options.retryMaxMs, this.options.intervalMs * 2 ** Math.min(this.#failures, 20));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** The promise's value, or false if the deadline passes first (the promise is then left to settle alone). */
async function beforeDeadline(promise: Promise<boolean>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()), false)));
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}
