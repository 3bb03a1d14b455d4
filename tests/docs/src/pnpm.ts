/**
 * The `pnpm` commands the docs give, and what makes one wrong: a script that does not exist (at the root, or in
 * the package a --filter names), a package that does not exist, or a `--flag` that one of the root scripts
 * (scripts/*.ts, through scripts/lib/cli.ts) does not accept.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { SimpleCommand } from "./shell.ts";

const exec = promisify(execFile);

/** pnpm's own commands (https://pnpm.io/cli/add and the pages beside it), with their aliases. */
export const PNPM_COMMANDS = new Set([
  "add", "approve-builds", "audit", "bin", "c", "cat-file", "cat-index", "config", "create", "dedupe", "deploy", "dlx", "doctor",
  "env", "exec", "fetch", "find-hash", "i", "ignored-builds", "import", "init", "install", "install-test", "it", "licenses", "link",
  "list", "ln", "ls", "outdated", "pack", "patch", "patch-commit", "patch-remove", "prune", "publish", "rb", "rebuild", "recursive",
  "remove", "rm", "root", "run", "run-script", "self-update", "server", "setup", "store", "t", "test", "un", "uninstall", "unlink",
  "up", "update", "upgrade", "why", "x",
]);

/** pnpm's global options that take a value (the next word, unless written --option=value). */
const VALUE_OPTIONS = new Set(["--filter", "-F", "-C", "--dir", "--reporter", "--workspace-concurrency", "--loglevel", "--filter-prod", "--test-pattern", "--changed-files-ignore-pattern"]);

export interface PnpmCall {
  /** --filter values, in order. */
  filters: string[];
  /** The pnpm command or script: "e2e", "run", "exec"; undefined for `pnpm --version`. */
  command: string | undefined;
  args: string[];
}

/** Every pnpm invocation in a simple command (`pnpm …`, also after `VAR=value` or `cd dir &&`). */
export function pnpmCall(command: SimpleCommand): PnpmCall | undefined {
  const start = command.words.indexOf("pnpm");
  if (start < 0) return undefined;
  const words = command.words.slice(start + 1);
  const filters: string[] = [];
  let index = 0;
  for (; index < words.length; index++) {
    const word = words[index]!;
    if (!word.startsWith("-")) break;
    const [name, value] = word.includes("=") ? [word.slice(0, word.indexOf("=")), word.slice(word.indexOf("=") + 1)] : [word, undefined];
    const taken = value ?? (VALUE_OPTIONS.has(name) ? words[++index] : undefined);
    if ((name === "--filter" || name === "-F") && taken !== undefined) filters.push(taken);
  }
  return { filters, command: words[index], args: words.slice(index + 1) };
}

export interface Workspace {
  root: string;
  /** Root package.json's scripts. */
  scripts: Record<string, string>;
  /** Workspace packages by name: their directory and scripts. */
  packages: Map<string, { dir: string; scripts: Record<string, string> }>;
}

export function readWorkspace(root: string): Workspace {
  const scripts = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts?: Record<string, string> }).scripts ?? {};
  const packages = new Map<string, { dir: string; scripts: Record<string, string> }>();
  // pnpm-workspace.yaml lists folders and folder/* globs.
  const patterns = [...readFileSync(join(root, "pnpm-workspace.yaml"), "utf8").matchAll(/^\s+-\s+["']?([^"'\s#]+)["']?\s*$/gm)].map((match) => match[1]!);
  for (const pattern of patterns) {
    const dirs = pattern.endsWith("/*")
      ? readdirSync(join(root, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => join(pattern.slice(0, -2), entry.name))
      : [pattern];
    for (const dir of dirs) {
      const manifest = join(root, dir, "package.json");
      if (!existsSync(manifest)) continue;
      const json = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; scripts?: Record<string, string> };
      if (json.name) packages.set(json.name, { dir, scripts: json.scripts ?? {} });
    }
  }
  return { root, scripts, packages };
}

