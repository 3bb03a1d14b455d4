#!/usr/bin/env node
/**
 * Vendors the part of Kubernetes' OpenAPI (v2, swagger.json) that the chart tests validate against.
 *
 * The chart tests validate every rendered object against the API schema of the cluster version we target,
 * offline. The full swagger.json is 3.8 MB; this keeps only the definitions reachable from the kinds the
 * charts render, without descriptions, which is small enough to commit and review.
 *
 * Where the spec comes from: the Go module proxy serves the k8s.io/kubernetes module, whose zip contains
 * api/openapi-spec/swagger.json. `go mod download` fetches it (and checks it against the checksum database),
 * so this needs Go, but nothing at test time does.
 *
 * Usage: node scripts/vendor-k8s-openapi.ts [--version v1.34.1] [--out tests/charts/k8s-openapi/v1.34.json]
 * Environment: GOPATH, GOPROXY, GOFLAGS as for any `go mod download`.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { $, argv, chalk, echo, spinner, which } from "zx";
import { repoRoot } from "./lib/prerequisites.ts";

/** apiVersion/kind of every object the charts render (CRDs such as KEDA's are validated by the tests themselves). */
const KINDS = [
  "v1/ConfigMap",
  "v1/Namespace",
  "v1/PersistentVolumeClaim",
  "v1/Pod",
  "v1/Secret",
  "v1/Service",
  "v1/ServiceAccount",
  "apps/v1/DaemonSet",
  "apps/v1/Deployment",
  "apps/v1/StatefulSet",
  "autoscaling/v2/HorizontalPodAutoscaler",
  "batch/v1/CronJob",
  "batch/v1/Job",
  "networking.k8s.io/v1/Ingress",
  "networking.k8s.io/v1/NetworkPolicy",
  "policy/v1/PodDisruptionBudget",
];

if (argv.help || argv.h) {
  echo("Usage: node scripts/vendor-k8s-openapi.ts [--version v1.34.1] [--out tests/charts/k8s-openapi/v1.34.json]");
  process.exit(0);
}

const root = repoRoot();
const version = String(argv.version ?? "v1.34.1");
const out = join(root, String(argv.out ?? "tests/charts/k8s-openapi/v1.34.json"));

if (!(await which("go", { nothrow: true }))) {
  echo(chalk.red("Go is needed to fetch the k8s.io/kubernetes module: https://go.dev/doc/install (or apt-get install golang)."));
  process.exit(1);
}

const download = await spinner(`downloading k8s.io/kubernetes@${version} from the Go module proxy`, () =>
  $({ env: { ...process.env, GOFLAGS: "-mod=mod" } })`go mod download -json k8s.io/kubernetes@${version}`,
);
const { Dir: moduleDir } = JSON.parse(download.stdout) as { Dir: string };
const swagger = JSON.parse(readFileSync(join(moduleDir, "api/openapi-spec/swagger.json"), "utf8")) as {
  definitions: Record<string, Definition>;
};

type Definition = Record<string, unknown>;

/** The definition of each of KINDS, found by its x-kubernetes-group-version-kind. */
function rootsFor(definitions: Record<string, Definition>): Map<string, string> {
  const roots = new Map<string, string>();
  for (const [name, definition] of Object.entries(definitions)) {
    const gvks = (definition["x-kubernetes-group-version-kind"] ?? []) as { group: string; version: string; kind: string }[];
    for (const { group, version: v, kind } of gvks) {
      const key = `${group ? `${group}/` : ""}${v}/${kind}`;
      if (KINDS.includes(key)) roots.set(key, name);
    }
  }
  return roots;
}

/** Drops descriptions and list/patch hints; keeps what validation uses and the group-version-kind of the roots. */
function strip(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strip);
  if (node === null || typeof node !== "object") return node;
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "description" || (key.startsWith("x-kubernetes-") && key !== "x-kubernetes-group-version-kind")) continue;
    kept[key] = key === "properties" ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, strip(v)])) : strip(value);
  }
  return kept;
}

function refsIn(node: unknown, found: Set<string>): void {
  if (Array.isArray(node)) node.forEach((item) => refsIn(item, found));
  else if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") found.add(value.replace("#/definitions/", ""));
      else refsIn(value, found);
    }
  }
}

const roots = rootsFor(swagger.definitions);
const missing = KINDS.filter((kind) => !roots.has(kind));
if (missing.length) {
  echo(chalk.red(`not in the ${version} spec: ${missing.join(", ")}`));
  process.exit(1);
}

const keep = new Set<string>();
const queue = [...roots.values()];
while (queue.length) {
  const name = queue.pop()!;
  if (keep.has(name)) continue;
  keep.add(name);
  const refs = new Set<string>();
  refsIn(swagger.definitions[name], refs);
  queue.push(...refs);
}

const definitions = Object.fromEntries([...keep].sort().map((name) => [name, strip(swagger.definitions[name])]));
const vendored = {
  // Provenance, so a reader can regenerate and compare.
  source: `k8s.io/kubernetes@${version} api/openapi-spec/swagger.json (Go module proxy), trimmed by scripts/vendor-k8s-openapi.ts`,
  // swagger.json says "unversioned"; the module version is the release it belongs to.
  kubernetesVersion: version,
  kinds: KINDS,
  definitions,
};
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(vendored, null, 1)}\n`);
echo(`${relative(root, out)}: ${keep.size} of ${Object.keys(swagger.definitions).length} definitions, ${Math.round(readFileSync(out).length / 1024)} KiB`);
