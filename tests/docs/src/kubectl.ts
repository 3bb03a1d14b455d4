/**
 * The Kubernetes objects a `kubectl` command names, and the ones it creates. Covers the verbs the labs use:
 * get, describe, delete, edit, logs, exec, port-forward, attach, debug, wait, rollout, scale, label, annotate,
 * patch, set, cordon, uncordon, drain, taint, top, expose, autoscale, create (job --from=cronjob/…, deployment,
 * namespace, secret, configmap, …), run and apply/create -f - with a here-document. Both `KIND/NAME` and
 * `KIND NAME` are understood, with kind names in any of kubectl's spellings (po, pods, deploy, sts, netpol, …).
 */
import { parseAllDocuments } from "yaml";
import type { SimpleCommand } from "./shell.ts";

export interface ObjectRef {
  /** Canonical kind: "Deployment". */
  kind: string;
  name: string;
  /** From -n/--namespace; undefined when the command names none (the labs' context has Folio's namespace). */
  namespace: string | undefined;
  /** All namespaces (-A): the object may be in any. */
  anyNamespace: boolean;
  /** How the command wrote it: "deploy/folio-api" or "pod folio-postgres-0". */
  written: string;
}

export interface KubectlObjects {
  /** Objects the command expects to exist. */
  uses: ObjectRef[];
  /** Objects the command creates (create, run, expose, autoscale, apply of a here-document). */
  creates: ObjectRef[];
}

/** kubectl's names for the kinds it knows: singular, plural and short names, lowercase. */
const KIND_NAMES: Record<string, string[]> = {
  Pod: ["po", "pod", "pods"],
  Service: ["svc", "service", "services"],
  Deployment: ["deploy", "deployment", "deployments"],
  StatefulSet: ["sts", "statefulset", "statefulsets"],
  DaemonSet: ["ds", "daemonset", "daemonsets"],
  ReplicaSet: ["rs", "replicaset", "replicasets"],
  Job: ["job", "jobs"],
  CronJob: ["cj", "cronjob", "cronjobs"],
  PersistentVolumeClaim: ["pvc", "persistentvolumeclaim", "persistentvolumeclaims"],
  PersistentVolume: ["pv", "persistentvolume", "persistentvolumes"],
  ConfigMap: ["cm", "configmap", "configmaps"],
  Secret: ["secret", "secrets"],
  Ingress: ["ing", "ingress", "ingresses"],
  IngressClass: ["ingressclass", "ingressclasses"],
  NetworkPolicy: ["netpol", "networkpolicy", "networkpolicies"],
  PodDisruptionBudget: ["pdb", "poddisruptionbudget", "poddisruptionbudgets"],
  HorizontalPodAutoscaler: ["hpa", "horizontalpodautoscaler", "horizontalpodautoscalers"],
  ServiceAccount: ["sa", "serviceaccount", "serviceaccounts"],
  Node: ["no", "node", "nodes"],
  Namespace: ["ns", "namespace", "namespaces"],
  StorageClass: ["sc", "storageclass", "storageclasses"],
  Endpoints: ["ep", "endpoints"],
  EndpointSlice: ["endpointslice", "endpointslices"],
  Event: ["ev", "event", "events"],
  Role: ["role", "roles"],
  RoleBinding: ["rolebinding", "rolebindings"],
  ClusterRole: ["clusterrole", "clusterroles"],
  ClusterRoleBinding: ["clusterrolebinding", "clusterrolebindings"],
  Lease: ["lease", "leases"],
  PriorityClass: ["pc", "priorityclass", "priorityclasses"],
  ResourceQuota: ["quota", "resourcequota", "resourcequotas"],
  LimitRange: ["limits", "limitrange", "limitranges"],
};

export const CLUSTER_SCOPED = new Set(["Node", "Namespace", "PersistentVolume", "StorageClass", "ClusterRole", "ClusterRoleBinding", "IngressClass", "PriorityClass"]);

/** Kind names → canonical kind; `extraKinds` adds kinds such as custom resources (their lowercase and plural). */
export function kindTable(extraKinds: Iterable<string> = []): Map<string, string> {
  const table = new Map<string, string>();
  for (const [kind, names] of Object.entries(KIND_NAMES)) for (const name of names) table.set(name, kind);
  for (const kind of extraKinds) {
    if ([...table.values()].includes(kind)) continue;
    table.set(kind.toLowerCase(), kind);
    table.set(`${kind.toLowerCase()}s`, kind);
  }
  return table;
}

