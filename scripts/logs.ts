#!/usr/bin/env node
/**
 * pnpm logs: saves what is needed to diagnose the kind cluster into a directory and prints its path: every
 * event, every node's description, every pod's description and logs (the previous container's too, after a
 * restart), and `kind export logs` (kubelet, containerd and journal of each node).
 *
 * Usage: pnpm logs [--cluster NAME] [--out DIR] [--verbose]
 * Environment: FOLIO_CLUSTER.
 */
import { join, resolve } from "node:path";
import { chalk, echo } from "zx";
import { runScript, step, type CliSpec, type ParsedOptions } from "./lib/cli.ts";
import { collectDiagnostics } from "./lib/diagnostics.ts";
import { clusterExists } from "./lib/cluster.ts";
import { clusterSettings } from "./lib/settings.ts";

const spec: CliSpec = {
  usage: "pnpm logs [options]",
  summary: "Saves events, descriptions and logs of everything in the kind cluster, for diagnosis.",
  options: [
    { name: "cluster", type: "string", value: "NAME", description: "kind cluster name (or FOLIO_CLUSTER)", default: "folio" },
    { name: "out", type: "string", value: "DIR", description: "directory to write", default: ".folio/diagnostics/<time>" },
  ],
};

async function main(options: ParsedOptions): Promise<number> {
  const settings = clusterSettings({ name: options.cluster as string | undefined });
  if (!(await clusterExists(settings.name))) {
    echo(chalk.red(`There is no kind cluster named ${settings.name} (kind get clusters lists them).`));
    return 1;
  }
  const out = resolve((options.out as string | undefined) ?? join(".folio", "diagnostics", new Date().toISOString().replace(/[:.]/g, "-")));
  const files = await step(`collecting diagnostics of ${settings.name}`, () => collectDiagnostics(settings, out));
  const failed = files.filter((file) => !file.ok);
  echo(`Wrote ${files.length - failed.length} file(s) to ${chalk.bold(out)}`);
  if (failed.length > 0) echo(chalk.yellow(`${failed.length} could not be collected (their files say why): ${failed.map((file) => file.path).join(", ")}`));
  return 0;
}

if (import.meta.main) await runScript(spec, main);
