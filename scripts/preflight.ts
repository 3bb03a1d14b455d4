#!/usr/bin/env node
/**
 * pnpm preflight: checks this machine before a kind cluster is created: Docker running with enough memory,
 * kind, kubectl, helm, Node and pnpm versions, the ingress's host ports free, other kind clusters, inotify
 * limits. Prints one line per check and the exact fix for each problem; exits 1 when something must be fixed
 * first (warnings alone exit 0).
 *
 * Usage: pnpm preflight [--cluster NAME] [--http-port 80] [--https-port 443] [--verbose]
 * Environment: FOLIO_CLUSTER, FOLIO_HTTP_PORT, FOLIO_HTTPS_PORT (the same settings as pnpm cluster:up).
 */
import { chalk, echo } from "zx";
import { portOption, runScript, type CliSpec, type ParsedOptions } from "./lib/cli.ts";
import { clusterExists } from "./lib/cluster.ts";
import { formatResults, runPreflight } from "./lib/preflight.ts";
import { clusterSettings } from "./lib/settings.ts";

export const spec: CliSpec = {
  usage: "pnpm preflight [options]",
  summary: "Checks that this machine can run Folio's kind cluster, and prints the fix for each problem.",
  options: [
    { name: "cluster", type: "string", value: "NAME", description: "kind cluster name (or FOLIO_CLUSTER)", default: "folio" },
    { name: "http-port", type: "string", value: "PORT", description: "host port for the ingress's HTTP (or FOLIO_HTTP_PORT)", default: "80" },
    { name: "https-port", type: "string", value: "PORT", description: "host port for the ingress's HTTPS (or FOLIO_HTTPS_PORT)", default: "443" },
  ],
};

export async function preflight(options: ParsedOptions): Promise<number> {
  const settings = clusterSettings({
    name: options.cluster as string | undefined,
    httpPort: options["http-port"] === undefined ? undefined : portOption(options, "http-port", 80),
    httpsPort: options["https-port"] === undefined ? undefined : portOption(options, "https-port", 443),
  });
  const results = await runPreflight({ settings, ownClusterExists: await clusterExists(settings.name).catch(() => false) });
  echo(formatResults(results));
  const failed = results.filter((result) => result.verdict === "fail");
  if (failed.length > 0) {
    echo(chalk.red(`\npreflight: ${failed.length} problem(s) to fix first: ${failed.map((result) => result.name).join(", ")}`));
    return 1;
  }
  echo(chalk.green(`\npreflight: ready${results.some((result) => result.verdict === "warn") ? " (with warnings above)" : ""}`));
  return 0;
}

if (import.meta.main) await runScript(spec, preflight);
