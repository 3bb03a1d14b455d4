/**
 * The file offsets, kept in STATE_DIR/offsets.json so that a restarted agent resumes where Redis last
 * acknowledged rather than sending every file again.
 *
 * Writes are atomic: the new content goes to a temporary file, is flushed to disk, and is renamed over the old
 * one, so a crash or a power cut leaves either the old or the new offsets, never half a file. Saves coalesce:
 * while one is being written, later ones wait and only the newest is written next.
 */
import { mkdir, open, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import type { Logger } from "@folio/logger";
import type { FilePosition } from "./tailer.js";

const stateSchema = z.object({
  version: z.literal(1),
  files: z.array(z.object({ path: z.string().min(1), inode: z.string().regex(/^\d+$/), offset: z.number().int().min(0) })),
});

export class OffsetStore {
  readonly path: string;
  #wanted: string | undefined;
  #written: string | undefined;
  #writing: Promise<void> | undefined;

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
  ) {
    this.path = join(dir, "offsets.json");
  }

  /** The saved positions; none when there is no file yet, or when it cannot be read (then files are read again). */
  async load(): Promise<FilePosition[]> {
    await mkdir(this.dir, { recursive: true });
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    try {
      const state = stateSchema.parse(JSON.parse(text));
      this.#written = text;
      return state.files;
    } catch (error) {
      this.logger.warn({ err: error, path: this.path }, "offsets file is unreadable; every file will be read from the start");
      return [];
    }
  }

  /** Resolves once these positions (or newer ones) are on disk. */
  save(positions: readonly FilePosition[]): Promise<void> {
    this.#wanted = `${JSON.stringify({ version: 1, files: positions }, null, 1)}\n`;
    this.#writing ??= this.#writeNewest().finally(() => (this.#writing = undefined));
    return this.#writing;
  }

  async #writeNewest(): Promise<void> {
    while (this.#wanted !== this.#written) {
      const text = this.#wanted!;
      const temporary = `${this.path}.tmp`;
      const handle = await open(temporary, "w");
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, this.path);
      this.#written = text;
    }
  }
}
