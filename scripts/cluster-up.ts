#!/usr/bin/env node
/**
 * pnpm cluster:up: creates Folio's kind cluster (scripts/kind/cluster.yaml: one control-plane node, three
 * workers), installs its add-ons (the `shared` storage class, Traefik and metrics-server, scripts/kind/*.yaml) and
 * waits until every node is Ready and every system pod runs. Idempotent: a cluster that exists is reused, after starting
 * stopped nodes and mending node addresses Docker swapped; a broken one is reported with the fix.
 *
 * Usage: pnpm cluster:up [--cluster NAME] [--node-image IMAGE] [--http-port 80] [--https-port 443] [--verbose]
 * Environment: FOLIO_CLUSTER, KIND_NODE_IMAGE (node image, e.g. a local build), FOLIO_HTTP_PORT,
 *   FOLIO_HTTPS_PORT, FOLIO_TRAEFIK_IMAGE, FOLIO_METRICS_SERVER_IMAGE, KIND_EXPERIMENTAL_DOCKER_NETWORK (kind's own).
 */
import { chalk, echo } from "zx";
import { portOption, runScript, step, type CliSpec, type ParsedOptions } from "./lib/cli.ts";
import { clusterExists, clusterHealth, createCluster, installAddons, reviveCluster, waitForCluster, writeKindConfig } from "./lib/cluster.ts";
import { eventually } from "./lib/eventually.ts";
import { Kube } from "./lib/kube.ts";
import { clusterSettings, DEFAULT_NODE_IMAGE, type ClusterSettings } from "./lib/settings.ts";

export const clusterOptions: CliSpec["options"] = [
  { name: "cluster", type: "string", value: "NAME", description: "kind cluster name (or FOLIO_CLUSTER)", default: "folio" },
  { name: "node-image", type: "string", value: "IMAGE", description: "kind node image (or KIND_NODE_IMAGE)", default: "a pinned kindest/node v1.34" },
  { name: "http-port", type: "string", value: "PORT", description: "host port of the ingress's HTTP (or FOLIO_HTTP_PORT)", default: "80" },
  { name: "https-port", type: "string", value: "PORT", description: "host port of the ingress's HTTPS (or FOLIO_HTTPS_PORT)", default: "443" },
];

export const spec: CliSpec = {
  usage: "pnpm cluster:up [options]",
  summary: "Creates (or reuses) Folio's kind cluster with its storage classes and ingress controller, and waits until it is ready.",
  options: clusterOptions,
  epilog: `The default node image is ${DEFAULT_NODE_IMAGE}.`,
};

export function settingsFrom(options: ParsedOptions): ClusterSettings {
  return clusterSettings({
    name: options.cluster as string | undefined,
    nodeImage: options["node-image"] as string | undefined,
    httpPort: options["http-port"] === undefined ? undefined : portOption(options, "http-port", 80),
    httpsPort: options["https-port"] === undefined ? undefined : portOption(options, "https-port", 443),
  });
}

/** Brings the cluster up and ready; returns "created" or "reused". */
export async function clusterUp(settings: ClusterSettings, verbose = false): Promise<"created" | "reused"> {
  const { workers } = writeKindConfig(settings);
  let outcome: "created" | "reused";
  if (await clusterExists(settings.name)) {
    const actions = await step(`checking the existing cluster ${settings.name}`, () => reviveCluster(settings));
    for (const action of actions) echo(chalk.dim(`  ${action}`));
    outcome = "reused";
  } else {
    await step(`creating the kind cluster ${settings.name} (1 control-plane, ${workers} workers; ${settings.nodeImage})`, () => createCluster(settings, verbose));
    outcome = "created";
  }
  await step("waiting for the nodes", () => waitForClusterNodes(settings, workers + 1));
  await step("installing the storage class `shared`, Traefik and metrics-server", () => installAddons(settings, verbose));
  await step("waiting for every system pod and the ingress", () => waitForCluster(settings, workers + 1));
  const health = await clusterHealth(settings);
  if (health.problems.length > 0) {
    throw new Error(`the cluster is up but not healthy: ${health.problems.join("; ")}. Start over with: pnpm cluster:down && pnpm cluster:up`);
  }
  return outcome;
}

async function waitForClusterNodes(settings: ClusterSettings, expected: number): Promise<void> {
  const kube = new Kube(settings.context);
  await eventually(() => kube.nodes(), {
    timeout: 240_000,
    interval: 2_000,
    description: `${expected} Ready nodes`,
    until: (nodes) => nodes.length === expected && nodes.every((node) => node.ready),
  });
}

async function main(options: ParsedOptions): Promise<number> {
  const settings = settingsFrom(options);
  const outcome = await clusterUp(settings, Boolean(options.verbose));
  const kube = new Kube(settings.context);
  echo("");
  echo((await kube.run(["get", "nodes", "-o", "wide"])).stdout.trim());
  echo("");
  echo((await kube.run(["get", "storageclass"])).stdout.trim());
  echo("");
  echo(`${chalk.green(outcome === "created" ? "Created" : "Reused")} the cluster ${chalk.bold(settings.name)}: kubectl context ${settings.context}; ingress on 127.0.0.1:${settings.httpPort} (HTTP) and :${settings.httpsPort} (HTTPS).`);
  echo(`Next: ${chalk.bold("pnpm images --load")} and ${chalk.bold("pnpm chart:deploy")} (or ${chalk.bold("pnpm stack:up")} for everything).`);
  return 0;
}

if (import.meta.main) await runScript(spec, main);
