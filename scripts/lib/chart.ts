/**
 * The chart as the scripts install it: which values files, which `--set`s, and the helm commands. One function
 * builds the arguments, so `chart:deploy`, `stack:up`, `e2e` and the image list (which renders the chart to find
 * its images) always agree on what is installed.
 */
import { join } from "node:path";
import { $ } from "zx";
import { parseAllDocuments } from "yaml";
import { APPS } from "./images.ts";
import { repoRoot } from "./prerequisites.ts";
import type { ClusterSettings } from "./settings.ts";

export const CHART_DIR = join(repoRoot(), "charts", "folio");
export const KIND_VALUES = join(CHART_DIR, "values-kind.yaml");

export interface ChartInput {
  /** Tag of Folio's images (folio/<app>:<tag>); undefined keeps the chart's appVersion. */
  imageTag?: string;
  /** Repository prefix of Folio's images (default "folio"). */
  imagePrefix?: string;
  /** Values files after values-kind.yaml, in order (later ones win). */
  valuesFiles?: string[];
  /** --set key=value pairs, applied last. */
  set?: Record<string, string>;
}

/** The --values and --set arguments for an install on the kind cluster described by `settings`. */
export function chartValueArgs(settings: Pick<ClusterSettings, "httpPort">, input: ChartInput = {}): string[] {
  const set: Record<string, string> = {};
  const prefix = input.imagePrefix ?? "folio";
  for (const app of APPS) {
    if (input.imageTag) set[`${app}.image.tag`] = input.imageTag;
    if (prefix !== "folio") set[`${app}.image.repository`] = `${prefix}/${app}`;
  }
  Object.assign(set, input.set);
  return [
    "--values",
    KIND_VALUES,
    ...(input.valuesFiles ?? []).flatMap((file) => ["--values", file]),
    ...Object.entries(set).flatMap(([key, value]) => ["--set-string", `${key}=${value}`]),
    // Browsers must be told the API's URL with the port the ingress is reached on (a number in the schema).
    ...(settings.httpPort !== 80 ? ["--set", `ingress.publicPort=${settings.httpPort}`] : []),
  ];
}

/** Packs the local subcharts into charts/folio/charts (they are git-ignored there); needs no network. */
export async function buildChartDependencies(): Promise<void> {
  await $({ quiet: true })`helm dependency build ${CHART_DIR} --skip-refresh`;
}

/** `helm template` with the install's values, parsed (test hooks included). */
export async function renderChart(settings: Pick<ClusterSettings, "httpPort" | "namespace" | "release">, input: ChartInput = {}): Promise<unknown[]> {
  const output = await $({ quiet: true })`helm template ${settings.release} ${CHART_DIR} --namespace ${settings.namespace} ${chartValueArgs(settings, input)}`;
  return parseAllDocuments(output.stdout)
    .map((document) => document.toJS() as unknown)
    .filter((object) => object !== null);
}

export interface DeployOptions extends ChartInput {
  /** helm's --timeout, e.g. "10m". */
  timeout?: string;
  verbose?: boolean;
}

/**
 * helm upgrade --install, waiting until every workload is ready and the migrations Job has completed
 * (--wait --wait-for-jobs), so "deployed" means "serving".
 */
export async function deployChart(settings: ClusterSettings, options: DeployOptions = {}): Promise<void> {
  await $({ quiet: !options.verbose })`helm upgrade --install ${settings.release} ${CHART_DIR} --kube-context ${settings.context} --namespace ${settings.namespace} --create-namespace ${chartValueArgs(settings, options)} --wait --wait-for-jobs --timeout ${options.timeout ?? "10m"}`;
}

/** `helm test`: the smoke pod's output is returned, and a failure throws with it. */
export async function testChart(settings: ClusterSettings, timeout = "5m"): Promise<string> {
  const result = await $({ quiet: true, nothrow: true })`helm test ${settings.release} --kube-context ${settings.context} --namespace ${settings.namespace} --logs --timeout ${timeout}`;
  const output = `${result.stdout}${result.stderr}`;
  if (result.exitCode !== 0) throw new Error(`helm test failed (exit ${result.exitCode}):\n${output.trim()}`);
  return output;
}
