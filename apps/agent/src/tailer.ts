/**
 * Follows the container log files of the watched pods, in the kubelet's layout:
 *
 *   <LOG_DIR>/<namespace>_<pod>_<uid>/<container>/<restart count>.log
 *
 * When a file reaches containerLogMaxSize, the kubelet renames it to `<n>.log.<timestamp>`, asks the runtime
 * to reopen `<n>.log`, and later compresses the older rotated files to `.gz`. Only `<n>.log` files are picked
 * up; a rotated file is read only as the continuation of the file it was, found by its inode, so nothing is
 * read twice.
 *
 * Polling rather than fs.watch: inotify instances and watches are per-user limits of the node's kernel
 * (fs.inotify.max_user_instances is 128 by default), shared by every container of that user on the node, and
 * log agents watching hostPath directories are the classic way to exhaust them. Watching here would take one
 * watch per pod and container directory, and a rename-and-reopen still has to be worked out with stat().
 * One stat per file per POLL_INTERVAL_MS is cheap, needs no kernel resources, and cannot miss an event.
 *
 * Offsets: each file has a read offset (how far it has been parsed) and a position that is safe to save (how
 * far every line has been acknowledged by Redis). Only the position is saved, so after a crash the agent reads
 * again from there: lines are shipped at least once, never lost by the agent while the file still exists.
 */
import { open, readdir, stat } from "node:fs/promises";
import { basename, dirname, join, relative, sep } from "node:path";
import type { Logger } from "@folio/logger";
import type { LogEntry } from "@folio/node-logs";
import { LineJoiner, parseCriLine, parsePayload, type JoinedLine } from "./cri.js";

export interface PodRef {
  namespace: string;
  pod: string;
  uid: string;
}

interface ContainerRef extends PodRef {
  container: string;
}

/** `<namespace>_<pod>_<uid>`: none of the three can contain "_" (DNS labels and subdomains, a UUID). */
export function parsePodDir(name: string): PodRef | undefined {
  const parts = name.split("_");
  if (parts.length !== 3 || parts.some((part) => part === "")) return undefined;
  const [namespace, pod, uid] = parts as [string, string, string];
  return { namespace, pod, uid };
}

/** The file the runtime writes to: `<restart count>.log`. Not `0.log.20260301-101500` nor its `.gz`. */
export const isCurrentLog = (name: string): boolean => /^\d+\.log$/.test(name);

/** A rotated file that is still plain text: `0.log.20260301-101500` (not `.gz`, not the compressor's `.tmp`). */
const isRotatedOf = (name: string, current: string): boolean =>
  name.startsWith(`${current}.`) && !name.endsWith(".gz") && !name.endsWith(".tmp");

export interface FilePosition {
  path: string;
  /** A string: inode numbers can exceed Number.MAX_SAFE_INTEGER (XFS, btrfs). */
  inode: string;
  offset: number;
}

/** A file being read, identified by its inode; `path` changes when the kubelet rotates it. */
export class TrackedFile {
  readonly joiner: LineJoiner;
  readOffset: number;
  /** Up to here every line of the file is in Redis (or was not a line to ship). */
  ackedOffset: number;
  /** Lines of this file handed to the shipper and not yet acknowledged. */
  inflight = 0;
  size = 0;

  constructor(
    public path: string,
    readonly inode: bigint,
    readonly source: ContainerRef,
    offset: number,
    messageMaxBytes: number,
  ) {
    this.readOffset = offset;
    this.ackedOffset = offset;
    this.joiner = new LineJoiner(messageMaxBytes);
  }

  /** Where reading would restart after a crash. */
  get position(): number {
    if (this.inflight > 0) return this.ackedOffset;
    return Math.min(this.readOffset, this.joiner.pendingStart ?? this.readOffset);
  }
}

export interface TailedLine {
  entry: LogEntry;
  file: TrackedFile;
  /** Once this line and every line before it are acknowledged, the file is safe up to here. */
  checkpoint: number;
}

