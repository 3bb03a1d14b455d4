#!/usr/bin/env node
/**
 * pnpm stack:up: the workshop's first command. Checks the machine (pnpm preflight), creates or reuses the kind
 * cluster (pnpm cluster:up), builds Folio's images and loads them and the third-party images into the nodes
 * (pnpm images --load), installs the chart (pnpm chart:deploy), then prints the URLs, the admin's login and
 * how long each step took.
 *
 * Usage: pnpm stack:up [--cluster NAME] [--node-image IMAGE] [--http-port 80] [--https-port 443] [--tag TAG] [--values FILE …] [--set K=V …] [--verbose]
 * Environment: those of the scripts it runs (FOLIO_CLUSTER, KIND_NODE_IMAGE, FOLIO_HTTP_PORT, FOLIO_HTTPS_PORT, …).
 */
import { chalk, echo } from "zx";
import { runScript, step, timingTable, timings, type CliSpec, type ParsedOptions } from "./lib/cli.ts";
import { buildChartDependencies, renderChart } from "./lib/chart.ts";
import { clusterExists } from "./lib/cluster.ts";
import { addonImageGroups, APPS, buildImages, chartImageGroups, commitTag, loadImages } from "./lib/images.ts";
import { formatResults, runPreflight } from "./lib/preflight.ts";
import { chartInput, deploy, deployOptions, printAccess } from "./chart-deploy.ts";
import { clusterOptions, clusterUp, settingsFrom } from "./cluster-up.ts";
import type { ClusterSettings } from "./lib/settings.ts";
import type { ChartInput } from "./lib/chart.ts";

const spec: CliSpec = {
  usage: "pnpm stack:up [options]",
  summary: "Preflight, kind cluster, images and chart in one command; then the URLs and how to log in.",
  options: [...clusterOptions, ...deployOptions],
};

export async function preflightStep(settings: ClusterSettings): Promise<void> {
  const results = await step("preflight", async () => runPreflight({ settings, ownClusterExists: await clusterExists(settings.name) }));
  const failed = results.filter((result) => result.verdict === "fail");
  if (failed.length > 0 || results.some((result) => result.verdict === "warn")) echo(formatResults(results.filter((result) => result.verdict !== "ok")));
  if (failed.length > 0) throw new Error(`preflight found ${failed.length} problem(s) to fix first (above)`);
}

/**
 * Builds Folio's images at `tag` and loads them, and every third-party image of the chart and the add-ons, into
 * the nodes that can run them. The third-party images do not depend on the build, so they are loaded while it
 * runs: on a laptop the two overlap almost entirely.
 */
export async function imagesStep(settings: ClusterSettings, input: ChartInput, verbose: boolean): Promise<void> {
  const tag = input.imageTag!;
  const commit = await commitTag();
  await buildChartDependencies();
  // The chart rendered with this tag names Folio's images too; each group says which nodes need its images.
  const groups = [...chartImageGroups(await renderChart(settings, input)), ...addonImageGroups()];
  const own = (image: string) => image.startsWith("folio/");
  const split = (keep: (image: string) => boolean) => groups.map((group) => ({ ...group, images: group.images.filter(keep) }));
  const thirdParty = split((image) => !own(image));
  const folio = split(own);

  const loadingThirdParty = loadImages(settings.name, thirdParty, verbose);
  loadingThirdParty.catch(() => undefined); // awaited below; a failure must not go unhandled while the build runs
  await step(`building Folio's images (:${tag}) while the third-party images load`, () =>
    buildImages({ apps: APPS, tag, revision: typeof commit === "string" ? "" : commit.revision, base: "node:24-bookworm-slim", prefix: "folio", verbose }),
  );
  const third = await step("loading the third-party images into the nodes", () => loadingThirdParty);
  const mine = await step("loading Folio's images into the nodes", () => loadImages(settings.name, folio, verbose));
  if (mine.missing.length > 0) throw new Error(`Folio's images ${mine.missing.join(", ")} are not in the local Docker`);
  if (third.missing.length > 0) echo(chalk.yellow(`not in the local Docker, so the nodes pull them: ${third.missing.join(", ")}`));
}

async function main(options: ParsedOptions): Promise<number> {
  const settings = settingsFrom(options);
  const verbose = Boolean(options.verbose);
  const commit = await commitTag();
  const tag = (options.tag as string | undefined) ?? (typeof commit === "string" ? "dev" : commit.tag);
  const input = chartInput(options, tag);
  await preflightStep(settings);
  await clusterUp(settings, verbose);
  await imagesStep(settings, input, verbose);
  await deploy(settings, input, (options.timeout as string | undefined) ?? "10m", verbose);
  await printAccess(settings);
  echo("");
  echo(timingTable(timings));
  echo(`\nNext: open the site, or start the labs at ${chalk.bold("docs/labs/")}; ${chalk.bold("pnpm cluster:down")} removes everything.`);
  return 0;
}

if (import.meta.main) await runScript(spec, main);
