/**
 * The Kubernetes objects that exist on a lab cluster before any lab runs, and the check of a name against
 * them. They come from what the repository deploys, never from a cluster: the chart rendered as the labs
 * install it (charts/folio/values-kind.yaml, release and namespace folio), the add-ons `pnpm cluster:up`
 * applies (scripts/kind/*.yaml), the nodes scripts/kind/cluster.yaml describes, and a short list of what kind
 * itself creates, which nothing in the repository declares.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse, parseAllDocuments } from "yaml";
import { chartValueArgs } from "@folio/scripts/lib/chart.ts";
import { CLUSTER_SCOPED, type ObjectRef } from "./kubectl.ts";

const exec = promisify(execFile);

/** The cluster, release and namespace the labs assume (docs/labs/README.md, "Before you start"). */
export const LAB_CLUSTER = { name: "folio", release: "folio", namespace: "folio", httpPort: 80 } as const;

export interface KnownObject {
  kind: string;
  name: string;
  /** undefined for cluster-scoped kinds. */
  namespace: string | undefined;
  /** Where it comes from, for messages: "chart", "scripts/kind/traefik.yaml", "kind". */
  source: string;
  spec?: { replicas?: number; selector?: { matchLabels?: Record<string, string> }; volumeClaimTemplates?: { metadata?: { name?: string } }[] };
}

/**
 * What kind creates in every cluster, which no file of the repository declares. Each entry says why a lab may
 * name it.
 */
export const KIND_OBJECTS: (Omit<KnownObject, "source"> & { reason: string })[] = [
  ...["default", "kube-system", "kube-public", "kube-node-lease", "local-path-storage"].map((name) => ({ kind: "Namespace", name, namespace: undefined, reason: "created by Kubernetes or kind in every cluster" })),
  { kind: "StorageClass", name: "standard", namespace: undefined, reason: "kind's default class (local-path); values-kind.yaml puts Valkey and the object store on it" },
  { kind: "Deployment", name: "coredns", namespace: "kube-system", reason: "the cluster's DNS, which the NetworkPolicies let every pod reach" },
  { kind: "Service", name: "kube-dns", namespace: "kube-system", reason: "the cluster's DNS Service" },
  { kind: "DaemonSet", name: "kindnet", namespace: "kube-system", reason: "kind's CNI, which enforces nothing: the NetworkPolicy labs explain why" },
  { kind: "DaemonSet", name: "kube-proxy", namespace: "kube-system", reason: "routes Service traffic on each node" },
  { kind: "Deployment", name: "local-path-provisioner", namespace: "local-path-storage", reason: "provisions the `standard` class's volumes" },
  { kind: "Service", name: "kubernetes", namespace: "default", reason: "the API server's Service, in every cluster" },
];

function asKnown(value: unknown, source: string, defaultNamespace: string): KnownObject | undefined {
  const object = value as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string }; spec?: KnownObject["spec"] } | null;
  if (!object?.kind || !object.metadata?.name || object.apiVersion?.startsWith("kind.x-k8s.io")) return undefined;
  const namespace = CLUSTER_SCOPED.has(object.kind) ? undefined : (object.metadata.namespace ?? defaultNamespace);
  return { kind: object.kind, name: object.metadata.name, namespace, source, spec: object.spec };
}

/**
 * The chart as the labs install it. It is rendered from a copy of charts/ whose subcharts are packed there
 * (`helm dependency build`), so the test never rewrites charts/folio/charts/ under a `helm upgrade` running from
 * this working copy.
 */
export async function chartObjects(root: string): Promise<KnownObject[]> {
  const copy = mkdtempSync(join(tmpdir(), "docs-test-charts-"));
  try {
    cpSync(join(root, "charts"), join(copy, "charts"), { recursive: true, filter: (path) => !path.startsWith(join(root, "charts", "folio", "charts")) });
    const chart = join(copy, "charts", "folio");
    await exec("helm", ["dependency", "build", chart, "--skip-refresh"]);
    const { stdout } = await exec("helm", ["template", LAB_CLUSTER.release, chart, "--namespace", LAB_CLUSTER.namespace, ...chartValueArgs(LAB_CLUSTER)], { maxBuffer: 64 * 1024 * 1024 });
    return parseAllDocuments(stdout)
      .map((document) => asKnown(document.toJS(), "chart", LAB_CLUSTER.namespace))
      .filter((object): object is KnownObject => object !== undefined);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/** The objects of scripts/kind/*.yaml (the kind Cluster config itself excepted). */
export function addonObjects(root: string): KnownObject[] {
  const dir = join(root, "scripts", "kind");
  return readdirSync(dir)
    .filter((file) => file.endsWith(".yaml"))
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(dir, file), "utf8"))
        .map((document) => asKnown(document.toJS(), `scripts/kind/${file}`, "default"))
        .filter((object): object is KnownObject => object !== undefined),
    );
}

/** kind names a cluster's nodes <cluster>-control-plane, <cluster>-worker, <cluster>-worker2, … */
export function nodeObjects(root: string, cluster: string = LAB_CLUSTER.name): KnownObject[] {
  const config = parse(readFileSync(join(root, "scripts", "kind", "cluster.yaml"), "utf8")) as { nodes: { role: string }[] };
  let workers = 0;
  return config.nodes.map((node) => {
    const name = node.role === "control-plane" ? `${cluster}-control-plane` : `${cluster}-worker${++workers === 1 ? "" : workers}`;
    return { kind: "Node", name, namespace: undefined, source: "scripts/kind/cluster.yaml" };
  });
}

