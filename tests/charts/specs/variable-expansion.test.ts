/**
 * The kubelet expands `$(VAR)` and `$$` in every container's command, args and env values (src/expansion.ts).
 * `helm test` once failed on a real cluster because the smoke script, passed inline in `command`, built Redis
 * commands with a template literal `$${…}`, which Kubernetes turned into `${…}`; Docker, which ran the same script
 * in the image tests, expands nothing. This scans every container of every workload, Job, CronJob and Pod the
 * charts render (the subcharts' included, with every values file) for expansion syntax that is not a deliberate
 * reference to a variable the container declares.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { expand, expansionFindings } from "../src/expansion.js";
import { ciValuesFiles, render, type K8sObject, type RenderOptions } from "../src/helm.js";
import { allContainers, podTemplates, type Container } from "../src/objects.js";
import { chartsDir, folioChart, subcharts } from "../src/paths.js";

const renders: [string, RenderOptions][] = [
  ["defaults", {}],
  ...[...ciValuesFiles, `${folioChart}/values-kind.yaml`].map((file): [string, RenderOptions] => [file.slice(chartsDir.length + 1), { valuesFiles: [file] }]),
  ...subcharts.map((chart): [string, RenderOptions] => [`the ${chart} chart alone`, { chart: `${chartsDir}/${chart}`, release: "standalone" }]),
];
const rendered = new Map<string, K8sObject[]>();
beforeAll(async () => {
  for (const [name, options] of renders) rendered.set(name, await render(options));
});

/** Names a container's envFrom brings in: the keys of the rendered ConfigMaps and Secrets it names. */
function fromEnvFrom(container: Container, objects: K8sObject[], namespace: string): string[] {
  return (container.envFrom ?? []).flatMap((from) => {
    const [kind, name] = from.configMapRef ? ["ConfigMap", from.configMapRef.name] : ["Secret", from.secretRef?.name];
    const source = objects.find((o) => o.kind === kind && o.metadata.name === name && (o.metadata.namespace ?? "folio") === namespace);
    return Object.keys({ ...((source?.data ?? {}) as object), ...((source?.stringData ?? {}) as object) });
  });
}

/** Every string the kubelet expands in one container, with the variables each may refer to. */
function expandedStrings(container: Container, objects: K8sObject[], namespace: string) {
  const all = new Set([...fromEnvFrom(container, objects, namespace), ...(container.env ?? []).map((e) => e.name)]);
  const strings: { field: string; text: string; declared: ReadonlySet<string> }[] = [];
  (container.command ?? []).forEach((text, i) => strings.push({ field: `command[${i}]`, text, declared: all }));
  (container.args ?? []).forEach((text, i) => strings.push({ field: `args[${i}]`, text, declared: all }));
  // An env value may refer only to variables defined before it (envFrom, then earlier entries).
  const before = new Set(fromEnvFrom(container, objects, namespace));
  for (const { name, value } of container.env ?? []) {
    if (value !== undefined) strings.push({ field: `env ${name}`, text: value, declared: new Set(before) });
    before.add(name);
  }
  return strings;
}

describe("Kubernetes variable expansion in commands, args and env values", () => {
  it("when the kubelet's expansion is applied, then $$ loses a $, a declared $(VAR) is replaced and anything else is left as it is", () => {
    const env = new Map([["HOST", "db"]]);
    expect(expand("postgres://$(HOST)/x", env)).toBe("postgres://db/x");
    expect(expand("`$${n}` $$ $(date) $HOST ${HOST} $(HOST", env)).toBe("`${n}` $ $(date) $HOST ${HOST} $(HOST");
    expect(expand("$$(HOST)", env)).toBe("$(HOST)");
    expect(expansionFindings("$(HOST) $HOST ${HOST} $x$", new Set(["HOST"]))).toEqual([]);
    expect(expansionFindings("$${n} $(date +%s) $(HOST", new Set(["HOST"])).map((f) => f.text)).toEqual(["$$", "$(date +%s)", "$(HOST"]);
  });

  for (const [name] of renders) {
    it(`when ${name} is rendered, then no command, args or env value has expansion syntax other than references to the container's own variables`, () => {
      const objects = rendered.get(name)!;
      const findings: string[] = [];
      let scanned = 0;
      for (const pod of podTemplates(objects)) {
        for (const container of allContainers(pod.spec)) {
          for (const { field, text, declared } of expandedStrings(container, objects, pod.namespace)) {
            scanned++;
            for (const finding of expansionFindings(text, declared)) {
              findings.push(`${pod.owner.kind} ${pod.owner.metadata.name} (${pod.owner.source}), container ${container.name}, ${field}: ${JSON.stringify(finding.text)} at ${finding.index}: ${finding.problem}`);
            }
          }
        }
      }
      expect(scanned).toBeGreaterThan(0);
      expect(findings).toEqual([]);
    });
  }

  it("when a URL is built from $(VARIABLES) in env, then every reference is to a variable defined before it, so the kubelet replaces each one", () => {
    // The deliberate uses: DATABASE_URL and REDIS_URL assembled from the ConfigMap's host and the Secret's password.
    const objects = rendered.get("defaults")!;
    const api = podTemplates(objects).find((pod) => pod.owner.metadata.name === "folio-api")!;
    const container = api.spec.containers[0]!;
    const url = container.env!.find((e) => e.name === "DATABASE_URL")!.value!;
    expect(url).toMatch(/\$\(DATABASE_PASSWORD\)/);
    const defined = expandedStrings(container, objects, api.namespace).find((s) => s.field === "env DATABASE_URL")!.declared;
    expect([...defined]).toEqual(expect.arrayContaining(["DATABASE_USER", "DATABASE_PASSWORD", "DATABASE_HOST", "DATABASE_PORT", "DATABASE_NAME"]));
  });
});
