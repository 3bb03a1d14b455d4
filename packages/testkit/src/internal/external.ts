// A server named in the environment (FOLIO_TEST_*): usable, but not ours to stop.
import type { ServerHandle } from "../types.js";
import { waitFor } from "../wait-for.js";

export class ExternalServer implements ServerHandle {
  readonly source = "environment" as const;
  readonly controllable = false;
  readonly running = true;
  #variable: string;

  constructor(variable: string) {
    this.#variable = variable;
  }

  async start(): Promise<void> {
    throw this.#refuse("start");
  }

  async stop(): Promise<void> {
    throw this.#refuse("stop");
  }

  async kill(): Promise<void> {
    throw this.#refuse("kill");
  }

  async dispose(): Promise<void> {
    // not ours: nothing to clean up
  }

  #refuse(action: string): Error {
    return new Error(
      `cannot ${action} an external server (the one in ${this.#variable}); ` +
        "pass { allowExternal: false } to get a server the test controls",
    );
  }
}

/** Fails fast, naming the variable, when a server named in the environment does not answer. */
export async function checkExternal(variable: string, probe: () => Promise<void>): Promise<void> {
  try {
    await waitFor(async () => (await probe(), true), { timeoutMs: 10_000, description: `the server in ${variable}` });
  } catch (error) {
    throw new Error(`${variable} is set, but the server does not answer: ${(error as Error).message}`, { cause: error });
  }
}
