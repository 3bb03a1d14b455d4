/**
 * The cluster as the scenarios see it: where each pod runs, waiting for pods and nodes, taints, helm upgrades
 * and rollbacks, and commands inside pods. All through kubectl and helm, with the context from the settings.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { $ } from "zx";
import { chartValueArgs, CHART_DIR } from "@folio/scripts/lib/chart.ts";
import { eventually } from "@folio/scripts/lib/eventually.ts";
import { Kube, type NodeInfo, type PodInfo } from "@folio/scripts/lib/kube.ts";
import type { SuiteEnv } from "./env.ts";
import { timeout } from "./timeouts.ts";

export const OUT_OF_SERVICE = "node.kubernetes.io/out-of-service";

/** The release's pods by their stable names: the StatefulSets' ordinal pods. */
export function statefulPod(release: string, component: "postgres" | "redis" | "objectstore"): string {
  return `${release}-${component}-0`;
}

export class Cluster {
  readonly kube: Kube;
  readonly env: SuiteEnv;

  constructor(env: SuiteEnv) {
    this.env = env;
    this.kube = new Kube(env.settings.context);
  }

  get namespace(): string {
    return this.env.settings.namespace;
  }

  get release(): string {
    return this.env.settings.release;
  }

  async pod(name: string): Promise<PodInfo | undefined> {
    return (await this.kube.pods(this.namespace)).find((pod) => pod.name === name);
  }

  /** The Deployment's or DaemonSet's pods, by the chart's component label. */
  async componentPods(component: string): Promise<PodInfo[]> {
    return this.kube.pods(this.namespace, `app.kubernetes.io/instance=${this.release},app.kubernetes.io/component=${component}`);
  }

  async nodeOf(podName: string): Promise<string> {
    const pod = await this.pod(podName);
    if (!pod?.node) throw new Error(`${podName} is not scheduled on a node`);
    return pod.node;
  }

  async workers(): Promise<NodeInfo[]> {
    return (await this.kube.nodes()).filter((node) => !node.controlPlane);
  }

  /**
   * Waits for the pod to be Ready, optionally on or off a node, and with `startedAfter` (epoch ms) only once its
   * container has started again since then: a killed node's pods look Ready until the control plane notices.
   * Container start times are the node's clock, which on kind is the host's.
   */
  async waitPodReady(name: string, options: { notOn?: string; on?: string; startedAfter?: number; timeoutMs?: number } = {}): Promise<PodInfo> {
    return eventually(() => this.pod(name), {
      timeout: options.timeoutMs ?? timeout("POD_READY"),
      interval: 1_000,
      description: `${name} to be Ready${options.notOn ? ` on a node other than ${options.notOn}` : ""}${options.on ? ` on ${options.on}` : ""}${options.startedAfter ? " with a container started after the fault" : ""}`,
      until: (pod) =>
        Boolean(
          pod?.ready &&
            !pod.deleting &&
            (!options.notOn || pod.node !== options.notOn) &&
            (!options.on || pod.node === options.on) &&
            (!options.startedAfter || (pod.startedAt !== undefined && pod.startedAt >= options.startedAfter - 1_000)),
        ),
    }) as Promise<PodInfo>;
  }

  async waitNode(name: string, ready: boolean): Promise<NodeInfo> {
    return eventually(async () => (await this.kube.nodes()).find((node) => node.name === name), {
      timeout: timeout(ready ? "NODE_READY" : "NODE_NOT_READY"),
      interval: 1_000,
      description: `${name} to be ${ready ? "Ready" : "NotReady"}`,
      until: (node) => node !== undefined && node.ready === ready,
    }) as Promise<NodeInfo>;
  }

  /** Every Deployment, StatefulSet and DaemonSet of the release fully rolled out, and every node Ready. */
  async waitAllReady(timeoutMs = timeout("RECOVERY")): Promise<void> {
    await eventually(() => this.kube.nodes(), { timeout: timeoutMs, interval: 2_000, description: "every node Ready", until: (nodes) => nodes.every((node) => node.ready) });
    await eventually(() => this.unreadyWorkloads(), { timeout: timeoutMs, interval: 2_000, description: "every workload of the release ready", until: (list) => list.length === 0 });
  }

