#!/usr/bin/env node
/**
 * pnpm chart:deploy: installs or upgrades Folio's chart on the kind cluster with charts/folio/values-kind.yaml,
 * Folio's images at the commit's tag, and any extra values; waits until every workload is ready and the
 * migrations Job has run (helm --wait --wait-for-jobs); prints the URLs and the admin's login.
 *
 * Usage: pnpm chart:deploy [--cluster NAME] [--tag TAG] [--values FILE …] [--set KEY=VALUE …] [--timeout 10m] [--test] [--verbose]
 * Environment: FOLIO_CLUSTER, FOLIO_NAMESPACE (default folio), FOLIO_RELEASE (default folio), FOLIO_HTTP_PORT.
 */
import { resolve } from "node:path";
import { chalk, echo } from "zx";
import { runScript, step, UsageError, type CliSpec, type ParsedOptions } from "./lib/cli.ts";
import { buildChartDependencies, deployChart, renderChart, testChart, type ChartInput } from "./lib/chart.ts";
import { clusterHealth } from "./lib/cluster.ts";
import { chartImageGroups, commitTag } from "./lib/images.ts";
import { Kube } from "./lib/kube.ts";
import { ADMIN_EMAIL, adminPassword, imagesMissingOnNodes, urls } from "./lib/release.ts";
import { clusterSettings, type ClusterSettings } from "./lib/settings.ts";

export const deployOptions: CliSpec["options"] = [
  { name: "tag", type: "string", value: "TAG", description: "tag of Folio's images", default: "the commit's, as pnpm images tags them" },
  { name: "values", type: "string", value: "FILE", repeatable: true, description: "more values, after charts/folio/values-kind.yaml" },
  { name: "set", type: "string", value: "KEY=VALUE", repeatable: true, description: "a single value (helm --set-string)" },
  { name: "timeout", type: "string", value: "DURATION", description: "how long helm waits for the release to be ready", default: "10m" },
];

const spec: CliSpec = {
  usage: "pnpm chart:deploy [options]",
  summary: "Installs or upgrades Folio on the kind cluster and waits until it serves.",
  options: [
    { name: "cluster", type: "string", value: "NAME", description: "kind cluster name (or FOLIO_CLUSTER)", default: "folio" },
    ...deployOptions,
    { name: "test", type: "boolean", description: "run `helm test` afterwards" },
  ],
};

export function chartInput(options: ParsedOptions, tag: string): ChartInput {
  const set: Record<string, string> = {};
  for (const pair of (options.set as string[] | undefined) ?? []) {
    const index = pair.indexOf("=");
    if (index <= 0) throw new UsageError(`--set needs KEY=VALUE, not ${pair}`);
    set[pair.slice(0, index)] = pair.slice(index + 1);
  }
  return { imageTag: tag, valuesFiles: ((options.values as string[] | undefined) ?? []).map((file) => resolve(file)), set };
}

export async function resolveTag(options: ParsedOptions): Promise<string> {
  if (options.tag) return options.tag as string;
  const commit = await commitTag();
  if (typeof commit === "string") throw new Error(commit);
  return commit.tag;
}

/** Deploys and waits; on a timeout, shows which pods are not ready and the namespace's recent warnings. */
export async function deploy(settings: ClusterSettings, input: ChartInput, timeout: string, verbose: boolean): Promise<void> {
  const health = await clusterHealth(settings);
  if (health.problems.length > 0) throw new Error(`the cluster is not ready (${health.problems.join("; ")}). Run: pnpm cluster:up`);
  await buildChartDependencies();
  // Folio's own images must be there (nothing can pull them); third-party ones a laptop's nodes may pull.
  const groups = chartImageGroups(await renderChart(settings, input)).map((group) => ({ ...group, images: group.images.filter((image) => image.startsWith("folio/")) }));
  const missing = await imagesMissingOnNodes(settings.name, groups);
  if (Object.keys(missing).length > 0) {
    throw new Error(`Folio's images are missing from nodes that run them: ${Object.entries(missing).map(([image, nodes]) => `${image} (${nodes.join(", ")})`).join("; ")}. Run: pnpm images --load`);
  }
  try {
    await step(`helm upgrade --install ${settings.release} (namespace ${settings.namespace}, images :${input.imageTag})`, () =>
      deployChart(settings, { ...input, timeout, verbose }),
    );
  } catch (error) {
    const kube = new Kube(settings.context);
    const pods = await kube.run(["get", "pods", "-n", settings.namespace, "-o", "wide"], { nothrow: true });
    const events = await kube.run(["get", "events", "-n", settings.namespace, "--field-selector", "type=Warning", "--sort-by=.lastTimestamp"], { nothrow: true });
    echo(chalk.yellow(`\nPods in ${settings.namespace}:\n${pods.stdout}\nRecent warnings:\n${events.stdout.split("\n").slice(-15).join("\n")}`));
    echo(chalk.dim("Details: pnpm logs (saves every pod's logs and events)"));
    throw error;
  }
}

export async function printAccess(settings: ClusterSettings): Promise<void> {
  const at = urls(settings);
  echo("");
  echo(`${chalk.bold("Site")}     ${at.site}`);
  echo(`${chalk.bold("Editor")}   ${at.editor}`);
  echo(`${chalk.bold("API")}      ${at.api}/v1/openapi.json`);
  echo(`${chalk.bold("Login")}    ${ADMIN_EMAIL} / ${await adminPassword(settings)}`);
  echo(chalk.dim(`kubectl --context ${settings.context} -n ${settings.namespace} get pods -o wide`));
}

async function main(options: ParsedOptions): Promise<number> {
  const settings = clusterSettings({ name: options.cluster as string | undefined });
  const tag = await resolveTag(options);
  await deploy(settings, chartInput(options, tag), (options.timeout as string | undefined) ?? "10m", Boolean(options.verbose));
  if (options.test) {
    const output = await step("helm test", () => testChart(settings));
    echo(chalk.dim(output.trim()));
  }
  await printAccess(settings);
  return 0;
}

if (import.meta.main) await runScript(spec, main);
