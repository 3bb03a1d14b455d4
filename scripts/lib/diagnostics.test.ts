import { describe, expect, it } from "vitest";
import { diagnosticsPlan, podFileName } from "./diagnostics.ts";
import type { PodInfo } from "./kube.ts";

const pod = (name: string, restarts: number): PodInfo => ({
  name,
  namespace: "folio",
  node: "folio-worker",
  phase: "Running",
  ready: true,
  deleting: false,
  restarts,
  labels: {},
  ownerKind: "StatefulSet",
  startedAt: undefined,
});

describe("diagnosticsPlan", () => {
  it("collects events, nodes and objects once, and each pod's description and logs", () => {
    const plan = diagnosticsPlan([pod("postgres-0", 0), pod("api-7d9f", 2)]);
    const files = plan.map((entry) => entry.file);
    expect(files.slice(0, 4)).toEqual(["events.txt", "nodes.txt", "pods.txt", "objects.txt"]);
    expect(files).toContain("pods/folio__postgres-0.describe.txt");
    expect(files).toContain("pods/folio__postgres-0.log");
    expect(files).not.toContain("pods/folio__postgres-0.previous.log");
    expect(files).toContain("pods/folio__api-7d9f.previous.log");
    expect(plan.find((entry) => entry.file === "pods/folio__api-7d9f.previous.log")!.args).toEqual([
      "-n",
      "folio",
      "logs",
      "api-7d9f",
      "--all-containers",
      "--timestamps",
      "--prefix",
      "--previous",
    ]);
    expect(plan.find((entry) => entry.file === "events.txt")!.args).toContain("--all-namespaces");
  });

  it("makes file names that are safe on any file system", () => {
    expect(podFileName({ namespace: "kube-system", name: "coredns:x/y" }, ".log")).toBe("kube-system__coredns_x_y.log");
  });
});
