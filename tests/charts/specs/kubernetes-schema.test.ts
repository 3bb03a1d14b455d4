import { describe, expect, it } from "vitest";
import { ciValuesFiles, render, type RenderOptions } from "../src/helm.js";
import { kubernetesVersion, validateObject } from "../src/k8s-schema.js";
import { chartsDir, folioChart, subcharts } from "../src/paths.js";

const renders: [string, RenderOptions][] = [
  ["the folio chart with its default values", {}],
  ...[...ciValuesFiles, `${folioChart}/values-kind.yaml`].map(
    (file): [string, RenderOptions] => [`the folio chart with ${file.slice(chartsDir.length + 1)}`, { valuesFiles: [file] }],
  ),
  ...subcharts.map((chart): [string, RenderOptions] => [`the ${chart} chart on its own`, { chart: `${chartsDir}/${chart}`, release: "standalone" }]),
];

describe(`Kubernetes ${kubernetesVersion} API schema (vendored, offline)`, () => {
  for (const [name, options] of renders) {
    it(`when ${name} is rendered, then every object is valid for the API server`, async () => {
      const objects = await render(options);
      expect(objects.length).toBeGreaterThan(0);
      const problems = objects.flatMap((object) =>
        validateObject(object).map((problem) => `${object.kind} ${object.metadata.name} (${object.source}) ${problem}`),
      );
      expect(problems).toEqual([]);
    });
  }

  it("when an object has a misspelt field, then the validation names it", () => {
    const problems = validateObject({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "x" },
      spec: { selector: { a: "b" }, ports: [{ port: 80, targetPrt: 8080 }] },
      source: "inline",
    });
    expect(problems).toEqual(['/spec/ports/0: unknown field "targetPrt"']);
  });

  it("when a field has the wrong type, then the validation says where and what was expected", () => {
    const problems = validateObject({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "x" },
      spec: { replicas: "two", selector: {}, template: {} },
      source: "inline",
    });
    expect(problems).toContain("/spec/replicas: must be integer");
  });

  it("when a kind is neither in the schema nor a known custom resource, then it is reported rather than skipped", () => {
    const problems = validateObject({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "x" }, source: "inline" });
    expect(problems[0]).toMatch(/example.com\/v1\/Widget is neither/);
  });
});
