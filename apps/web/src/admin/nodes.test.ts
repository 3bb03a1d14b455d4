import { describe, expect, it } from "vitest";
import type { NodeHeartbeat } from "../api/types.ts";
import { emptyMemory, observeNodes } from "./nodes.ts";

const heartbeat = (node: string, ageSeconds: number, live = true): NodeHeartbeat => ({
  node,
  agentVersion: "1.0.0",
  startedAt: "2026-01-01T00:00:00.000Z",
  sentAt: "2026-01-01T00:10:00.000Z",
  lastShippedAt: null,
  filesTailed: 3,
  lagBytes: 0,
  live,
  ageSeconds,
});

describe("node states on the operations page", () => {
  it("a recent heartbeat is live, an old one is late", () => {
    const views = observeNodes(emptyMemory(), [heartbeat("worker-b", 12), heartbeat("worker-a", 2)], 0);
    expect(views.map((view) => [view.heartbeat.node, view.state])).toEqual([
      ["worker-a", "live"],
      ["worker-b", "late"],
    ]);
  });

  it("when a node the page saw disappears from the answer, then it is gone and its age keeps growing", () => {
    const memory = emptyMemory();
    observeNodes(memory, [heartbeat("worker-a", 1), heartbeat("worker-b", 1)], 1_000);
    const views = observeNodes(memory, [heartbeat("worker-a", 1)], 31_000);
    const gone = views.find((view) => view.heartbeat.node === "worker-b");
    expect(gone).toMatchObject({ state: "gone", ageSeconds: 31 });
  });

  it("a node the API lists as not live is gone, even on a page that never saw it live (after a reload)", () => {
    const views = observeNodes(emptyMemory(), [heartbeat("worker-a", 2), heartbeat("worker-dead", 95, false)], 0);
    expect(views.map((view) => [view.heartbeat.node, view.state, view.ageSeconds])).toEqual([
      ["worker-a", "live", 2],
      ["worker-dead", "gone", 95],
    ]);
  });
});
