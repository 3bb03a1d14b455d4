/**
 * Log entries: what the agent (apps/agent) appends to Redis on every node, and what the API reads back for
 * GET /v1/admin/logs. All of them go to one capped stream. Why a stream, why a cap, and what "at least once"
 * means for readers: docs/adr/0012-agent-shipping-format.md.
 */
import type { Redis } from "ioredis";
import { z } from "zod";

/** The stream every agent appends to. */
export const LOG_STREAM_KEY = "folio:logs";

export const logEntrySchema = z.object({
  node: z.string().min(1).meta({ description: "the Kubernetes node whose agent shipped the line" }),
  namespace: z.string().min(1),
  pod: z.string().min(1),
  container: z.string().min(1),
  stream: z.enum(["stdout", "stderr"]),
  time: z.string().min(1).meta({ description: "RFC 3339 timestamp written by the container runtime" }),
  level: z.string().optional().meta({ description: "from JSON (pino) lines: trace, debug, info, warn, error or fatal" }),
  message: z.string(),
});
export type LogEntry = z.infer<typeof logEntrySchema>;

export interface StoredLogEntry extends LogEntry {
  /** The stream id Redis gave the entry: `<milliseconds>-<sequence>`, increasing. */
  id: string;
}

/** A stream entry is a flat list of field names and values; `level` is left out when it is unknown. */
export function toFields(entry: LogEntry): string[] {
  const fields = ["node", entry.node, "namespace", entry.namespace, "pod", entry.pod, "container", entry.container];
  fields.push("stream", entry.stream, "time", entry.time);
  if (entry.level !== undefined) fields.push("level", entry.level);
  fields.push("message", entry.message);
  return fields;
}

/** The reverse of toFields; undefined for an entry that does not match the schema (written by something else). */
export function fromFields(fields: readonly string[]): LogEntry | undefined {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i]!] = fields[i + 1]!;
  const parsed = logEntrySchema.safeParse(record);
  return parsed.success ? parsed.data : undefined;
}

export interface AppendOptions {
  /** Roughly how many entries the stream keeps; older ones are trimmed as new ones arrive. */
  maxLen: number;
}

/**
 * Appends the entries in one pipeline (one round trip) and returns their ids. `MAXLEN ~` lets Redis trim
 * whole internal nodes only, so the stream holds at least `maxLen` entries and a little more, at a fraction
 * of the cost of an exact trim (https://redis.io/docs/latest/commands/xadd/#capped-streams).
 *
 * Throws if any XADD failed. Some of the batch may be stored even then; the caller sends the whole batch again,
 * so readers can see an entry twice (at least once).
 */
export async function appendLogEntries(redis: Redis, entries: readonly LogEntry[], { maxLen }: AppendOptions): Promise<string[]> {
  if (entries.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const entry of entries) pipeline.xadd(LOG_STREAM_KEY, "MAXLEN", "~", maxLen, "*", ...toFields(entry));
  const results = await pipeline.exec();
  if (!results) throw new Error("the Redis pipeline was discarded");
  return results.map(([error, id]) => {
    if (error) throw error;
    return id as string;
  });
}

export interface LogQuery {
  /** Only entries from this node. */
  node?: string;
  /** Only entries whose container is named this, or whose pod name starts with it ("folio-api"). */
  app?: string;
  /** Most entries returned. */
  limit: number;
  /** Only entries older than this stream id: the previous page's `nextBefore`. */
  before?: string;
  /**
   * Most entries examined, matching or not. It bounds the work of a filter that matches little: the page can
   * then hold fewer than `limit` entries and still have a `nextBefore`.
   */
  scanLimit: number;
}

export interface LogPage {
  /** Newest first. */
  items: StoredLogEntry[];
  /** Pass as `before` for the next (older) page; null when the scan reached the oldest entry. */
  nextBefore: string | null;
}

/** Entries read per XREVRANGE while a filter is set; without one, exactly what the page still needs. */
const FILTERED_CHUNK = 256;

/** Reads the newest entries first with XREVRANGE … COUNT, filtering by node and app, examining at most `scanLimit`. */
export async function readLogEntries(redis: Redis, query: LogQuery): Promise<LogPage> {
  const filtered = query.node !== undefined || query.app !== undefined;
  const items: StoredLogEntry[] = [];
  // "(" makes the bound exclusive (Redis 6.2 or later), so a page never repeats the previous page's last entry.
  let end = query.before === undefined ? "+" : `(${query.before}`;
  let examined = 0;
  let oldestSeen: string | undefined;
  while (examined < query.scanLimit) {
    const wanted = query.limit - items.length;
    const count = Math.min(filtered ? Math.max(wanted, FILTERED_CHUNK) : wanted, query.scanLimit - examined);
    const rows = await redis.xrevrange(LOG_STREAM_KEY, end, "-", "COUNT", count);
    for (const [id, fields] of rows) {
      examined += 1;
      oldestSeen = id;
      const entry = fromFields(fields);
      if (entry && matches(entry, query)) {
        items.push({ id, ...entry });
        if (items.length === query.limit) return { items, nextBefore: id };
      }
    }
    if (rows.length < count) return { items, nextBefore: null };
    end = `(${oldestSeen}`;
  }
  return { items, nextBefore: oldestSeen ?? null };
}

function matches(entry: LogEntry, { node, app }: LogQuery): boolean {
  if (node !== undefined && entry.node !== node) return false;
  if (app !== undefined && entry.container !== app && !entry.pod.startsWith(app)) return false;
  return true;
}
