/**
 * The CRI log format, which containerd and CRI-O write under /var/log/pods, one line per record:
 *
 *   <RFC 3339 timestamp> <stdout|stderr> <tags> <message>\n
 *
 * `tags` is a ":"-separated list whose first tag is P (partial: the runtime cut a long line, more follows) or
 * F (full: the only or the last piece). Runtimes cut at a byte count (containerd: 16 KiB), which can split a
 * UTF-8 character in two, so pieces are joined as bytes and decoded once.
 * Spec: https://github.com/kubernetes/design-proposals-archive/blob/main/node/kubelet-cri-logging.md
 */

export type StreamName = "stdout" | "stderr";

export interface CriLine {
  time: string;
  stream: StreamName;
  partial: boolean;
  message: Buffer;
}

const SPACE = 0x20;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** One line without its "\n"; undefined when it is not in the CRI format. */
export function parseCriLine(line: Buffer): CriLine | undefined {
  const first = line.indexOf(SPACE);
  const second = first < 0 ? -1 : line.indexOf(SPACE, first + 1);
  if (second < 0) return undefined;
  const third = line.indexOf(SPACE, second + 1);
  const time = line.toString("latin1", 0, first);
  const stream = line.toString("latin1", first + 1, second);
  const tag = line.toString("latin1", second + 1, third < 0 ? line.length : third).split(":")[0];
  if (!TIMESTAMP.test(time) || (stream !== "stdout" && stream !== "stderr") || (tag !== "P" && tag !== "F")) return undefined;
  // An empty record may come without the space before its (empty) message.
  const message = third < 0 ? Buffer.alloc(0) : line.subarray(third + 1);
  return { time, stream, partial: tag === "P", message };
}

export interface JoinedLine {
  /** The timestamp of the first piece. */
  time: string;
  stream: StreamName;
  /** At most the joiner's maxBytes, cut at a character boundary. */
  message: Buffer;
  /** Byte offset of the first piece in its file: reading must restart here if this line is not shipped. */
  start: number;
  truncated: boolean;
}

interface OpenLine {
  time: string;
  start: number;
  pieces: Buffer[];
  bytes: number;
  truncated: boolean;
}

/**
 * Joins P pieces with their F piece, separately per stream (the runtime cuts stdout and stderr independently,
 * and their pieces interleave). Keeps at most `maxBytes` of a line, so a program printing a line of gigabytes
 * without a newline costs bounded memory.
 */
export class LineJoiner {
  readonly #open = new Map<StreamName, OpenLine>();

  constructor(private readonly maxBytes: number) {}

  /** Adds the line that starts at byte `start` of its file; returns the whole line once its F piece arrives. */
  add(line: CriLine, start: number): JoinedLine | undefined {
    const open = this.#open.get(line.stream) ?? { time: line.time, start, pieces: [], bytes: 0, truncated: false };
    if (open.bytes < this.maxBytes) {
      open.pieces.push(line.message);
      open.bytes += line.message.length;
    } else if (line.message.length > 0) {
      open.truncated = true;
    }
    if (line.partial) {
      this.#open.set(line.stream, open);
      return undefined;
    }
    this.#open.delete(line.stream);
    return this.#finish(line.stream, open);
  }

  /** The offset of the oldest piece still waiting for its F line. */
  get pendingStart(): number | undefined {
    let oldest: number | undefined;
    for (const open of this.#open.values()) oldest = Math.min(oldest ?? open.start, open.start);
    return oldest;
  }

  /** Lines whose F piece will never come (their file was rotated and read to the end), as far as they got. */
  flush(): JoinedLine[] {
    const lines = [...this.#open].map(([stream, open]) => this.#finish(stream, open));
    this.#open.clear();
    return lines;
  }

  #finish(stream: StreamName, open: OpenLine): JoinedLine {
    const joined = open.pieces.length === 1 ? open.pieces[0]! : Buffer.concat(open.pieces);
    const message = truncateUtf8(joined, this.maxBytes);
    return { time: open.time, stream, message, start: open.start, truncated: open.truncated || message.length < joined.length };
  }
}

/** Cuts UTF-8 bytes to at most `max` bytes without splitting a character. */
export function truncateUtf8(bytes: Buffer, max: number): Buffer {
  if (bytes.length <= max) return bytes;
  let end = max;
  // A continuation byte (10xxxxxx) at the cut means the character it belongs to started before the cut.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end);
}

export const TRUNCATED_MARK = " [truncated]";

export interface Payload {
  level?: string;
  message: string;
}

const PINO_LEVELS: Record<number, string> = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };
/** Fields the entry already carries (level, the runtime's time, the pod for hostname) or that say nothing. */
const DROPPED_FIELDS = new Set(["level", "time", "msg", "pid", "hostname"]);

/**
 * Folio's services log with pino: one JSON object per line with `level` and `msg`. From such a line the level
 * is taken out, and the message becomes `msg` followed by the remaining fields as compact JSON, so an access
 * line still shows its URL and status and an error its stack. Anything else stays the text it was.
 */
export function parsePayload(line: JoinedLine): Payload {
  const text = line.message.toString("utf8");
  // A cut line is not valid JSON any more; ship it as text.
  if (line.truncated) return { message: `${text}${TRUNCATED_MARK}` };
  if (!text.startsWith("{")) return { message: text };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { message: text };
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return { message: text };
  const record = parsed as Record<string, unknown>;
  const level = levelName(record.level);
  if (typeof record.msg !== "string") return level ? { level, message: text } : { message: text };
  const rest = Object.fromEntries(Object.entries(record).filter(([key]) => !DROPPED_FIELDS.has(key)));
  const message = Object.keys(rest).length > 0 ? `${record.msg} ${JSON.stringify(rest)}` : record.msg;
  return level ? { level, message } : { message };
}

function levelName(level: unknown): string | undefined {
  if (typeof level === "number") return PINO_LEVELS[level];
  if (typeof level === "string" && /^[a-z]{1,10}$/i.test(level)) return level.toLowerCase();
  return undefined;
}