  /** Workloads whose ready replicas fall short, as "kind/name ready/wanted". */
  async unreadyWorkloads(): Promise<string[]> {
    interface Workload {
      kind: string;
      metadata: { name: string; namespace: string };
      spec: { replicas?: number };
      status: { readyReplicas?: number; numberReady?: number; desiredNumberScheduled?: number; updatedReplicas?: number; updatedNumberScheduled?: number };
    }
    const list = await this.kube.json<{ items: Workload[] }>(["get", "deployments,statefulsets,daemonsets", "--all-namespaces", "-l", `app.kubernetes.io/instance=${this.release}`]);
    return list.items.flatMap((item) => {
      const wanted = item.kind === "DaemonSet" ? (item.status.desiredNumberScheduled ?? 0) : (item.spec.replicas ?? 1);
      const ready = item.kind === "DaemonSet" ? (item.status.numberReady ?? 0) : (item.status.readyReplicas ?? 0);
      const updated = item.kind === "DaemonSet" ? (item.status.updatedNumberScheduled ?? 0) : (item.status.updatedReplicas ?? 0);
      return ready >= wanted && updated >= wanted ? [] : [`${item.kind}/${item.metadata.name} ${ready}/${wanted}`];
    });
  }

  /** The PersistentVolume behind a pod's claim, with its UID (a new volume has a new UID). */
  async volumeOf(claim: string): Promise<{ volume: string; uid: string; storageClass: string }> {
    const pvc = await this.kube.json<{ spec: { volumeName: string; storageClassName: string } }>(["get", "pvc", claim, "-n", this.namespace]);
    const pv = await this.kube.json<{ metadata: { uid: string } }>(["get", "pv", pvc.spec.volumeName]);
    return { volume: pvc.spec.volumeName, uid: pv.metadata.uid, storageClass: pvc.spec.storageClassName };
  }

  async taint(node: string, key: string, value: string, effect: "NoExecute" | "NoSchedule"): Promise<void> {
    await this.kube.run(["taint", "node", node, `${key}=${value}:${effect}`, "--overwrite"]);
  }

  async untaint(node: string, key: string, effect: "NoExecute" | "NoSchedule"): Promise<void> {
    await this.kube.run(["taint", "node", node, `${key}:${effect}-`], { nothrow: true });
  }

  async exec(pod: string, command: string[], container?: string): Promise<string> {
    return (await this.kube.run(["exec", "-n", this.namespace, pod, ...(container ? ["-c", container] : []), "--", ...command], { timeout: "120s" })).stdout;
  }

  /**
   * helm upgrade with the install's values plus `values` (typed, as a values file) and `set` (strings), waiting
   * for the rollout; returns the new revision.
   */
  async helmUpgrade(set: Record<string, string>, values?: Record<string, unknown>): Promise<number> {
    const extra: string[] = [];
    if (values) {
      const file = join(mkdtempSync(join(tmpdir(), "folio-e2e-")), "values.yaml");
      writeFileSync(file, stringify(values));
      extra.push(file);
    }
    const args = chartValueArgs(this.env.settings, { imageTag: this.env.imageTag, valuesFiles: [...this.env.valuesFiles, ...extra], set });
    await $({ quiet: true })`helm upgrade ${this.release} ${CHART_DIR} --kube-context ${this.env.settings.context} --namespace ${this.namespace} ${args} --wait --wait-for-jobs --timeout ${`${Math.round(timeout("ROLLOUT") / 1000)}s`}`;
    return this.helmRevision();
  }

  async helmRollback(revision: number): Promise<number> {
    await $({ quiet: true })`helm rollback ${this.release} ${revision} --kube-context ${this.env.settings.context} --namespace ${this.namespace} --wait --wait-for-jobs --timeout ${`${Math.round(timeout("ROLLOUT") / 1000)}s`}`;
    return this.helmRevision();
  }

  async helmRevision(): Promise<number> {
    const output = await $({ quiet: true })`helm status ${this.release} --kube-context ${this.env.settings.context} --namespace ${this.namespace} -o json`;
    return (JSON.parse(output.stdout) as { version: number }).version;
  }

  async adminPassword(): Promise<string> {
    const secret = await this.kube.json<{ data: Record<string, string> }>(["get", "secret", `${this.release}-credentials`, "-n", this.namespace]);
    return Buffer.from(secret.data["admin-password"]!, "base64").toString("utf8");
  }
}