/** "deployments.apps" and "Deployment" are "deployment" to kubectl. */
function kindOf(word: string, kinds: Map<string, string>): string | undefined {
  return kinds.get(word.toLowerCase().split(".")[0]!);
}

/** Flags that take the next word as their value, unless written --flag=value. */
const VALUE_FLAGS = new Set([
  "-n", "--namespace", "-o", "--output", "-l", "--selector", "-c", "--container", "--context", "--kubeconfig", "--cluster", "--user",
  "--field-selector", "--sort-by", "--tail", "--since", "--since-time", "-f", "--filename", "--type", "--replicas", "--to-revision",
  "--timeout", "--for", "--grace-period", "-L", "--label-columns", "--template", "--image", "--restart", "--overrides", "--port",
  "--address", "--from", "-p", "--patch", "--env", "-e", "--labels", "--revision", "--field-manager", "--name", "--target-port",
  "--min", "--max", "--cpu-percent", "--schedule", "--max-log-requests", "--limit-bytes", "--pod-running-timeout", "--request-timeout",
  "--chunk-size", "--cascade", "--dry-run", "--selector", "--subresource", "--as", "--profile", "--target", "--copy-to", "--from-literal",
  "--from-file", "--from-env-file", "--docker-server", "--docker-username", "--docker-password", "--cert", "--key", "--protocol",
  "--external-ip", "--session-affinity", "--serviceaccount", "--requests", "--limits", "--resource", "--verb", "--pod-selector",
]);

/** Per verb, flags that are booleans there although they take a value elsewhere (logs -f is --follow). */
const BOOLEAN_HERE: Record<string, Set<string>> = { logs: new Set(["-f", "-p"]), "port-forward": new Set(), exec: new Set() };

interface Parsed {
  verb: string | undefined;
  sub: string | undefined;
  positionals: string[];
  /** Words after " -- " (exec's command). */
  rest: string[];
  flags: Map<string, string | true>;
}

function parseArgs(args: string[]): Parsed {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  let verb: string | undefined;
  let rest: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const word = args[index]!;
    if (word === "--") {
      rest = args.slice(index + 1);
      break;
    }
    if (word.startsWith("-") && word.length > 1) {
      const equals = word.indexOf("=");
      if (equals > 0) {
        flags.set(word.slice(0, equals), word.slice(equals + 1));
      } else if (VALUE_FLAGS.has(word) && !(verb && BOOLEAN_HERE[verb]?.has(word)) && index + 1 < args.length) {
        flags.set(word, args[++index]!);
      } else {
        flags.set(word, true);
      }
      continue;
    }
    if (verb === undefined) verb = word;
    else positionals.push(word);
  }
  const sub = verb === "rollout" || verb === "set" || verb === "create" ? positionals.shift() : undefined;
  return { verb, sub, positionals, rest, flags };
}

