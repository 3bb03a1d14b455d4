/**
 * Feature flags from a JSON file, typically a ConfigMap mounted as a volume. The kubelet updates such files
 * in place (an atomic symlink swap) without restarting the pod, so the file is polled and re-read on change.
 * A broken edit keeps the last good flags and is reported, rather than taking the flags away.
 */
import { readFileSync, unwatchFile, watchFile, type Stats } from "node:fs";
import { z } from "zod";
import type { Logger } from "@folio/logger";

export const flagsSchema = z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/), z.union([z.boolean(), z.number(), z.string()]));
export type Flags = z.infer<typeof flagsSchema>;

export interface FlagsSnapshot {
  flags: Flags;
  source: string | null;
  loadedAt: Date;
  /** The problem with the file's current content, if the last reload failed. */
  error: string | null;
}

export class FlagStore {
  #snapshot: FlagsSnapshot = { flags: {}, source: null, loadedAt: new Date(), error: null };

  constructor(
    private readonly path: string | undefined,
    private readonly pollMs: number,
    private readonly logger: Logger,
  ) {}

  /** Reads the file; throws at start when it exists but is invalid (fail fast on a bad deploy). */
  start(): void {
    if (!this.path) return;
    const result = this.#read();
    if ("error" in result) throw new Error(`feature flags file ${this.path}: ${result.error}`);
    this.#snapshot = { flags: result.flags, source: this.path, loadedAt: new Date(), error: null };
    watchFile(this.path, { interval: this.pollMs, persistent: false }, (current: Stats, previous: Stats) => {
      if (current.mtimeMs !== previous.mtimeMs || current.size !== previous.size || current.ino !== previous.ino) this.reload();
    });
  }

  stop(): void {
    if (this.path) unwatchFile(this.path);
  }

  reload(): void {
    if (!this.path) return;
    const result = this.#read();
    if ("error" in result) {
      this.#snapshot = { ...this.#snapshot, error: result.error };
      this.logger.warn({ file: this.path, problem: result.error }, "feature flags file invalid, keeping the last good flags");
      return;
    }
    this.#snapshot = { flags: result.flags, source: this.path, loadedAt: new Date(), error: null };
    this.logger.info({ file: this.path, flags: Object.keys(result.flags).length }, "feature flags reloaded");
  }

  get snapshot(): FlagsSnapshot {
    return this.#snapshot;
  }

  #read(): { flags: Flags } | { error: string } {
    let text: string;
    try {
      text = readFileSync(this.path!, "utf8");
    } catch (error) {
      return { error: `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      return { error: `not valid JSON: ${(error as Error).message}` };
    }
    const parsed = flagsSchema.safeParse(json);
    if (!parsed.success) return { error: parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ") };
    return { flags: parsed.data };
  }
}
