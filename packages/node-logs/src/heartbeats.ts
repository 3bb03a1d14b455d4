/**
 * Heartbeats: every agent keeps a key `folio:nodes:<node>` alive with a TTL, so a node whose agent stopped
 * stops being live by itself, with nothing to clean up. Each heartbeat is also recorded in one hash of last
 * heartbeats, so that a dead node stays visible (as not live, its last heartbeat growing older) instead of
 * vanishing: that is what a workshop watches when it stops a node. See docs/adr/0012-agent-shipping-format.md.
 */
import type { Redis } from "ioredis";
import { z } from "zod";

export const NODE_KEY_PREFIX = "folio:nodes:";

export const nodeKey = (node: string): string => `${NODE_KEY_PREFIX}${node}`;

/** node → its last heartbeat. Outside NODE_KEY_PREFIX on purpose: the SCAN below must not meet it. */
export const LAST_HEARTBEATS_KEY = "folio:node-last-heartbeats";

/** A node not heard from for this long is dropped from the list altogether. */
export const FORGET_NODES_AFTER_MS = 60 * 60 * 1000;

export const heartbeatSchema = z.object({
  node: z.string().min(1),
  agentVersion: z.string(),
  startedAt: z.iso.datetime().meta({ description: "when the agent process started" }),
  sentAt: z.iso.datetime().meta({ description: "when the agent wrote this heartbeat (the node's clock)" }),
  lastShippedAt: z.iso.datetime().nullable().meta({ description: "when Redis last acknowledged a batch of lines" }),
  filesTailed: z.number().int().min(0),
  lagBytes: z.number().int().min(0).meta({ description: "bytes in the tailed files not yet acknowledged by Redis" }),
});
export type Heartbeat = z.infer<typeof heartbeatSchema>;

export async function writeHeartbeat(redis: Redis, heartbeat: Heartbeat, ttlSeconds: number): Promise<void> {
  const json = JSON.stringify(heartbeat);
  await redis.multi().set(nodeKey(heartbeat.node), json, "EX", ttlSeconds).hset(LAST_HEARTBEATS_KEY, heartbeat.node, json).exec();
}

export interface NodeStatus extends Heartbeat {
  /** Its heartbeat key has not expired: the agent wrote within its TTL. */
  live: boolean;
}

/**
 * Every node heard from within FORGET_NODES_AFTER_MS, live or not, sorted by node name.
 *
 * Found with SCAN rather than kept in an index (a sorted set of nodes) because an index needs its own pruning
 * of dead nodes, while a key with a TTL expires by itself. The cost: SCAN walks the whole keyspace of the
 * database, whatever the number of nodes, in steps of COUNT keys. With the public cache and the queue sharing
 * this Redis that is thousands of keys, a few round trips, for an admin page; past a few hundred thousand keys,
 * an index would be the better trade.
 */
export async function listHeartbeats(redis: Redis, now = Date.now()): Promise<NodeStatus[]> {
  const live = await liveHeartbeats(redis);
  const liveNodes = new Set(live.map((heartbeat) => heartbeat.node));
  const nodes: NodeStatus[] = live.map((heartbeat) => ({ ...heartbeat, live: true }));
  const forgotten: string[] = [];
  for (const [node, value] of Object.entries(await redis.hgetall(LAST_HEARTBEATS_KEY))) {
    if (liveNodes.has(node)) continue;
    const parsed = heartbeatSchema.safeParse(safeJson(value));
    if (!parsed.success || now - Date.parse(parsed.data.sentAt) > FORGET_NODES_AFTER_MS) forgotten.push(node);
    else nodes.push({ ...parsed.data, live: false });
  }
  if (forgotten.length > 0) await redis.hdel(LAST_HEARTBEATS_KEY, ...forgotten);
  return nodes.sort((a, b) => a.node.localeCompare(b.node));
}

async function liveHeartbeats(redis: Redis): Promise<Heartbeat[]> {
  const keys = new Set<string>(); // SCAN may return a key more than once
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", `${NODE_KEY_PREFIX}*`, "COUNT", 1000);
    cursor = next;
    for (const key of batch) keys.add(key);
  } while (cursor !== "0");
  if (keys.size === 0) return [];

  const values = await redis.mget(...keys);
  const heartbeats: Heartbeat[] = [];
  for (const value of values) {
    if (value === null) continue; // expired between SCAN and MGET
    const parsed = heartbeatSchema.safeParse(safeJson(value));
    if (parsed.success) heartbeats.push(parsed.data);
  }
  return heartbeats.sort((a, b) => a.node.localeCompare(b.node));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