/**
 * Objects a lab may name that nothing here can derive, by lab: say why in `reason`. An example of the kind of
 * entry that belongs here: an object that only exists after the lab runs `helm upgrade --set` with values the
 * test does not render. Empty while every lab's objects can be derived.
 */
export const LAB_OBJECTS: { lab: string; kind: string; name: string; namespace: string | undefined; reason: string }[] = [];

const GENERATED = new Set(["ReplicaSet", "PersistentVolume", "EndpointSlice"]);
const POD_OWNERS = { Deployment: "deploy", DaemonSet: "ds", Job: "job", CronJob: "cj" } as Record<string, string>;
/** Names nobody writes in a lab command but that a lab may name anyway, with no way to derive them here. */
const UNCHECKED = new Set(["Event", "Lease"]);

/** The objects known to exist, and the check of one name against them. */
export class ObjectIndex {
  readonly objects: KnownObject[];

  constructor(objects: KnownObject[]) {
    const derived: KnownObject[] = [];
    for (const object of objects) {
      if (object.kind === "StatefulSet") {
        // A StatefulSet's pods and their claims have stable names: <name>-<ordinal>, <template>-<name>-<ordinal>.
        for (let ordinal = 0; ordinal < (object.spec?.replicas ?? 1); ordinal++) {
          derived.push({ kind: "Pod", name: `${object.name}-${ordinal}`, namespace: object.namespace, source: `${object.source} (StatefulSet ${object.name})` });
          for (const template of object.spec?.volumeClaimTemplates ?? []) {
            if (template.metadata?.name) derived.push({ kind: "PersistentVolumeClaim", name: `${template.metadata.name}-${object.name}-${ordinal}`, namespace: object.namespace, source: `${object.source} (StatefulSet ${object.name})` });
          }
        }
      }
      if (object.kind === "Service") derived.push({ kind: "Endpoints", name: object.name, namespace: object.namespace, source: `${object.source} (Service ${object.name})` });
    }
    this.objects = [...objects, ...derived];
  }

  /** What is wrong with a name a lab uses, or undefined when it exists. `created` are the lab's own objects. */
  problem(ref: ObjectRef, created: ObjectRef[], defaultNamespace: string = LAB_CLUSTER.namespace): string | undefined {
    if (ref.kind.startsWith("?")) return `${ref.written}: kubectl knows no kind "${ref.kind.slice(1)}"`;
    if (UNCHECKED.has(ref.kind)) return undefined;
    const scoped = CLUSTER_SCOPED.has(ref.kind);
    const namespace = scoped ? undefined : (ref.namespace ?? defaultNamespace);
    const matches = (candidate: { kind: string; name: string; namespace: string | undefined }) =>
      candidate.kind === ref.kind && candidate.name === ref.name && (scoped || ref.anyNamespace || candidate.namespace === namespace);
    const ownNamespace = (candidate: ObjectRef) => ({ ...candidate, namespace: CLUSTER_SCOPED.has(candidate.kind) ? undefined : (candidate.namespace ?? defaultNamespace) });
    if (created.map(ownNamespace).some(matches) || this.objects.some(matches)) return undefined;

    const where = namespace ? ` in the namespace ${namespace}` : "";
    if (GENERATED.has(ref.kind)) return `${ref.written}: a ${ref.kind}'s name is generated, different on every cluster; name what owns it (deploy/NAME, a Service, a PersistentVolumeClaim)`;
    if (ref.kind === "Pod") {
      const owner = this.objects.find((candidate) => candidate.kind in POD_OWNERS && candidate.namespace === namespace && ref.name.startsWith(`${candidate.name}-`));
      if (owner) {
        const labels = Object.entries(owner.spec?.selector?.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`).join(",");
        return `${ref.written}: the pods of ${owner.kind} ${owner.name} have generated names; write ${POD_OWNERS[owner.kind]}/${owner.name}${labels ? ` or select them with -l ${labels}` : ""}`;
      }
    }
    const elsewhere = this.objects.find((candidate) => candidate.kind === ref.kind && candidate.name === ref.name);
    if (elsewhere) return `${ref.written}: no ${ref.kind} ${ref.name}${where}; it is in the namespace ${elsewhere.namespace} (add -n ${elsewhere.namespace})`;
    return `${ref.written}: no ${ref.kind} ${ref.name}${where} in the chart as the labs deploy it (values-kind.yaml), the cluster's add-ons or nodes, nor created by the lab`;
  }
}

export async function labClusterObjects(root: string): Promise<ObjectIndex> {
  const kindObjects = KIND_OBJECTS.map(({ reason: _reason, ...object }) => ({ ...object, source: "kind" }));
  // The release's namespace is made by the install (helm --create-namespace in scripts/lib/chart.ts), not the chart.
  const namespace: KnownObject = { kind: "Namespace", name: LAB_CLUSTER.namespace, namespace: undefined, source: "pnpm chart:deploy" };
  return new ObjectIndex([...(await chartObjects(root)), ...addonObjects(root), ...nodeObjects(root), ...kindObjects, namespace]);
}
