/**
 * Node health for the operations page. An agent rewrites its heartbeat every 5 s with a 15 s TTL
 * (docs/adr/0012-agent-shipping-format.md), so:
 *  - up to LATE_AFTER_SECONDS old: live;
 *  - older: late (at least one heartbeat missed; the node, its agent or Redis may be in trouble);
 *  - not live (its heartbeat key expired), or missing from the answer after the page saw it: gone. The API
 *    keeps listing a dead node for an hour, so it stays visible after a reload, its last heartbeat growing older.
 */
import type { NodeHeartbeat } from "../api/types.ts";

export const LATE_AFTER_SECONDS = 10;

export type NodeState = "live" | "late" | "gone";

export interface NodeView {
  heartbeat: NodeHeartbeat;
  state: NodeState;
  /** Seconds since the last heartbeat, as of the observation. */
  ageSeconds: number;
}

export interface NodeMemory {
  /** When (Date.now()) each node's heartbeat was last received, with the heartbeat. */
  seen: Map<string, { heartbeat: NodeHeartbeat; receivedAt: number }>;
}

export function emptyMemory(): NodeMemory {
  return { seen: new Map() };
}

/** Merges a fresh answer into what the page remembers and returns every node with its state, by name. */
export function observeNodes(memory: NodeMemory, live: NodeHeartbeat[], now: number): NodeView[] {
  for (const heartbeat of live) memory.seen.set(heartbeat.node, { heartbeat, receivedAt: now });
  const current = new Set(live.map((heartbeat) => heartbeat.node));
  return [...memory.seen.values()]
    .map(({ heartbeat, receivedAt }): NodeView => {
      const ageSeconds = heartbeat.ageSeconds + (now - receivedAt) / 1000;
      const gone = !current.has(heartbeat.node) || heartbeat.live === false;
      const state: NodeState = gone ? "gone" : heartbeat.ageSeconds > LATE_AFTER_SECONDS ? "late" : "live";
      return { heartbeat, state, ageSeconds };
    })
    .sort((a, b) => a.heartbeat.node.localeCompare(b.heartbeat.node));
}
