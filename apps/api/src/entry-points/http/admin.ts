/**
 * What the node agents (apps/agent) report, for admins: the live nodes, from their heartbeats, and recent log
 * lines of Folio's pods, from the capped Redis stream the agents ship to. The Redis layout is owned by
 * @folio/node-logs; see docs/adr/0012-agent-shipping-format.md.
 */
import { z } from "zod";
import { isRedisUnavailable } from "@folio/config";
import { AppError, type ApiRouter, type RouteSpec } from "@folio/http-kit";
import { heartbeatSchema, listHeartbeats, logEntrySchema, readLogEntries } from "@folio/node-logs";
import type { AppDeps } from "../../deps.js";

/** Most stream entries one request examines, matching or not, so a rare filter cannot scan 50,000 entries. */
const LOGS_SCAN_LIMIT = 5_000;

const nodeSchema = heartbeatSchema.extend({
  live: z.boolean().meta({ description: "false once the heartbeat key expired: the node or its agent stopped" }),
  ageSeconds: z.number().meta({ description: "seconds since the heartbeat was written (clocks of the node and the API)" }),
}).meta({ id: "NodeHeartbeat" });

const logItemSchema = logEntrySchema.extend({
  id: z.string().meta({ description: "stream id; newer entries have greater ids" }),
  level: z.string().nullable().meta({ description: "from JSON (pino) lines; null for plain text" }),
}).meta({ id: "LogEntry" });

const STREAM_ID = /^\d{1,20}-\d{1,20}$/;
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * A stream id `<milliseconds>-<sequence>` that Redis accepts as an exclusive bound: each part a 64-bit unsigned
 * integer, and not 0-0, before which nothing can come (Redis answers "(0-0" with an error). The pattern alone lets
 * through ids Redis refuses, and Redis must never see them: its refusal is not an outage.
 */
const streamId = z
  .string()
  .regex(STREAM_ID, "a stream id such as 1767225600000-0")
  .refine((id) => {
    if (!STREAM_ID.test(id)) return true; // the pattern reports it
    const [ms, seq] = id.split("-").map(BigInt) as [bigint, bigint];
    return ms <= UINT64_MAX && seq <= UINT64_MAX && ms + seq > 0n;
  }, "a stream id Redis accepts: each part at most 18446744073709551615, and not 0-0");

/** The operations view's routes, as data: they drive validation and the OpenAPI document. */
export const adminRoutes = {
  listNodes: {
    method: "get",
    path: "/v1/admin/nodes",
    operationId: "listNodes",
    summary: "Nodes whose agent sent a heartbeat within the last hour, live or not",
    tags: ["admin"],
    auth: "admin",
    uses: ["redis"],
    responses: { 200: { description: "nodes, by name", schema: z.object({ items: z.array(nodeSchema) }) } },
  },
  listLogs: {
    method: "get",
    path: "/v1/admin/logs",
    operationId: "listLogs",
    summary: "Recent log lines of Folio's pods, newest first",
    tags: ["admin"],
    auth: "admin",
    query: z.strictObject({
      node: z.string().min(1).max(253).optional(),
      app: z.string().min(1).max(253).optional().meta({ description: "a container name, or the start of a pod name" }),
      limit: z.coerce.number().int().min(1).max(500).default(100),
      before: streamId.optional().meta({ description: "the previous page's nextBefore" }),
    }),
    uses: ["redis"],
    responses: {
      200: {
        description: `a page of entries; at most ${LOGS_SCAN_LIMIT} entries are examined per request, so a page can be short and still have a nextBefore`,
        schema: z.object({
          items: z.array(logItemSchema),
          nextBefore: z.string().nullable().meta({ description: "pass as ?before= for older entries; null at the oldest" }),
        }),
      },
    },
  },
} satisfies Record<string, RouteSpec>;

export function registerAdminRoutes(api: ApiRouter, deps: AppDeps): void {
  api.add(
    adminRoutes.listNodes,
    async (_input, _req, res) => {
      const heartbeats = await fromRedis(() => listHeartbeats(deps.cache));
      const now = Date.now();
      const items = heartbeats.map((heartbeat) => ({
        ...heartbeat,
        ageSeconds: Math.max(0, Math.round((now - Date.parse(heartbeat.sentAt)) / 100) / 10),
      }));
      res.setHeader("cache-control", "no-store").json({ items });
    },
  );

  api.add(
    adminRoutes.listLogs,
    async ({ query }, _req, res) => {
      const page = await fromRedis(() => readLogEntries(deps.cache, { ...query, scanLimit: LOGS_SCAN_LIMIT }));
      const items = page.items.map((entry) => ({ ...entry, level: entry.level ?? null }));
      res.setHeader("cache-control", "no-store").json({ items, nextBefore: page.nextBefore });
    },
  );
}

/**
 * Redis being away or too slow (REDIS_COMMAND_TIMEOUT_MS) is a 503 the client may retry. Any other failure, a
 * command Redis answered with an error above all, is a bug: retrying would fail the same way, so it stays a 500.
 */
async function fromRedis<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!isRedisUnavailable(error)) throw error;
    throw new AppError("redis_unavailable", 503, "Redis, which holds the node heartbeats and logs, is unavailable; retry shortly.", {
      cause: error,
      headers: { "retry-after": "5" },
    });
  }
}
