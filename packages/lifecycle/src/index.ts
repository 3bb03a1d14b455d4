/**
 * Graceful shutdown, the same way in every Folio service.
 *
 * Kubernetes sends SIGTERM, keeps routing traffic for a moment while endpoints update, and sends SIGKILL
 * after terminationGracePeriodSeconds. So, on the first SIGTERM or SIGINT:
 *   1. mark the service as draining (readiness fails, new work stops being routed here);
 *   2. wait `delayMs` so load balancers notice;
 *   3. run the registered steps in order (close the HTTP server, close workers and queues, end pools);
 *   4. exit 0, or exit 1 if a step failed or the hard deadline (`timeoutMs`) passed.
 * A second signal exits 1 at once: the operator asked twice.
 *
 * What an error nobody handled does to the process (an unhandled rejection, an uncaught exception) is decided
 * once for every service in process-errors.ts (docs/adr/0020-unhandled-rejections-and-uncaught-exceptions.md).
 */
import type { Logger } from "@folio/logger";

export { handleProcessErrors, type ProcessErrorOptions } from "./process-errors.js";

export interface ShutdownStep {
  name: string;
  run: () => Promise<void> | void;
}

export interface ShutdownOptions {
  logger: Logger;
  /** Called first, synchronously: flip readiness to failing here. */
  onDrain?: () => void;
  delayMs: number;
  timeoutMs: number;
  signals?: NodeJS.Signals[];
  /** Injected in tests; defaults to process.exit. */
  exit?: (code: number) => void;
}

export interface Shutdown {
  /** Steps run in the order they were added. */
  add(name: string, run: ShutdownStep["run"]): void;
  /**
   * Starts the shutdown as if a signal arrived (for fatal errors, or a job that finished). With `failed`, the
   * exit code is 1 even when every step succeeds; it also applies to a shutdown that is already running.
   */
  trigger(reason: string, options?: { failed?: boolean }): Promise<number>;
  readonly draining: boolean;
}

export function createShutdown(options: ShutdownOptions): Shutdown {
  const { logger, delayMs, timeoutMs } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const steps: ShutdownStep[] = [];
  let running: Promise<number> | undefined;
  let failed = false;

  async function runSteps(): Promise<number> {
    let code = 0;
    for (const step of steps) {
      const started = Date.now();
      try {
        await step.run();
        logger.info({ step: step.name, ms: Date.now() - started }, "shutdown step done");
      } catch (error) {
        code = 1;
        logger.error({ err: error, step: step.name }, "shutdown step failed");
      }
    }
    return code;
  }

  async function trigger(reason: string, triggerOptions: { failed?: boolean } = {}): Promise<number> {
    if (triggerOptions.failed) failed = true;
    if (running) return running;
    running = (async () => {
      logger.info({ reason, delayMs, timeoutMs }, "shutting down");
      options.onDrain?.();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<number>((resolve) => {
        timer = setTimeout(() => {
          logger.error({ timeoutMs }, "shutdown deadline passed, exiting anyway");
          resolve(1);
        }, timeoutMs);
      });
      const graceful = (async () => {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        return runSteps();
      })();
      const code = Math.max(await Promise.race([graceful, deadline]), failed ? 1 : 0);
      clearTimeout(timer);
      logger.info({ code }, "shutdown complete");
      // pino.destination() registers its own exit hook that flushes pending log lines synchronously.
      exit(code);
      return code;
    })();
    return running;
  }

  for (const signal of options.signals ?? ["SIGTERM", "SIGINT"]) {
    process.on(signal, () => {
      if (running) {
        logger.warn({ signal }, "second signal during shutdown, exiting now");
        exit(1);
        return;
      }
      void trigger(signal);
    });
  }

  return {
    add: (name, run) => void steps.push({ name, run }),
    trigger,
    get draining() {
      return running !== undefined;
    },
  };
}