const literal = (word: string) => !/[$`<>*{}]/.test(word) && word !== "";

/**
 * Resources named by positional words: TYPE/NAME words, or a TYPE word followed by NAME words. `stop` ends the
 * names (label's key=value, taint's key=value:Effect, set env's KEY=value).
 */
function resourceWords(positionals: string[], kinds: Map<string, string>, stop: (word: string) => boolean = () => false): { kind: string | undefined; name: string; written: string }[] {
  const found: { kind: string | undefined; name: string; written: string }[] = [];
  if (positionals.length === 0) return found;
  if (positionals[0]!.includes("/")) {
    for (const word of positionals) {
      if (stop(word) || !word.includes("/")) break;
      const [type, name] = word.split("/", 2) as [string, string];
      if (literal(type) && literal(name)) found.push({ kind: kindOf(type, kinds) ?? `?${type}`, name, written: word });
    }
    return found;
  }
  const [type, ...names] = positionals as [string, ...string[]];
  // "deploy,sts" with names would name each of both kinds: nothing definite to check.
  if (type.includes(",") || !literal(type)) return found;
  for (const name of names) {
    if (stop(name)) break;
    if (literal(name)) found.push({ kind: kindOf(type, kinds) ?? `?${type}`, name, written: `${type} ${name}` });
  }
  return found;
}

function ref(kind: string, name: string, parsed: Parsed, written: string): ObjectRef {
  const namespace = parsed.flags.get("-n") ?? parsed.flags.get("--namespace");
  const anyNamespace = parsed.flags.has("-A") || parsed.flags.has("--all-namespaces");
  return { kind, name, namespace: typeof namespace === "string" ? namespace : undefined, anyNamespace, written };
}

/**
 * The objects one simple command names and creates; commands other than kubectl name none. `stdin` is what
 * the command reads when it applies `-f -`: the here-documents of its block (`cat <<EOF | kubectl apply -f -`
 * gives the body to cat).
 */
export function kubectlObjects(command: SimpleCommand, kinds: Map<string, string>, stdin = command.heredocs.join("\n---\n")): KubectlObjects {
  const start = command.words.indexOf("kubectl");
  const uses: ObjectRef[] = [];
  const creates: ObjectRef[] = [];
  if (start < 0) return { uses, creates };
  const parsed = parseArgs(command.words.slice(start + 1));
  const { verb, sub, positionals } = parsed;
  const use = (items: { kind: string | undefined; name: string; written: string }[]) => {
    for (const item of items) if (item.kind) uses.push(ref(item.kind, item.name, parsed, item.written));
  };
  // key=value, or key- to remove a label, annotation or taint: never an object's name, which ends alphanumeric.
  const assignment = (word: string) => word.includes("=") || word.endsWith("-");

  switch (verb) {
    case "get":
    case "describe":
    case "delete":
    case "edit":
    case "wait":
    case "top":
    case "patch":
      use(resourceWords(positionals, kinds));
      break;
    case "label":
    case "annotate":
      use(resourceWords(positionals, kinds, assignment));
      break;
    case "taint":
    case "set":
      // taint NODE key=value:Effect (or key- to remove it); set image|env|resources TARGET name=value
      use(resourceWords(positionals, kinds, (word) => assignment(word) || word.includes(":")));
      break;
    case "scale":
    case "autoscale":
    case "expose":
      use(resourceWords(positionals, kinds));
      if (verb !== "scale") {
        const target = resourceWords(positionals, kinds)[0];
        const name = parsed.flags.get("--name");
        if (target) creates.push(ref(verb === "expose" ? "Service" : "HorizontalPodAutoscaler", typeof name === "string" ? name : target.name, parsed, positionals.join(" ")));
      }
      break;
    case "rollout":
      use(resourceWords(positionals, kinds));
      break;
    case "logs":
    case "exec":
    case "port-forward":
    case "attach":
    case "debug": {
      const target = positionals[0];
      if (target && literal(target)) {
        if (target.includes("/")) use(resourceWords([target], kinds));
        else uses.push(ref("Pod", target, parsed, target));
      }
      break;
    }
    case "cordon":
    case "uncordon":
    case "drain":
      for (const name of positionals) if (literal(name)) uses.push(ref("Node", name.replace(/^(node|nodes|no)\//, ""), parsed, name));
      break;
    case "run":
      if (positionals[0] && literal(positionals[0])) creates.push(ref("Pod", positionals[0], parsed, `run ${positionals[0]}`));
      break;
    case "create":
      if (sub && !sub.startsWith("-")) {
        const kind = kindOf(sub, kinds);
        // "create secret generic NAME", "create service clusterip NAME": a type word comes first.
        const name = sub === "secret" || sub === "service" || sub === "svc" ? positionals[1] : positionals[0];
        if (kind && name && literal(name)) creates.push(ref(kind, name, parsed, `create ${sub} ${name}`));
        const from = parsed.flags.get("--from");
        if (typeof from === "string" && from.includes("/")) use(resourceWords([from], kinds));
      }
      break;
  }
  const file = parsed.flags.get("-f") ?? parsed.flags.get("--filename");
  if ((verb === "apply" || verb === "create" || verb === "replace") && file === "-") {
    for (const object of manifestObjects(stdin)) {
      const namespaced = object.namespace ? { ...parsed, flags: new Map([["-n", object.namespace] as [string, string]]) } : parsed;
      creates.push(ref(object.kind, object.name, namespaced, `${object.kind}/${object.name}`));
    }
  }
  return { uses, creates };
}

/** kind, name and namespace of each object in YAML text; documents that are not objects are skipped. */
export function manifestObjects(text: string): { kind: string; name: string; namespace: string | undefined }[] {
  if (text.trim() === "") return [];
  const objects: { kind: string; name: string; namespace: string | undefined }[] = [];
  for (const document of parseAllDocuments(text)) {
    const value = document.toJS() as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } } | null;
    if (value && typeof value.kind === "string" && typeof value.metadata?.name === "string") {
      objects.push({ kind: value.kind, name: value.metadata.name, namespace: typeof value.metadata.namespace === "string" ? value.metadata.namespace : undefined });
    }
  }
  return objects;
}