/** Where lines go (the shipper). Reading pauses while it has no room; the lines wait on disk. */
export interface LineSink {
  readonly room: number;
  push(lines: TailedLine[]): void;
}

export interface TailerOptions {
  logDir: string;
  node: string;
  /** Empty: every namespace. */
  namespaces: readonly string[];
  /** Empty: every pod. */
  podPrefixes: readonly string[];
  messageMaxBytes: number;
  pollIntervalMs: number;
}

export interface TailerCounters {
  malformed: { inc(value?: number): void };
}

/** Larger than the longest CRI line (containerd cuts lines at 16 KiB). */
const READ_CHUNK_BYTES = 256 * 1024;
const NEWLINE = 0x0a;

export class Tailer {
  /** By current path: the `<n>.log` files, and rotated files until they are compressed or deleted. */
  readonly #files = new Map<string, TrackedFile>();
  /** Saved positions, matched to files by the first poll. */
  #saved: Map<string, FilePosition> | undefined;
  readonly #warned = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;
  #stopped = false;

  constructor(
    private readonly options: TailerOptions,
    saved: readonly FilePosition[],
    private readonly sink: LineSink,
    private readonly logger: Logger,
    private readonly counters: TailerCounters,
  ) {
    this.#saved = new Map(saved.map((position) => [position.path, position]));
  }

  get filesTailed(): number {
    return this.#files.size;
  }

