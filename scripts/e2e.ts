#!/usr/bin/env node
/**
 * pnpm e2e: Folio on a real multi-node kind cluster, broken on purpose. In order: preflight → cluster up →
 * images built and loaded → chart deployed (charts/folio/values-kind.yaml + e2e/values-e2e.yaml) → `helm test`
 * → the suite (e2e/src/specs, serial: pods deleted, nodes killed, stopped, cut off, upgrades, CronJobs,
 * NetworkPolicies, each under load with every acknowledged write checked afterwards) → artifacts (timings.json,
 * report.html, and on failure every log and event) → cluster down (unless --keep). Prints each phase's time.
 *
 * Usage: pnpm e2e [--keep] [--reuse] [--scenario PATTERN] [--cluster NAME] [--node-image IMAGE] [--http-port 80] [--https-port 443] [--tag TAG] [--verbose]
 * Environment: FOLIO_CLUSTER, KIND_NODE_IMAGE, FOLIO_HTTP_PORT, FOLIO_HTTPS_PORT; FOLIO_E2E_TIMEOUT_<NAME>
 *   (seconds) lengthens one of the suite's named timeouts (e2e/src/helpers/timeouts.ts).
 */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { $, chalk, echo } from "zx";
import { formatSeconds, onCleanup, runScript, step, timingTable, timings, UsageError, type CliSpec, type ParsedOptions } from "./lib/cli.ts";
import { testChart } from "./lib/chart.ts";
import { clusterExists, clusterHealth, deleteCluster } from "./lib/cluster.ts";
import { collectDiagnostics } from "./lib/diagnostics.ts";
import { repoRoot } from "./lib/prerequisites.ts";
import { chartInput, deploy } from "./chart-deploy.ts";
import { clusterOptions, clusterUp, settingsFrom } from "./cluster-up.ts";
import { imagesStep, preflightStep } from "./stack-up.ts";
import { commitTag } from "./lib/images.ts";

const root = repoRoot();
export const E2E_DIR = join(root, "e2e");
export const ARTIFACTS = join(E2E_DIR, ".artifacts");
export const E2E_VALUES = join(E2E_DIR, "values-e2e.yaml");

/** The targets this machine (2 cores, warm caches) must meet; the summary marks a phase that took longer. */
export const PHASE_BUDGETS_SECONDS: Record<string, number> = {
  "cluster up": 3 * 60,
  "images built and loaded": 4 * 60,
  "deploy to all-ready": 4 * 60,
};
export const TOTAL_BUDGET_SECONDS = 30 * 60;

const spec: CliSpec = {
  usage: "pnpm e2e [options]",
  summary: "Creates a kind cluster, deploys Folio, and runs the failure scenarios against it under load.",
  options: [
    ...clusterOptions,
    { name: "tag", type: "string", value: "TAG", description: "tag of Folio's images", default: "the commit's" },
    { name: "keep", type: "boolean", description: "leave the cluster running afterwards (for pnpm labs:check, or to look around)" },
    { name: "reuse", type: "boolean", description: "run on an existing healthy cluster instead of creating one" },
    { name: "scenario", type: "string", value: "PATTERN", description: "run only scenarios whose name matches (vitest -t)" },
  ],
  epilog: "Artifacts: e2e/.artifacts/ (timings.json, report.html; diagnostics/ when something failed).",
};

/** One phase: timed under a fixed name (the budgets above use it). */
async function phase<T>(name: string, run: () => Promise<T>): Promise<T> {
  return step(name, run);
}

async function runSuite(env: Record<string, string>, pattern: string | undefined): Promise<number> {
  const args = ["exec", "vitest", "run", "--config", "vitest.e2e.config.ts", ...(pattern ? ["-t", pattern] : [])];
  const result = await $({ cwd: E2E_DIR, stdio: "inherit", nothrow: true, env: { ...process.env, ...env } })`pnpm ${args}`;
  return result.exitCode ?? 1;
}

