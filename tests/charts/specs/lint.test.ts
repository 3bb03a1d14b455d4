import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { checkHelm, ciValuesFiles, helm } from "../src/helm.js";
import { chartsDir, folioChart, subcharts } from "../src/paths.js";

describe("helm lint --strict", () => {
  it("when helm is asked for its version, then it is Helm 3.18+ or 4 (the schema error format the tests read)", async () => {
    expect(await checkHelm()).toMatch(/^v(3\.(1[89]|[2-9]\d)|[4-9])\./);
  });

  for (const chart of subcharts) {
    it(`when the ${chart} chart is linted, then there are no warnings`, async () => {
      const result = await helm(["lint", "--strict", `${chartsDir}/${chart}`]);
      expect(result.stderr + result.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
      expect(result.ok).toBe(true);
    });
  }

  for (const file of [undefined, ...ciValuesFiles, `${folioChart}/values-kind.yaml`]) {
    it(`when the folio chart is linted with ${file ? file.slice(chartsDir.length + 1) : "its defaults"}, then there are no warnings`, async () => {
      // Not --with-subcharts: it would lint each subchart with the umbrella's values file at its root. The
      // subcharts are linted on their own above, and the umbrella's render validates their values.
      const result = await helm(["lint", "--strict", folioChart, ...(file ? ["--values", file] : [])]);
      expect(result.stdout, result.stderr).not.toMatch(/\[(WARNING|ERROR)\]/);
      expect(result.ok, result.stdout + result.stderr).toBe(true);
    });
  }

  it("when a subchart's version changes, then the folio chart and its Chart.lock depend on that version", () => {
    const chart = (dir: string) => parse(readFileSync(`${dir}/Chart.yaml`, "utf8")) as { version: string; dependencies?: { name: string; version: string }[] };
    const lock = parse(readFileSync(`${folioChart}/Chart.lock`, "utf8")) as { dependencies: { name: string; version: string }[] };
    for (const name of subcharts) {
      const { version } = chart(`${chartsDir}/${name}`);
      expect(chart(folioChart).dependencies?.find((d) => d.name === name)?.version, name).toBe(version);
      expect(lock.dependencies.find((d) => d.name === name)?.version, `${name} in Chart.lock (run helm dependency update charts/folio)`).toBe(version);
    }
  });
});
