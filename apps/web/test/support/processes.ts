/**
 * Real Folio processes for the browser tests, started from their compiled entry points with the testkit's
 * ServiceProcess (as the crash tests in tests/crash do).
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
export { ServiceProcess, freePort, waitReady } from "@folio/testkit";

const require = createRequire(import.meta.url);

/** A compiled entry point of an app, found through this package's workspace dev dependencies. */
export function entryPoint(pkg: "@folio/api" | "@folio/worker", file: string): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), "dist", file);
}