async function main(options: ParsedOptions): Promise<number> {
  const started = performance.now();
  const settings = settingsFrom(options);
  const verbose = Boolean(options.verbose);
  const commit = await commitTag();
  const tag = (options.tag as string | undefined) ?? (typeof commit === "string" ? "e2e" : commit.tag);
  const input = { ...chartInput({}, tag), valuesFiles: [E2E_VALUES] };
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });

  let failed = false;
  let diagnosticsTaken = false;
  const diagnose = async () => {
    if (diagnosticsTaken || !(await clusterExists(settings.name))) return;
    diagnosticsTaken = true;
    const directory = join(ARTIFACTS, "diagnostics");
    await step("collecting diagnostics", () => collectDiagnostics(settings, directory)).catch(() => undefined);
    echo(chalk.yellow(`Diagnostics: ${directory}`));
  };
  if (!options.keep) {
    // Registered first, so it runs last: after the diagnostics, which need the cluster.
    onCleanup("deleting the cluster", async () => {
      if (await clusterExists(settings.name)) await step("cluster down", () => deleteCluster(settings));
    });
  }
  onCleanup("diagnostics on failure", async () => {
    if (failed || process.exitCode) await diagnose();
  });

  try {
    await phase("preflight", () => preflightStep(settings));
    if (await clusterExists(settings.name)) {
      if (!options.reuse) {
        throw new UsageError(`a kind cluster named ${settings.name} exists. Run on it with --reuse, or delete it first: pnpm cluster:down`);
      }
      const health = await clusterHealth(settings);
      if (health.problems.length > 0) echo(chalk.yellow(`reusing ${settings.name} after repairs: ${health.problems.join("; ")}`));
    }
    await phase("cluster up", () => clusterUp(settings, verbose));
    await phase("images built and loaded", () => imagesStep(settings, input, verbose));
    await phase("deploy to all-ready", () => deploy(settings, input, "10m", verbose));
    const testOutput = await phase("helm test", () => testChart(settings));
    if (verbose) echo(chalk.dim(testOutput.trim()));

    const env = {
      FOLIO_CLUSTER: settings.name,
      FOLIO_HTTP_PORT: String(settings.httpPort),
      FOLIO_NAMESPACE: settings.namespace,
      FOLIO_RELEASE: settings.release,
      FOLIO_E2E_TAG: tag,
      FOLIO_E2E_VALUES: E2E_VALUES,
      FOLIO_E2E_ARTIFACTS: ARTIFACTS,
    };
    const suiteCode = await phase("suite", async () => {
      const code = await runSuite(env, options.scenario as string | undefined);
      if (code !== 0) throw new Error(`the suite failed (exit ${code}); its output is above`);
      return code;
    }).catch((error: unknown) => {
      failed = true;
      echo(chalk.red(error instanceof Error ? error.message : String(error)));
      return 1;
    });
    if (existsSync(join(ARTIFACTS, "timings.json"))) {
      await phase("report", () => $({ cwd: E2E_DIR, quiet: !verbose })`node src/report/render.ts ${join(ARTIFACTS, "timings.json")} ${join(ARTIFACTS, "report.html")}`);
      echo(`Report: ${chalk.bold(join(ARTIFACTS, "report.html"))}`);
    }
    if (suiteCode !== 0) await diagnose();
    return suiteCode;
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    const total = (performance.now() - started) / 1000;
    echo("");
    echo(timingTable(timings, PHASE_BUDGETS_SECONDS));
    echo(
      total <= TOTAL_BUDGET_SECONDS
        ? chalk.dim(`whole run ${formatSeconds(total)} (budget ${formatSeconds(TOTAL_BUDGET_SECONDS)}, clean-up not included)`)
        : chalk.yellow(`whole run ${formatSeconds(total)}: over the ${formatSeconds(TOTAL_BUDGET_SECONDS)} budget`),
    );
  }
}

if (import.meta.main) await runScript(spec, main);
