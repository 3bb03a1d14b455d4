/**
 * Evaluates the rendered NetworkPolicies the way a CNI does (for the matchLabels selectors the chart uses) and
 * compares who can reach whom with the architecture: every path it needs is open, every other path is closed.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { render, type K8sObject } from "../src/helm.js";
import { component, ofKind, podTemplates, selects, type LabelSelector, type PodTemplate } from "../src/objects.js";

interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: unknown;
}
interface Rule {
  to?: Peer[];
  from?: Peer[];
  ports?: { port: number; protocol?: string }[];
}
interface PolicySpec {
  podSelector: LabelSelector;
  policyTypes: ("Ingress" | "Egress")[];
  ingress?: Rule[];
  egress?: Rule[];
}

const ports: Record<string, number> = { database: 5432, cache: 6379, "object-storage": 7070, api: 8080, web: 8080 };

let objects: K8sObject[];
let pods: PodTemplate[];
beforeAll(async () => {
  objects = await render({ set: { "worker.keda.enabled": true } });
  pods = podTemplates(objects);
});

/** A cluster DNS pod, as kind and most clusters label CoreDNS. */
const dns: PodTemplate = {
  owner: { apiVersion: "v1", kind: "Pod", metadata: { name: "coredns" }, source: "test" },
  namespace: "kube-system",
  labels: { "k8s-app": "kube-dns" },
  annotations: {},
  spec: { containers: [] },
};

const namespaceLabels = (namespace: string) => ({ "kubernetes.io/metadata.name": namespace });

function peerMatches(peer: Peer, policyNamespace: string, pod: PodTemplate): boolean {
  if (peer.ipBlock) return false;
  const namespaceOk = peer.namespaceSelector ? selects(peer.namespaceSelector, namespaceLabels(pod.namespace)) : pod.namespace === policyNamespace;
  const podOk = peer.podSelector ? selects(peer.podSelector, pod.labels) : true;
  return namespaceOk && podOk;
}

/** Whether the policies let `from` open a connection to `to` on `port` (TCP unless said otherwise). */
function allowed(from: PodTemplate, to: PodTemplate, port: number, protocol = "TCP"): boolean {
  const policies = ofKind(objects, "NetworkPolicy").map((p) => ({ namespace: p.metadata.namespace ?? "folio", spec: p.spec as PolicySpec }));
  const side = (pod: PodTemplate, type: "Ingress" | "Egress", other: PodTemplate) => {
    const applying = policies.filter((p) => p.namespace === pod.namespace && p.spec.policyTypes.includes(type) && selects(p.spec.podSelector, pod.labels));
    if (applying.length === 0) return true; // not isolated
    return applying.some((p) =>
      (type === "Ingress" ? p.spec.ingress : p.spec.egress)?.some(
        (rule) =>
          (rule.ports ?? [{ port, protocol }]).some((r) => r.port === port && (r.protocol ?? "TCP") === protocol) &&
          ((type === "Ingress" ? rule.from : rule.to) ?? []).some((peer) => peerMatches(peer, p.namespace, other)),
      ),
    );
  };
  return side(from, "Egress", to) && side(to, "Ingress", from);
}

describe("NetworkPolicies", () => {
  it("when the release is rendered, then each of its pods is selected by a default-deny policy for ingress and egress", () => {
    for (const pod of pods) {
      const isolated = ofKind(objects, "NetworkPolicy").filter(
        (p) => (p.metadata.namespace ?? "folio") === pod.namespace && selects((p.spec as PolicySpec).podSelector, pod.labels),
      );
      const types = new Set(isolated.flatMap((p) => (p.spec as PolicySpec).policyTypes));
      expect([...types].sort(), pod.owner.metadata.name).toEqual(["Egress", "Ingress"]);
    }
  });

  it("when the release is rendered, then exactly the paths of the architecture are open between its pods", () => {
    const open: string[] = [];
    for (const from of pods) {
      for (const to of pods) {
        const port = ports[component(to)];
        if (from === to || port === undefined) continue;
        if (allowed(from, to, port)) open.push(`${component(from)} → ${component(to)}`);
      }
    }
    expect([...new Set(open)].sort()).toEqual(
      [
        "api → database",
        "api → cache",
        "api → object-storage",
        "worker → database",
        "worker → cache",
        "worker → object-storage",
        "cleanup → database",
        "cleanup → cache",
        "cleanup → object-storage",
        "migrate → database",
        "backup → database",
        "agent → cache",
        "test → api",
        "test → web",
        "test → database",
        "test → cache",
        "test → object-storage",
      ].sort(),
    );
  });

  it("when traffic comes from the ingress controller, then it reaches the web site and the API and nothing else", () => {
    const traefik: PodTemplate = {
      owner: { apiVersion: "v1", kind: "Pod", metadata: { name: "traefik" }, source: "test" },
      namespace: "traefik",
      labels: { "app.kubernetes.io/name": "traefik" },
      annotations: {},
      spec: { containers: [] },
    };
    const reachable = pods.filter((pod) => ports[component(pod)] && allowed(traefik, pod, ports[component(pod)]!)).map(component);
    expect([...new Set(reachable)].sort()).toEqual(["api", "web"]);
  });

  it("when a pod resolves names, then DNS egress to kube-dns is open to it: every pod but the backup check, which needs no network", () => {
    const withDns = pods.filter((pod) => allowed(pod, dns, 53, "UDP") && allowed(pod, dns, 53, "TCP")).map((pod) => pod.owner.metadata.name);
    expect(pods.map((pod) => pod.owner.metadata.name).filter((name) => !withDns.includes(name))).toEqual(["folio-backup-check-1"]);
  });

  it("when the backup-check Job runs, then it can open no connection at all: it only writes to its volume", () => {
    const check = pods.find((pod) => component(pod) === "backup-check");
    expect(check, "the backup-check Job's pod").toBeDefined();
    const egress = ofKind(objects, "NetworkPolicy").filter(
      (p) => (p.spec as PolicySpec).policyTypes.includes("Egress") && selects((p.spec as PolicySpec).podSelector, check!.labels),
    );
    // Selected by the default deny, and by no policy that opens anything.
    expect(egress.length).toBeGreaterThan(0);
    expect(egress.flatMap((p) => (p.spec as PolicySpec).egress ?? [])).toEqual([]);
  });

  it("when KEDA is on, then its operator's namespace may read the queue length from Redis", () => {
    const keda: PodTemplate = {
      owner: { apiVersion: "v1", kind: "Pod", metadata: { name: "keda-operator" }, source: "test" },
      namespace: "keda",
      labels: { app: "keda-operator" },
      annotations: {},
      spec: { containers: [] },
    };
    const redis = pods.find((pod) => component(pod) === "cache")!;
    // The operator's own namespace has no policies here, so only Redis's ingress side decides.
    expect(allowed(keda, redis, 6379)).toBe(true);
    expect(allowed(keda, pods.find((pod) => component(pod) === "database")!, 5432)).toBe(false);
  });
});
