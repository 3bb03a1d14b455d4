/**
 * Validates rendered objects against the Kubernetes API schema, offline: k8s-openapi/v1.34.json is the part of
 * Kubernetes' swagger.json that the charts' kinds reach, vendored by scripts/vendor-k8s-openapi.ts.
 *
 * The OpenAPI v2 definitions describe what the API server accepts, with two gaps this closes, so that the check
 * is as strict as `kubectl apply --validate=strict`:
 * - objects do not say additionalProperties: false, so a misspelt field would pass; here every object with
 *   declared properties rejects undeclared ones;
 * - IntOrString and Quantity are declared as strings, while YAML gives numbers (`port: 8080`, `cpu: 1`); here
 *   they accept both.
 * Custom resources (KEDA's) have no definition here; they are checked by their own small schemas below.
 */
import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import type { K8sObject } from "./helm.js";

interface Vendored {
  kubernetesVersion: string;
  definitions: Record<string, Record<string, unknown>>;
}

const vendored = JSON.parse(readFileSync(new URL("../k8s-openapi/v1.34.json", import.meta.url), "utf8")) as Vendored;
export const kubernetesVersion = vendored.kubernetesVersion;

const INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
const QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";

function strict(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strict);
  if (!node || typeof node !== "object") return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    copy[key] = key === "properties" ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, strict(v)])) : strict(value);
  }
  if (copy.properties && copy.additionalProperties === undefined) copy.additionalProperties = false;
  return copy;
}

const definitions: Record<string, unknown> = {};
for (const [name, definition] of Object.entries(vendored.definitions)) definitions[name] = strict(definition);
definitions[INT_OR_STRING] = { type: ["integer", "string"] };
definitions[QUANTITY] = { type: ["string", "number"], pattern: "^[+-]?[0-9.]+([eE][+-]?[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$" };

/** "apps/v1/Deployment" → its definition's name, from x-kubernetes-group-version-kind. */
const byKind = new Map<string, string>();
for (const [name, definition] of Object.entries(vendored.definitions)) {
  for (const gvk of (definition["x-kubernetes-group-version-kind"] ?? []) as { group: string; version: string; kind: string }[]) {
    byKind.set(`${gvk.group ? `${gvk.group}/` : ""}${gvk.version}/${gvk.kind}`, name);
  }
}

/**
 * Custom resources the charts may render, with a structural schema each: what KEDA's CRDs require, and no
 * unknown top-level fields. (KEDA's full CRD schemas are not vendored: the operator validates the rest.)
 */
const customResources: Record<string, object> = {
  "keda.sh/v1alpha1/ScaledObject": {
    type: "object",
    required: ["apiVersion", "kind", "metadata", "spec"],
    properties: {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: { type: "object" },
      spec: {
        type: "object",
        additionalProperties: false,
        required: ["scaleTargetRef", "triggers"],
        properties: {
          scaleTargetRef: { type: "object", required: ["name"], properties: { name: { type: "string" } } },
          minReplicaCount: { type: "integer", minimum: 0 },
          maxReplicaCount: { type: "integer", minimum: 1 },
          pollingInterval: { type: "integer", minimum: 1 },
          cooldownPeriod: { type: "integer", minimum: 0 },
          triggers: {
            type: "array",
            minItems: 1,
            items: {
              type: "object",
              required: ["type", "metadata"],
              additionalProperties: false,
              properties: {
                type: { type: "string" },
                name: { type: "string" },
                // KEDA trigger metadata is a map of strings: a number here is rejected by the CRD.
                metadata: { type: "object", additionalProperties: { type: "string" } },
                authenticationRef: { type: "object", required: ["name"], properties: { name: { type: "string" } } },
              },
            },
          },
        },
      },
    },
  },
  "keda.sh/v1alpha1/TriggerAuthentication": {
    type: "object",
    required: ["apiVersion", "kind", "metadata", "spec"],
    properties: {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: { type: "object" },
      spec: {
        type: "object",
        additionalProperties: false,
        properties: {
          secretTargetRef: {
            type: "array",
            items: {
              type: "object",
              additionalProperties: false,
              required: ["parameter", "name", "key"],
              properties: { parameter: { type: "string" }, name: { type: "string" }, key: { type: "string" } },
            },
          },
        },
      },
    },
  },
};

// The x-kubernetes-* keywords carry no validation; declaring them keeps ajv's strict mode on for the rest.
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, validateFormats: false });
ajv.addKeyword("x-kubernetes-group-version-kind");
ajv.addSchema({ $id: "k8s", definitions }, "k8s");

const validators = new Map<string, ValidateFunction>();
function validatorFor(kind: string): ValidateFunction | undefined {
  if (!validators.has(kind)) {
    const definition = byKind.get(kind);
    if (definition) validators.set(kind, ajv.compile({ $ref: `k8s#/definitions/${definition}` }));
    else if (customResources[kind]) validators.set(kind, ajv.compile(customResources[kind]));
  }
  return validators.get(kind);
}

/** Kubernetes treats an explicit null like an absent field (`egress:` with nothing under it). */
function withoutNulls(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutNulls);
  if (!node || typeof node !== "object") return node;
  return Object.fromEntries(Object.entries(node).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
}

/** Problems with one object, as readable lines; empty when it is valid. */
export function validateObject(object: K8sObject): string[] {
  const kind = `${object.apiVersion}/${object.kind}`;
  const validate = validatorFor(kind);
  if (!validate) return [`${kind} is neither in the vendored Kubernetes ${kubernetesVersion} schema nor a known custom resource`];
  const { source: _source, ...body } = object;
  if (validate(withoutNulls(body))) return [];
  return (validate.errors ?? []).map((error) => describe(error));
}

function describe(error: ErrorObject): string {
  const where = error.instancePath || "/";
  if (error.keyword === "additionalProperties") return `${where}: unknown field "${String(error.params.additionalProperty)}"`;
  return `${where}: ${error.message ?? error.keyword}`;
}
