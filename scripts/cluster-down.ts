#!/usr/bin/env node
/**
 * pnpm cluster:down: deletes Folio's kind cluster, the volumes of its `shared` storage class and its generated
 * files (.folio/kind/<name>). Node-local volumes go with the node containers. Images stay in Docker.
 *
 * Usage: pnpm cluster:down [--cluster NAME] [--verbose]
 * Environment: FOLIO_CLUSTER.
 */
import { chalk, echo } from "zx";
import { runScript, step, type CliSpec, type ParsedOptions } from "./lib/cli.ts";
import { deleteCluster } from "./lib/cluster.ts";
import { clusterSettings } from "./lib/settings.ts";

const spec: CliSpec = {
  usage: "pnpm cluster:down [options]",
  summary: "Deletes Folio's kind cluster and every volume it had.",
  options: [{ name: "cluster", type: "string", value: "NAME", description: "kind cluster name (or FOLIO_CLUSTER)", default: "folio" }],
};

async function main(options: ParsedOptions): Promise<number> {
  const settings = clusterSettings({ name: options.cluster as string | undefined });
  const deleted = await step(`deleting the kind cluster ${settings.name}`, () => deleteCluster(settings));
  echo(deleted ? chalk.green(`Deleted ${settings.name}.`) : `There was no cluster named ${settings.name}; nothing to delete.`);
  return 0;
}

if (import.meta.main) await runScript(spec, main);
