#!/usr/bin/env node
/**
 * pnpm labs:check: runs the workshop labs' runnable blocks (docs/labs/NN-title/README.md, format in
 * docs/labs/README.md) against a live kind cluster, in order: each block's exit code and output are checked,
 * a lab stops at its first failing block, and every "break it" step is undone at the end of its lab, also after
 * a failure or Ctrl-C. Prints one line per block, then each lab's result and time, and for every failed block
 * its command, what was expected and the end of its output. Exits 1 when a lab failed.
 *
 * The cluster must exist with Folio deployed: `pnpm stack:up`, or `pnpm e2e --keep`. The blocks run with bash
 * from the repository's root, with a kubeconfig holding only that cluster's context (namespace folio), and curl
 * settings that send folio.localtest.me and api.folio.localtest.me to the ingress's host port without DNS.
 *
 * Usage: pnpm labs:check [--lab N …] [--cluster NAME] [--http-port PORT] [--dir DIR] [--list] [--verbose]
 * Environment: FOLIO_CLUSTER, FOLIO_HTTP_PORT, FOLIO_NAMESPACE, FOLIO_RELEASE (as for the other scripts).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { $, chalk, echo } from "zx";
import { parse } from "yaml";
import { onCleanup, portOption, runScript, step, type CliSpec, type ParsedOptions } from "./lib/cli.ts";
import {
  blockLine,
  discoverLabs,
  failureReport,
  labEnvironment,
  LabFormatError,
  listing,
  runLabs,
  runnableBlocks,
  selectLabs,
  summaryTable,
  type Lab,
} from "./lib/labs.ts";
import { repoRoot } from "./lib/prerequisites.ts";
import { clusterSettings, type ClusterSettings } from "./lib/settings.ts";

const root = repoRoot();
export const LABS_DIR = join(root, "docs", "labs");

const spec: CliSpec = {
  usage: "pnpm labs:check [options]",
  summary:
    "Runs the workshop labs' runnable blocks against a live kind cluster (made by pnpm stack:up or pnpm e2e --keep), checks their output, undoes every break step, and prints each lab's result and time.",
  options: [
    { name: "lab", type: "string", value: "N", description: "run only this lab (its number, or its directory's name)", repeatable: true },
    { name: "cluster", type: "string", value: "NAME", description: "kind cluster name (or FOLIO_CLUSTER)", default: "folio" },
    { name: "http-port", type: "string", value: "PORT", description: "host port of the ingress (or FOLIO_HTTP_PORT)", default: "the cluster's, else 80" },
    { name: "dir", type: "string", value: "DIR", description: "where the labs are (a draft elsewhere)", default: "docs/labs" },
    { name: "list", type: "boolean", description: "list the labs and their runnable blocks; run nothing" },
  ],
  epilog: "The labs' format: docs/labs/README.md. With --verbose every block's output is shown as it runs.",
};

/**
 * The ingress's host port: the option, FOLIO_HTTP_PORT, or the port `pnpm cluster:up` gave the cluster (it
 * writes the kind config it used into the cluster's state directory), else 80.
 */
function settingsFrom(options: ParsedOptions): ClusterSettings {
  const base = clusterSettings({ name: options.cluster as string | undefined });
  if (options["http-port"] !== undefined) return { ...base, httpPort: portOption(options, "http-port", 80) };
  if (process.env.FOLIO_HTTP_PORT) return base;
  try {
    const config = parse(readFileSync(join(base.stateDir, "kind-config.yaml"), "utf8")) as { nodes?: { extraPortMappings?: { containerPort: number; hostPort: number }[] }[] };
    const mapping = config.nodes?.flatMap((node) => node.extraPortMappings ?? []).find((candidate) => candidate.containerPort === 80);
    return mapping ? { ...base, httpPort: mapping.hostPort } : base;
  } catch {
    return base;
  }
}

/** The tools the blocks and this script use, with how to install the one that is missing. */
async function checkTools(): Promise<void> {
  const install: Record<string, string> = {
    kubectl: "Install kubectl 1.31 or newer: https://kubernetes.io/docs/tasks/tools/ (macOS: brew install kubectl)",
    curl: "Install curl (Debian/Ubuntu: sudo apt-get install curl; macOS has it)",
  };
  for (const [tool, fix] of Object.entries(install)) {
    if ((await $({ quiet: true, nothrow: true })`command -v ${tool}`).exitCode !== 0) throw new Error(`${tool} is not on PATH. ${fix}`);
  }
}

