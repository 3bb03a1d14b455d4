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
 */
import type { Logger } from "@folio/logger";

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
  /** Starts the shutdown as if a signal arrived (for fatal errors, or a job that finished). */
  trigger(reason: string): Promise<number>;
  readonly draining: boolean;
}

export function createShutdown(options: ShutdownOptions): Shutdown {
  const { logger, delayMs, timeoutMs } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const steps: ShutdownStep[] = [];
  let running: Promise<number> | undefined;

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

  async function trigger(reason: string): Promise<number> {
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
      const code = await Promise.race([graceful, deadline]);
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
