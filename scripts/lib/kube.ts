/**
 * kubectl against one cluster's context, with JSON in and out. Every script that talks to the cluster does it
 * through here, so the context is never the ambient one (a workshop laptop may have others).
 */
import { $, type Duration, type ProcessOutput } from "zx";

export interface NodeInfo {
  name: string;
  ready: boolean;
  controlPlane: boolean;
  internalIp: string | undefined;
  taints: { key: string; value?: string; effect: string }[];
  unschedulable: boolean;
}

export interface PodInfo {
  name: string;
  namespace: string;
  node: string | undefined;
  phase: string;
  ready: boolean;
  deleting: boolean;
  restarts: number;
  labels: Record<string, string>;
  ownerKind: string | undefined;
  /** When its most recently started container started (epoch ms), or undefined when none runs. */
  startedAt: number | undefined;
}

interface NodeJson {
  metadata: { name: string; labels?: Record<string, string> };
  spec: { taints?: NodeInfo["taints"]; unschedulable?: boolean };
  status: { conditions?: { type: string; status: string }[]; addresses?: { type: string; address: string }[] };
}

interface PodJson {
  metadata: { name: string; namespace: string; labels?: Record<string, string>; deletionTimestamp?: string; ownerReferences?: { kind: string }[] };
  spec: { nodeName?: string };
  status: {
    phase?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { restartCount: number; state?: { running?: { startedAt?: string } } }[];
  };
}

export class Kube {
  readonly context: string;

  constructor(context: string) {
    this.context = context;
  }

  /** Runs kubectl with these arguments; throws with kubectl's message when it fails. */
  async run(args: string[], options: { input?: string; timeout?: Duration; nothrow?: boolean } = {}): Promise<ProcessOutput> {
    return $({ quiet: true, input: options.input, timeout: options.timeout, nothrow: options.nothrow })`kubectl --context ${this.context} ${args}`;
  }

  async json<T>(args: string[]): Promise<T> {
    const output = await this.run([...args, "-o", "json"]);
    return JSON.parse(output.stdout) as T;
  }

  /** Applies manifests given as YAML text (server-side, so re-applying is a no-op rather than a diff of annotations). */
  async apply(manifest: string, fieldManager = "folio-scripts"): Promise<string> {
    return (await this.run(["apply", "--server-side", "--force-conflicts", `--field-manager=${fieldManager}`, "-f", "-"], { input: manifest })).stdout;
  }

  async nodes(): Promise<NodeInfo[]> {
    const list = await this.json<{ items: NodeJson[] }>(["get", "nodes"]);
    return list.items.map(toNodeInfo);
  }

  async pods(namespace: string, selector?: string): Promise<PodInfo[]> {
    const list = await this.json<{ items: PodJson[] }>(["get", "pods", "-n", namespace, ...(selector ? ["-l", selector] : [])]);
    return list.items.map(toPodInfo);
  }

  async allPods(): Promise<PodInfo[]> {
    const list = await this.json<{ items: PodJson[] }>(["get", "pods", "--all-namespaces"]);
    return list.items.map(toPodInfo);
  }

  /** True when the API server answers. */
  async reachable(): Promise<boolean> {
    const result = await this.run(["get", "--raw", "/readyz"], { nothrow: true, timeout: "15s" });
    return result.exitCode === 0 && result.stdout.trim() === "ok";
  }
}

export function toNodeInfo(node: NodeJson): NodeInfo {
  const labels = node.metadata.labels ?? {};
  return {
    name: node.metadata.name,
    ready: node.status.conditions?.some((condition) => condition.type === "Ready" && condition.status === "True") ?? false,
    controlPlane: "node-role.kubernetes.io/control-plane" in labels,
    internalIp: node.status.addresses?.find((address) => address.type === "InternalIP")?.address,
    taints: node.spec.taints ?? [],
    unschedulable: node.spec.unschedulable ?? false,
  };
}

export function toPodInfo(pod: PodJson): PodInfo {
  return {
    name: pod.metadata.name,
    namespace: pod.metadata.namespace,
    node: pod.spec.nodeName,
    phase: pod.status.phase ?? "Unknown",
    ready: pod.status.conditions?.some((condition) => condition.type === "Ready" && condition.status === "True") ?? false,
    deleting: pod.metadata.deletionTimestamp !== undefined,
    restarts: (pod.status.containerStatuses ?? []).reduce((sum, status) => sum + status.restartCount, 0),
    labels: pod.metadata.labels ?? {},
    ownerKind: pod.metadata.ownerReferences?.[0]?.kind,
    startedAt: latest((pod.status.containerStatuses ?? []).map((status) => status.state?.running?.startedAt)),
  };
}

function latest(times: (string | undefined)[]): number | undefined {
  const parsed = times.filter((time): time is string => Boolean(time)).map((time) => Date.parse(time));
  return parsed.length > 0 ? Math.max(...parsed) : undefined;
}

/** A pod that is done with its work: a finished Job's pod counts as settled, not as a failure to start. */
export function podSettled(pod: PodInfo): boolean {
  if (pod.phase === "Succeeded") return true;
  return pod.phase === "Running" && pod.ready && !pod.deleting;
}