/** The cluster answers and Folio is installed in it; otherwise an Error with the command that fixes it. */
async function checkCluster(settings: ClusterSettings, env: Record<string, string>): Promise<void> {
  const kubectl = $({ quiet: true, nothrow: true, env: { ...process.env, ...env }, timeout: "20s" });
  const ready = await kubectl`kubectl get --raw /readyz`;
  if (ready.exitCode !== 0) {
    throw new Error(`the cluster ${settings.name} does not answer (${(ready.stderr || ready.stdout).trim()}). Start it again with: pnpm cluster:up${settings.name === "folio" ? "" : ` --cluster ${settings.name}`}`);
  }
  const deployments = await kubectl`kubectl get deployments --namespace ${settings.namespace} -o name`;
  if (deployments.exitCode !== 0 || deployments.stdout.trim() === "") {
    throw new Error(`Folio is not deployed in the namespace ${settings.namespace} of ${settings.name}. Deploy it with: pnpm stack:up${settings.name === "folio" ? "" : ` --cluster ${settings.name}`}`);
  }
}

async function main(options: ParsedOptions): Promise<number> {
  const labsDir = options.dir === undefined ? LABS_DIR : resolve(options.dir as string);
  if (!existsSync(labsDir)) {
    echo(chalk.red(`--dir ${String(options.dir)}: no such folder`));
    return 2;
  }
  let labs: Lab[];
  try {
    labs = selectLabs(discoverLabs(labsDir, root), (options.lab as string[] | undefined) ?? []);
  } catch (error) {
    if (error instanceof LabFormatError) {
      echo(chalk.red(`The labs break their format (docs/labs/README.md says how to write them):\n${error.message}`));
      return 1;
    }
    echo(chalk.red((error as Error).message));
    echo(`Run pnpm labs:check --list to see them.`);
    return 2;
  }
  if (options.list) {
    echo(labs.length > 0 ? listing(labs) : "There are no labs yet (docs/labs/NN-title/README.md).");
    return 0;
  }
  if (!labs.some((lab) => runnableBlocks(lab).length > 0)) {
    echo("No lab has runnable blocks yet: nothing to check.");
    return 0;
  }

  const settings = settingsFrom(options);
  await checkTools();
  const dir = mkdtempSync(join(tmpdir(), "folio-labs-"));
  onCleanup("removing the labs' kubeconfig and curl settings", () => rmSync(dir, { recursive: true, force: true }));
  const env = await step(`kubeconfig for ${settings.context} and curl settings for port ${settings.httpPort}`, () => labEnvironment(settings, dir));
  await step(`cluster ${settings.name} answers, with Folio in ${settings.namespace}`, () => checkCluster(settings, env));
  echo("");

  const controller = new AbortController();
  let current: Lab | undefined;
  const running = runLabs(labs, {
    cwd: root,
    env: { ...process.env, ...env },
    signal: controller.signal,
    onStart: (lab, block) => {
      if (lab !== current) {
        current = lab;
        echo(chalk.bold(`${lab.id}: ${lab.title}`));
      }
      if (options.verbose) echo(chalk.dim(`--> ${block.file}:${block.line} (${block.mode})\n${block.code}`));
    },
    onBlock: (lab, result) => echo(result.ok ? blockLine(lab, result) : chalk.red(blockLine(lab, result))),
    onOutput: options.verbose ? (chunk) => process.stdout.write(chalk.dim(chunk)) : undefined,
  });
  // On Ctrl-C: stop the current block, and wait while the lab's undo blocks put the cluster back.
  const forget = onCleanup("stopping the labs and running their undo blocks", async () => {
    controller.abort();
    await running.catch(() => undefined);
  });
  const outcomes = await running;
  forget();

  echo("");
  echo(summaryTable(outcomes));
  const failed = outcomes.filter((outcome) => outcome.status === "failed");
  if (failed.length === 0) {
    echo(chalk.green(`${outcomes.length} lab(s) passed.`));
    return 0;
  }
  echo("");
  echo(failureReport(failed));
  if (failed.some((outcome) => outcome.undoFailed)) {
    echo(chalk.red("\nAn undo block failed, so the cluster may still be broken and the later labs were not run. Repair it by hand, or start over: pnpm cluster:down && pnpm stack:up"));
  }
  echo(chalk.red(`\n${failed.length} of ${outcomes.length} lab(s) failed: ${failed.map((outcome) => outcome.lab.id).join(", ")}`));
  return 1;
}

if (import.meta.main) await runScript(spec, main);
