/** Ways to look into rendered objects: their pod templates, containers, and what selects what. */
import type { K8sObject } from "./helm.js";

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: Record<string, { name?: string; key: string; fieldPath?: string }> }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean; subPath?: string }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
}

export interface Probe {
  httpGet?: { path: string; port: number | string };
  tcpSocket?: { port: number | string };
  exec?: { command: string[] };
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: ({ name: string } & Record<string, unknown>)[];
  securityContext?: Record<string, unknown>;
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  tolerations?: Record<string, unknown>[];
  topologySpreadConstraints?: Record<string, unknown>[];
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
}

/** A pod template (or a Pod) with the object that owns it. */
export interface PodTemplate {
  owner: K8sObject;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: PodSpec;
}

type Template = { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };

export function podTemplates(objects: K8sObject[], releaseNamespace = "folio"): PodTemplate[] {
  const templates: PodTemplate[] = [];
  for (const object of objects) {
    const spec = object.spec as { template?: Template; jobTemplate?: { spec?: { template?: Template } } } | undefined;
    let template: Template | undefined;
    if (["Deployment", "StatefulSet", "DaemonSet", "Job"].includes(object.kind)) template = spec?.template;
    else if (object.kind === "CronJob") template = spec?.jobTemplate?.spec?.template;
    else if (object.kind === "Pod") template = { metadata: object.metadata, spec: object.spec as PodSpec };
    if (!template) continue;
    templates.push({
      owner: object,
      namespace: object.metadata.namespace ?? releaseNamespace,
      labels: template.metadata?.labels ?? {},
      annotations: template.metadata?.annotations ?? {},
      spec: template.spec,
    });
  }
  return templates;
}

export const allContainers = (spec: PodSpec): Container[] => [...(spec.initContainers ?? []), ...spec.containers];

export const find = (objects: K8sObject[], kind: string, name: string): K8sObject => {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} named ${name} among: ${objects.filter((o) => o.kind === kind).map((o) => o.metadata.name).join(", ")}`);
  return found;
};

export const ofKind = (objects: K8sObject[], kind: string): K8sObject[] => objects.filter((object) => object.kind === kind);

/** Whether matchLabels selects these labels. */
export function matches(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  return Object.entries(selector ?? {}).every(([key, value]) => labels[key] === value);
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
}

/** Whether a full LabelSelector (matchLabels and matchExpressions, ANDed) selects these labels. */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  return (
    matches(selector?.matchLabels, labels) &&
    (selector?.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
      const has = key in labels;
      if (operator === "In") return has && values.includes(labels[key]!);
      if (operator === "NotIn") return !has || !values.includes(labels[key]!);
      if (operator === "Exists") return has;
      return !has;
    })
  );
}

export const component = (template: PodTemplate): string =>
  template.labels["app.kubernetes.io/component"] ?? template.owner.metadata.name;
