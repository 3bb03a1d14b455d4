/**
 * What a running service does with an error nobody handled, the same in every Folio process
 * (docs/adr/0020-unhandled-rejections-and-uncaught-exceptions.md):
 *
 * - An unhandled promise rejection is logged at error level with its stack, counted
 *   (folio_unhandled_rejections_total) and the process keeps serving. The code that created the promise ran to
 *   its end; only the result went unobserved, so nothing is left half-done in memory. Node's default (exit at
 *   once) would turn one missing `.catch()`, often inside a library, into every replica exiting at the same
 *   moment when the same dependency blips for all of them.
 * - An uncaught exception is logged as fatal, and the process drains through its normal shutdown (readiness
 *   fails, the steps run under the hard deadline) and exits 1, so Kubernetes restarts it. An exception unwound
 *   a stack through code that did not expect it, so the process's state is unknown; Node's documentation says
 *   it is not safe to carry on (https://nodejs.org/api/process.html#warning-using-uncaughtexception-correctly).
 */
import type { Logger } from "@folio/logger";
import { Counter, type Registry } from "prom-client";
import type { Shutdown } from "./index.js";

export interface ProcessErrorOptions {
  logger: Logger;
  /** The service's shutdown. Without one (a run-once job), an uncaught exception exits 1 as soon as it is logged. */
  shutdown?: Pick<Shutdown, "trigger">;
  /** Where to count unhandled rejections; alert on any increase, each one is a bug. */
  registry?: Registry;
  /** Injected in tests; defaults to process.exit. */
  exit?: (code: number) => void;
}

/** Installs the handlers on `process`; returns a function that removes them. */
export function handleProcessErrors(options: ProcessErrorOptions): () => void {
  const { logger, shutdown, registry } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const rejections = registry
    ? new Counter({
        name: "folio_unhandled_rejections_total",
        help: "Promise rejections nobody handled; the process logged each one and kept serving (a bug to fix)",
        registers: [registry],
      })
    : undefined;

  const onRejection = (reason: unknown) => {
    rejections?.inc();
    logger.error({ err: reason }, "unhandled promise rejection; still serving");
  };
  const onException = (error: Error, origin: NodeJS.UncaughtExceptionOrigin) => {
    logger.fatal({ err: error, origin }, "uncaught exception; shutting down");
    if (shutdown) void shutdown.trigger("uncaughtException", { failed: true });
    else exit(1);
  };
  process.on("unhandledRejection", onRejection);
  process.on("uncaughtException", onException);
  return () => {
    process.removeListener("unhandledRejection", onRejection);
    process.removeListener("uncaughtException", onException);
  };
}
