/**
 * Everything needed to understand a failed run after the cluster is gone: kind's own export (node journals,
 * kubelet and containerd logs), every event, and for every pod its description and its logs (the previous
 * container's too, for a pod that restarted). Collected before anything is deleted.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { $ } from "zx";
import { Kube, type PodInfo } from "./kube.ts";
import type { ClusterSettings } from "./settings.ts";

export interface CollectedFile {
  path: string;
  ok: boolean;
}

/** A file name for a pod's artifacts: namespace and name, nothing a file system would object to. */
export function podFileName(pod: Pick<PodInfo, "namespace" | "name">, suffix: string): string {
  return `${pod.namespace}__${pod.name}`.replace(/[^A-Za-z0-9_.-]/g, "_") + suffix;
}

/** What to collect, as (relative file, kubectl arguments) pairs; pure, so the tests can check the plan. */
export function diagnosticsPlan(pods: PodInfo[]): { file: string; args: string[] }[] {
  const plan: { file: string; args: string[] }[] = [
    { file: "events.txt", args: ["get", "events", "--all-namespaces", "--sort-by=.lastTimestamp", "-o", "wide"] },
    { file: "nodes.txt", args: ["describe", "nodes"] },
    { file: "pods.txt", args: ["get", "pods", "--all-namespaces", "-o", "wide"] },
    { file: "objects.txt", args: ["get", "all,pvc,pv,ingress,networkpolicy,pdb,configmap", "--all-namespaces", "-o", "wide"] },
  ];
  for (const pod of pods) {
    const logs = ["-n", pod.namespace, "logs", pod.name, "--all-containers", "--timestamps", "--prefix"];
    plan.push({ file: join("pods", podFileName(pod, ".describe.txt")), args: ["-n", pod.namespace, "describe", "pod", pod.name] });
    plan.push({ file: join("pods", podFileName(pod, ".log")), args: logs });
    if (pod.restarts > 0) plan.push({ file: join("pods", podFileName(pod, ".previous.log")), args: [...logs, "--previous"] });
  }
  return plan;
}

/**
 * Writes the plan's outputs under `directory`, then (unless `nodeLogs: false`, which saves a minute) runs
 * `kind export logs` into `directory/kind`. Every step is best effort: a dead API server must not stop the node
 * logs from being saved. Returns what was written.
 */
export async function collectDiagnostics(settings: ClusterSettings, directory: string, options: { nodeLogs?: boolean } = {}): Promise<CollectedFile[]> {
  mkdirSync(join(directory, "pods"), { recursive: true });
  const kube = new Kube(settings.context);
  const written: CollectedFile[] = [];
  const pods = await kube.allPods().catch(() => [] as PodInfo[]);
  for (const { file, args } of diagnosticsPlan(pods)) {
    const result = await kube.run(args, { nothrow: true, timeout: "60s" });
    const path = join(directory, file);
    writeFileSync(path, result.exitCode === 0 ? result.stdout : `kubectl ${args.join(" ")} failed (exit ${result.exitCode}):\n${result.stderr}${result.stdout}`);
    written.push({ path, ok: result.exitCode === 0 });
  }
  if (options.nodeLogs === false) return written;
  const kindDir = join(directory, "kind");
  const exported = await $({ quiet: true, nothrow: true, timeout: "180s" })`kind export logs ${kindDir} --name ${settings.name}`;
  written.push({ path: kindDir, ok: exported.exitCode === 0 });
  return written;
}