  /** Bytes in the tailed files that Redis has not acknowledged yet. */
  get lagBytes(): number {
    let lag = 0;
    for (const file of this.#files.values()) lag += Math.max(0, file.size - file.position);
    return lag;
  }

  positions(): FilePosition[] {
    return [...this.#files.values()].map((file) => ({ path: file.path, inode: String(file.inode), offset: file.position }));
  }

  /** Called with lines Redis has stored, in the order they were pushed. */
  acknowledge(lines: readonly TailedLine[]): void {
    for (const { file, checkpoint } of lines) {
      file.inflight -= 1;
      if (checkpoint > file.ackedOffset) file.ackedOffset = checkpoint;
    }
  }

  start(): void {
    const tick = () => {
      this.#polling = this.poll()
        .catch((error: unknown) => this.logger.error({ err: error }, "polling the log files failed"))
        .finally(() => {
          this.#polling = undefined;
          if (!this.#stopped) this.#timer = setTimeout(tick, this.options.pollIntervalMs);
        });
    };
    tick();
  }

  /** Stops polling; resolves when the poll in progress (if any) is done. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#polling;
  }

  /** One pass: find the files, notice rotations, read what is new. */
  async poll(): Promise<void> {
    const current = await this.#discover();
    if (this.#saved) await this.#restoreRotated();
    for (const [path, source] of current) await this.#follow(path, source);
    for (const [path, file] of this.#files) {
      if (current.has(path)) continue;
      // A rotated file: read on until the kubelet compresses or deletes it.
      if (await this.#stillThere(file)) {
        await this.#read(file);
        continue;
      }
      // Renamed by the kubelet just now, before the runtime created the new file? Else the pod is gone.
      const renamed = isCurrentLog(basename(path)) && (await this.#rotated(file));
      if (!renamed) this.#forget(file, "gone");
    }
    this.#saved = undefined;
  }

  async #discover(): Promise<Map<string, ContainerRef>> {
    const found = new Map<string, ContainerRef>();
    for (const podDir of await this.#list(this.options.logDir)) {
      const pod = parsePodDir(podDir);
      if (!pod || !this.#watches(pod)) continue;
      for (const container of await this.#list(join(this.options.logDir, podDir))) {
        const dir = join(this.options.logDir, podDir, container);
        for (const name of await this.#list(dir)) {
          if (isCurrentLog(name)) found.set(join(dir, name), { ...pod, container });
        }
      }
    }
    return found;
  }

  #watches(pod: PodRef): boolean {
    const { namespaces, podPrefixes } = this.options;
    return (
      (namespaces.length === 0 || namespaces.includes(pod.namespace)) &&
      (podPrefixes.length === 0 || podPrefixes.some((prefix) => pod.pod.startsWith(prefix)))
    );
  }

  /** Saved positions of rotated files: the agent stopped while one was still being read. */
  async #restoreRotated(): Promise<void> {
    for (const saved of this.#saved!.values()) {
      if (isCurrentLog(basename(saved.path))) continue;
      const source = this.#sourceOf(saved.path);
      if (!source || this.#files.has(saved.path)) continue;
      const stats = await stat(saved.path, { bigint: true }).catch(() => undefined);
      if (!stats || String(stats.ino) !== saved.inode) {
        this.logger.warn({ path: saved.path }, "a rotated log file was compressed or deleted before it was read to the end; lines may be lost");
        continue;
      }
      this.#files.set(saved.path, new TrackedFile(saved.path, stats.ino, source, saved.offset, this.options.messageMaxBytes));
    }
  }

  #sourceOf(path: string): ContainerRef | undefined {
    const [podDir, container, file, ...rest] = relative(this.options.logDir, path).split(sep);
    const pod = podDir ? parsePodDir(podDir) : undefined;
    if (!pod || !container || !file || rest.length > 0 || !this.#watches(pod)) return undefined;
    return { ...pod, container };
  }

  async #follow(path: string, source: ContainerRef): Promise<void> {
    const stats = await stat(path, { bigint: true }).catch(() => undefined);
    if (!stats) return; // between the kubelet's rename and the runtime's reopen; or the pod is going away
    let file = this.#files.get(path);
    if (!file) {
      file = await this.#adopt(path, stats.ino, stats.size, source);
    } else if (file.inode !== stats.ino) {
      if (!(await this.#rotated(file))) this.#forget(file, "rotated away");
      file = this.#track(path, stats.ino, source, 0);
    } else if (stats.size < BigInt(file.readOffset)) {
      // copytruncate-style rotation: same inode, shorter content. Start over with a new record, so that
      // acknowledgements of lines from before the truncation cannot move the new position.
      this.logger.info({ path }, "log file truncated; reading it from the start");
      file = this.#track(path, stats.ino, source, 0);
    }
    await this.#read(file);
  }

  /** A file seen for the first time since start: resume from its saved position, if any. */
  async #adopt(path: string, inode: bigint, size: bigint, source: ContainerRef): Promise<TrackedFile> {
    const saved = this.#saved?.get(path);
    if (saved?.inode === String(inode) && BigInt(saved.offset) <= size) return this.#track(path, inode, source, saved.offset);
    if (saved && saved.inode !== String(inode)) {
      // Rotated while the agent was away: finish the old file (now under its rotated name) first.
      const old = new TrackedFile(path, BigInt(saved.inode), source, saved.offset, this.options.messageMaxBytes);
      if (!(await this.#rotated(old))) this.#forget(old, "rotated away");
    }
    return this.#track(path, inode, source, 0);
  }

  #track(path: string, inode: bigint, source: ContainerRef, offset: number): TrackedFile {
    const file = new TrackedFile(path, inode, source, offset, this.options.messageMaxBytes);
    this.#files.set(path, file);
    return file;
  }

  /**
   * The file at `file.path` was renamed: find its inode under a rotated name and keep reading it there.
   * False when no rotated file has that inode (compressed or deleted already, or the pod is gone).
   */
  async #rotated(file: TrackedFile): Promise<boolean> {
    const dir = dirname(file.path);
    const current = basename(file.path);
    for (const name of await this.#list(dir)) {
      if (!isRotatedOf(name, current)) continue;
      const rotated = join(dir, name);
      const stats = await stat(rotated, { bigint: true }).catch(() => undefined);
      if (stats?.ino !== file.inode) continue;
      if (this.#files.get(file.path) === file) this.#files.delete(file.path);
      file.path = rotated;
      this.#files.set(rotated, file);
      await this.#read(file);
      return true;
    }
    return false;
  }

  async #stillThere(file: TrackedFile): Promise<boolean> {
    const stats = await stat(file.path, { bigint: true }).catch(() => undefined);
    return stats?.ino === file.inode;
  }

  /**
   * Stops following a file that is gone: its pod was deleted ("gone"), or it was rotated and its rotated copy
   * is already compressed or deleted ("rotated away"), which happens when the agent falls behind by more than
   * a whole file (Redis down for long, the agent not running).
   */
  #forget(file: TrackedFile, why: "gone" | "rotated away"): void {
    if (this.#files.get(file.path) === file) this.#files.delete(file.path);
    // Pieces of a line whose end will never come: ship them as they are.
    const rest = file.joiner.flush().map((joined) => this.#toLine(file, joined, file.readOffset));
    if (rest.length > 0) this.#hand(file, rest);
    const unreadBytes = Math.max(0, file.size - file.readOffset);
    if (why === "rotated away" || unreadBytes > 0) {
      this.logger.warn({ path: file.path, why, unreadBytes }, "a log file went away before it was read to the end; lines may be lost");
    }
  }

  /** Reads complete lines from the read offset while the sink has room. */
  async #read(file: TrackedFile): Promise<void> {
    const handle = await open(file.path, "r").catch(() => undefined);
    if (!handle) return;
    try {
      const { ino, size } = await handle.stat({ bigint: true });
      if (ino !== file.inode) return; // replaced since the stat; the next poll handles it
      file.size = Number(size);
      const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
      while (file.readOffset < file.size && this.sink.room > 0) {
        const length = Math.min(READ_CHUNK_BYTES, file.size - file.readOffset);
        const { bytesRead } = await handle.read(buffer, 0, length, file.readOffset);
        if (bytesRead === 0 || this.#consume(file, buffer.subarray(0, bytesRead)) === 0) break;
      }
    } finally {
      await handle.close();
    }
  }

  /** Parses the complete lines of `chunk` (read at the file's read offset); returns the bytes consumed. */
  #consume(file: TrackedFile, chunk: Buffer): number {
    const lines: TailedLine[] = [];
    const room = this.sink.room;
    let consumed = 0;
    while (lines.length < room) {
      const newline = chunk.indexOf(NEWLINE, consumed);
      if (newline < 0) break;
      const start = file.readOffset + consumed;
      const end = file.readOffset + newline + 1;
      const cri = parseCriLine(chunk.subarray(consumed, newline));
      consumed = newline + 1;
      if (!cri) {
        this.counters.malformed.inc();
        continue;
      }
      const joined = file.joiner.add(cri, start);
      if (joined) lines.push(this.#toLine(file, joined, end));
    }
    if (consumed === 0 && chunk.length === READ_CHUNK_BYTES) {
      // No newline in a whole chunk: not a CRI file. Skip it rather than stall on it forever.
      this.counters.malformed.inc();
      consumed = chunk.length;
    }
    file.readOffset += consumed;
    if (lines.length > 0) this.#hand(file, lines);
    return consumed;
  }

  #toLine(file: TrackedFile, joined: JoinedLine, end: number): TailedLine {
    const { level, message } = parsePayload(joined);
    const { namespace, pod, container } = file.source;
    const entry: LogEntry = { node: this.options.node, namespace, pod, container, stream: joined.stream, time: joined.time, message };
    if (level !== undefined) entry.level = level;
    return { entry, file, checkpoint: Math.min(end, file.joiner.pendingStart ?? end) };
  }

  #hand(file: TrackedFile, lines: TailedLine[]): void {
    file.inflight += lines.length;
    this.sink.push(lines);
  }

  /** Directory entries; nothing for a directory that is gone (a pod being deleted), a warning once for others. */
  async #list(dir: string): Promise<string[]> {
    try {
      return await readdir(dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOTDIR" || (code === "ENOENT" && dir !== this.options.logDir)) return [];
      if (!this.#warned.has(dir)) {
        this.#warned.add(dir);
        this.logger.warn({ err: error, dir }, "cannot list a log directory");
      }
      return [];
    }
  }
}
