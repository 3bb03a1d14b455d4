/**
 * Runs Schemathesis (https://schemathesis.readthedocs.io), a Python program, from the virtual environment that
 * scripts/ci/install-schemathesis.sh makes, and reads its JSON report. A missing or different version fails with
 * the command that installs the right one: the fuzzer is never skipped silently.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Keep in step with VERSION in scripts/ci/install-schemathesis.sh. */
export const SCHEMATHESIS_VERSION = "4.32.5";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const venv = join(process.env.FOLIO_TOOLS_DIR ?? join(homedir(), ".cache", "folio"), "schemathesis");
const st = join(venv, "bin", "st");
const INSTALL = "bash scripts/ci/install-schemathesis.sh (from the repository root; needs python3 ≥ 3.10 with venv)";

/** Throws, saying how to install it, unless the pinned Schemathesis is where the install script puts it. */
export function requireSchemathesis(): void {
  if (!existsSync(st)) throw new Error(`Schemathesis is not installed at ${venv}. Install it with: ${INSTALL}`);
  // The version from the package's metadata folder: lib/python3.X/site-packages/schemathesis-<version>.dist-info
  const installed = readdirSync(join(venv, "lib"))
    .map((python) => join(venv, "lib", python, "site-packages"))
    .flatMap((dir) => (existsSync(dir) ? readdirSync(dir) : []))
    .map((name) => /^schemathesis-([\d.]+)\.dist-info$/.exec(name)?.[1])
    .find((version) => version !== undefined);
  if (installed !== SCHEMATHESIS_VERSION) {
    throw new Error(`Schemathesis ${installed ?? "(unknown version)"} is at ${venv}, not ${SCHEMATHESIS_VERSION}. Install it with: ${INSTALL}`);
  }
}

export interface FuzzReport {
  exitCode: number | null;
  /** What Schemathesis printed: its failures with curl commands to reproduce them. */
  output: string;
  seconds: number;
  operations: { selected: number; tested: number };
  cases: number;
  /** One entry per kind of failure, e.g. "ST101 Server error ×2: GET /v1/articles". */
  failures: string[];
  errors: string[];
  warnings: string[];
}

interface JsonReport {
  running_time: number;
  operations: { selected: number; tested: number };
  test_cases: { generated: number };
  failures: { code: string; title: string; count: number; operations: string[] }[];
  errors: unknown[];
  warnings: Record<string, string[]>;
}

export interface FuzzRun {
  schemaUrl: string;
  /**
   * A bearer token for the document's `bearer` security scheme. Given as auth rather than as a plain header, so
   * Schemathesis knows it: it leaves it off the public operations and off the requests that test a missing token.
   */
  token?: string;
  /** Extra arguments, after the config file's settings. */
  args?: string[];
  /** For hooks.py. */
  env?: Record<string, string>;
  timeoutMs: number;
}

export async function runSchemathesis(run: FuzzRun): Promise<FuzzReport> {
  requireSchemathesis();
  const reportDir = mkdtempSync(join(tmpdir(), "folio-fuzz-"));
  try {
    // One settings file for both runs; the authenticated one adds the auth table (the token itself stays in the environment).
    const config = join(reportDir, "schemathesis.toml");
    const auth = run.token ? '\n[auth.openapi.bearer]\nbearer = "${FOLIO_FUZZ_TOKEN}"\n' : "";
    writeFileSync(config, readFileSync(join(packageDir, "schemathesis.toml"), "utf8") + auth);
    const args = ["--config-file", config, "run", "--no-color", "--report", "json", "--report-dir", reportDir, ...(run.args ?? []), run.schemaUrl];
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: homedir(),
      PYTHONDONTWRITEBYTECODE: "1", // no __pycache__ beside hooks.py
      HYPOTHESIS_STORAGE_DIRECTORY: join(reportDir, "hypothesis"), // nor a .hypothesis folder; it goes with the report
      ...run.env,
      ...(run.token ? { FOLIO_FUZZ_TOKEN: run.token } : {}),
    };
    const child = spawn(st, args, { cwd: packageDir, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += String(chunk)));
    child.stderr.on("data", (chunk: Buffer) => (output += String(chunk)));
    const timer = setTimeout(() => child.kill("SIGKILL"), run.timeoutMs);
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", resolve);
    }).finally(() => clearTimeout(timer));

    const file = readdirSync(reportDir).find((name) => /^json-.*\.json$/.test(name));
    if (!file) throw new Error(`Schemathesis wrote no report (exit ${exitCode}):\n${output.slice(-4000)}`);
    const report = JSON.parse(readFileSync(join(reportDir, file), "utf8")) as JsonReport;
    return {
      exitCode,
      output,
      seconds: report.running_time,
      operations: { selected: report.operations.selected, tested: report.operations.tested },
      cases: report.test_cases.generated,
      failures: report.failures.map((failure) => `${failure.code} ${failure.title} ×${failure.count}: ${failure.operations.join(", ")}`),
      errors: report.errors.map((error) => JSON.stringify(error)),
      warnings: Object.entries(report.warnings)
        .filter(([, operations]) => operations.length > 0)
        .map(([kind, operations]) => `${kind}: ${operations.join(", ")}`),
    };
  } finally {
    rmSync(reportDir, { recursive: true, force: true });
  }
}

/** The lines a run prints whatever its outcome. */
export function summary(name: string, report: FuzzReport): string {
  return [
    `[fuzz] ${name}: ${report.operations.tested}/${report.operations.selected} operations, ${report.cases} cases, ${report.failures.length} kinds of failure, ${report.errors.length} errors in ${report.seconds.toFixed(0)} s`,
    ...report.failures.map((failure) => `[fuzz]   failure ${failure}`),
    ...report.errors.map((error) => `[fuzz]   error ${error}`),
    ...report.warnings.map((warning) => `[fuzz]   warning ${warning}`),
  ].join("\n");
}
