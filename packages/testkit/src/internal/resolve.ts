// The order in which a service is looked for: the environment, local binaries, containers; else a clear error.
import type { ServerHandle } from "../types.js";
import { containersAvailable } from "./container-server.js";

export interface Candidates<T> {
  /** "PostgreSQL", for messages. */
  service: string;
  /** The local binaries looked for, and where: "redis-server on PATH". */
  binaries: string;
  /** How to get a server other than from Docker: ["install Redis (…)", "set FOLIO_TEST_REDIS_URL"]. */
  fixes: string[];
  /** A starter when the environment names a server, else undefined. */
  environment: () => (() => Promise<T>) | undefined;
  /** A starter when the local binaries exist, else undefined. */
  local: () => (() => Promise<T>) | undefined;
  container: () => Promise<T>;
}

export async function resolveServer<T>(candidates: Candidates<T>, allowExternal: boolean): Promise<T> {
  const { service, binaries, fixes } = candidates;
  const start = (allowExternal ? candidates.environment() : undefined) ?? candidates.local();
  if (start) return start();
  if (!(await containersAvailable())) {
    throw new Error(
      `No ${service} server for tests: found no ${binaries} and no Docker. ` +
        `Do one of: ${fixes.join("; ")}; or start Docker.`,
    );
  }
  try {
    return await candidates.container();
  } catch (error) {
    throw new Error(
      `No ${service} server for tests: found no ${binaries}, and a container did not start ` +
        `(${(error as Error).message.trim()}). Do one of: ${fixes.join("; or ")}.`,
      { cause: error },
    );
  }
}

/** A handle plus its connection details, keeping `running` live. */
export function withDetails<D extends object>(handle: ServerHandle, details: D): ServerHandle & D {
  return {
    ...details,
    source: handle.source,
    controllable: handle.controllable,
    get running() {
      return handle.running;
    },
    start: () => handle.start(),
    stop: () => handle.stop(),
    kill: () => handle.kill(),
    dispose: () => handle.dispose(),
  };
}