/** The file a root script runs with plain Node, when it is one of ours: "scripts/e2e.ts". */
export function scriptFile(workspace: Workspace, script: string): string | undefined {
  return /^node (scripts\/[\w-]+\.ts)\b/.exec(workspace.scripts[script] ?? "")?.[1];
}

/** Options a script's `--help` lists (scripts/lib/cli.ts's helpText: "  --name VALUE  description"), and -h. */
export function helpOptions(help: string): Set<string> {
  return new Set(["-h", ...[...help.matchAll(/^ {2}(--[\w-]+)/gm)].map((match) => match[1]!)]);
}

/** Runs each script's --help once; the answers are shared by every check in a run. */
export class ScriptOptions {
  private readonly cache = new Map<string, Promise<Set<string>>>();
  private readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  get(file: string): Promise<Set<string>> {
    let options = this.cache.get(file);
    if (!options) {
      options = exec(process.execPath, [file, "--help"], { cwd: this.root, timeout: 60_000 }).then(({ stdout }) => helpOptions(stdout));
      this.cache.set(file, options);
    }
    return options;
  }
}

/** Not a literal value (a placeholder or a variable): nothing to check. */
const placeholder = (word: string) => /[<>$*{}…]/.test(word) || word === "…" || word === "...";

function hasBin(dir: string, name: string): boolean {
  return existsSync(join(dir, "node_modules", ".bin", name));
}

/** What is wrong with one pnpm call; empty when nothing is. */
export async function pnpmProblems(call: PnpmCall, workspace: Workspace, options: ScriptOptions): Promise<string[]> {
  const { command, args } = call;
  if (command === undefined || placeholder(command)) return [];
  const written = ["pnpm", ...call.filters.flatMap((filter) => ["--filter", filter]), command, ...args].join(" ");
  const problems: string[] = [];

  if (call.filters.length > 0) {
    for (const filter of call.filters) {
      // Selectors (globs, directories, "...", "!", "[ref]") are pnpm's business; a plain name must be a package.
      if (placeholder(filter) || /[.![\]^/]/.test(filter.replace(/^@[\w-]+\//, ""))) continue;
      const found = workspace.packages.get(filter);
      if (!found) {
        problems.push(`\`${written}\`: no workspace package ${filter}`);
        continue;
      }
      const script = command === "run" || command === "run-script" ? args[0] : PNPM_COMMANDS.has(command) && command !== "test" && command !== "t" ? undefined : command;
      if (script && !placeholder(script) && !(script in found.scripts) && !hasBin(join(workspace.root, found.dir), script)) {
        problems.push(`\`${written}\`: ${filter} (${found.dir}/package.json) has no script "${script}"; it has ${Object.keys(found.scripts).join(", ")}`);
      }
    }
    return problems;
  }

  const script = command === "run" || command === "run-script" ? args[0] : command;
  const scriptArgs = command === "run" || command === "run-script" ? args.slice(1) : args;
  if (script === undefined || placeholder(script)) return problems;
  if (script in workspace.scripts) {
    const file = scriptFile(workspace, script);
    if (file) {
      const known = await options.get(file);
      for (const arg of scriptArgs) {
        if (!arg.startsWith("-") || arg === "-" || placeholder(arg)) continue;
        const flag = arg.split("=")[0]!;
        if (!known.has(flag)) problems.push(`\`${written}\`: pnpm ${script} (${file}) has no option ${flag}; it has ${[...known].filter((name) => name !== "-h").join(", ")}`);
      }
    }
    return problems;
  }
  if (command === "run" || command === "run-script") return [`\`${written}\`: no root script "${script}" in package.json`];
  if (PNPM_COMMANDS.has(command) || hasBin(workspace.root, command)) return problems;
  return [`\`${written}\`: "${command}" is neither a root script in package.json (${Object.keys(workspace.scripts).join(", ")}) nor a pnpm command`];
}
