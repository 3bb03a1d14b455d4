/**
 * The workshop labs as `pnpm labs:check` sees them: each docs/labs/NN-title/README.md, its fenced blocks and
 * the metadata in their info strings (the format is documented in docs/labs/README.md), and the runner that
 * runs a lab's blocks, checks their output and always undoes its "break it" steps.
 *
 * Parsing is strict on purpose: an unknown or malformed attribute is an error naming the file and line, because
 * a typo that quietly turned a check off would let a lab rot unnoticed. The runner takes its environment from
 * the caller (`RunContext.env`), so the unit tests run fake labs with no cluster; `labEnvironment` builds the
 * real one (a kubeconfig holding only the cluster's context, and curl settings that reach the ingress).
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { $ } from "zx";
import { formatSeconds } from "./cli.ts";
import { blankFences, fences, lineAt, withoutCode } from "./markdown.ts";
import { HOSTS, type ClusterSettings } from "./settings.ts";

export type BlockMode = "run" | "break" | "undo" | "show";

export interface LabBlock {
  /** Repository-relative path of the lab's README, and the 1-based line of the block's opening fence. */
  file: string;
  line: number;
  lang: string;
  code: string;
  /** run, break and undo blocks are run; "show" blocks (no mode, or skip-check) are only shown to readers. */
  mode: BlockMode;
  expect: string[];
  /** Regular expressions (JavaScript syntax), matched with the m flag: ^ and $ match at each line. */
  expectRe: string[];
  absent: string[];
  /** Seconds to keep re-running the block until it passes; undefined runs it once. */
  retry: number | undefined;
  /** Seconds one run may take. */
  timeout: number;
  /** The command must exit non-zero. */
  fails: boolean;
}

export interface Lab {
  /** "03", from the directory's name. */
  number: string;
  /** The directory's name: "03-network-policies". */
  id: string;
  /** The README's first `# ` heading. */
  title: string;
  /** Repository-relative path of its README. */
  file: string;
  /** Seconds the whole lab may take (`<!-- labs:check timeout=900 -->`); undefined for no limit. */
  budget: number | undefined;
  blocks: LabBlock[];
}

export const DEFAULT_TIMEOUT_SECONDS = 180;
const RUNNABLE_LANGUAGES = new Set(["sh", "bash"]);
const MODES = ["run", "break", "undo"] as const;
const FLAGS = new Set<string>([...MODES, "skip-check", "fails"]);
const TEXT_ATTRIBUTES = new Set(["expect", "expect-re", "absent"]);
const NUMBER_ATTRIBUTES = new Set(["retry", "timeout"]);
const KNOWN = [...FLAGS, ...TEXT_ATTRIBUTES, ...NUMBER_ATTRIBUTES].join(", ");

/** A lab README that breaks the format: every problem, one per line, each as `file:line: problem`. */
export class LabFormatError extends Error {
  override name = "LabFormatError";
  readonly problems: string[];

  constructor(problems: string[]) {
    super(problems.join("\n"));
    this.problems = problems;
  }
}

interface Attribute {
  name: string;
  /** undefined for a bare word (run, fails); the unquoted text otherwise. */
  value: string | undefined;
  quoted: boolean;
}

/**
 * Splits the attributes of an info string (everything after the language). Values are either bare
 * (`retry=60`) or in double quotes, where `\"` is a quote and `\\` a backslash; any other backslash is kept as
 * it is, so `expect-re="\d+ pods"` needs no doubling.
 */
export function parseAttributes(text: string): Attribute[] {
  const attributes: Attribute[] = [];
  let cursor = 0;
  const skipSpace = () => {
    while (cursor < text.length && /\s/.test(text[cursor]!)) cursor++;
  };
  skipSpace();
  while (cursor < text.length) {
    const name = /^[^\s="]+/.exec(text.slice(cursor))?.[0];
    if (!name) throw new Error(`unexpected ${JSON.stringify(text[cursor])} at "${text.slice(cursor, cursor + 20)}": attributes are name or name="value"`);
    cursor += name.length;
    if (text[cursor] !== "=") {
      if (cursor < text.length && !/\s/.test(text[cursor]!)) throw new Error(`malformed attribute at "${text.slice(cursor - name.length, cursor + 20)}"`);
      attributes.push({ name, value: undefined, quoted: false });
      skipSpace();
      continue;
    }
    cursor++;
    if (text[cursor] === '"') {
      cursor++;
      let value = "";
      let closed = false;
      while (cursor < text.length) {
        const char = text[cursor]!;
        if (char === "\\" && (text[cursor + 1] === '"' || text[cursor + 1] === "\\")) {
          value += text[cursor + 1];
          cursor += 2;
        } else if (char === '"') {
          closed = true;
          cursor++;
          break;
        } else {
          value += char;
          cursor++;
        }
      }
      if (!closed) throw new Error(`${name}: the value's closing double quote is missing (write \\" for a quote inside it)`);
      if (cursor < text.length && !/\s/.test(text[cursor]!)) throw new Error(`${name}: a space must follow the closing quote, not "${text.slice(cursor, cursor + 10)}"`);
      attributes.push({ name, value, quoted: true });
    } else {
      const value = /^[^\s"]*/.exec(text.slice(cursor))![0];
      cursor += value.length;
      if (text[cursor] === '"') throw new Error(`${name}: a quote inside a bare value; put the whole value in double quotes`);
      attributes.push({ name, value, quoted: false });
    }
    skipSpace();
  }
  return attributes;
}

function wholeSeconds(name: string, value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new Error(`${name} must be a whole number of seconds, like ${name}=60, not "${value}"`);
  return Number(value);
}

/**
 * What an info string asks for. Throws an Error (without the location, which the caller adds) for anything it
 * does not understand, so a misspelt attribute never turns a check off without a word.
 */
export function parseBlockInfo(info: string): Omit<LabBlock, "file" | "line" | "code"> {
  const lang = info.split(/\s+/)[0] ?? "";
  const block: Omit<LabBlock, "file" | "line" | "code"> = { lang, mode: "show", expect: [], expectRe: [], absent: [], retry: undefined, timeout: DEFAULT_TIMEOUT_SECONDS, fails: false };
  if (FLAGS.has(lang)) throw new Error(`the block's language comes first: \`\`\`sh ${info}`);
  const attributes = parseAttributes(info.slice(lang.length));
  if (attributes.length === 0) return block;
  if (!RUNNABLE_LANGUAGES.has(lang)) throw new Error(`only sh and bash blocks take attributes ("${lang || "no language"}" has ${attributes.map((a) => a.name).join(", ")})`);

  const seen = new Set<string>();
  let skip = false;
  let mode: BlockMode | undefined;
  for (const { name, value, quoted } of attributes) {
    if (!FLAGS.has(name) && !TEXT_ATTRIBUTES.has(name) && !NUMBER_ATTRIBUTES.has(name)) throw new Error(`unknown attribute "${name}" (known: ${KNOWN})`);
    if (FLAGS.has(name)) {
      if (value !== undefined) throw new Error(`${name} takes no value`);
      if (seen.has(name)) throw new Error(`${name} is given twice`);
      if (name === "skip-check") skip = true;
      else if (name === "fails") block.fails = true;
      else {
        if (mode) throw new Error(`a block is either run, break or undo, not ${mode} and ${name}`);
        mode = name as BlockMode;
      }
    } else if (TEXT_ATTRIBUTES.has(name)) {
      if (value === undefined || !quoted) throw new Error(`${name} needs a value in double quotes: ${name}="…"`);
      if (value === "") throw new Error(`${name}="" is empty`);
      if (name === "expect") block.expect.push(value);
      else if (name === "absent") block.absent.push(value);
      else {
        try {
          new RegExp(value, "m");
          block.expectRe.push(value);
        } catch (error) {
          throw new Error(`expect-re="${value}" is not a valid regular expression: ${(error as Error).message}`, { cause: error });
        }
      }
    } else {
      if (value === undefined) throw new Error(`${name} needs a number of seconds: ${name}=60`);
      if (seen.has(name)) throw new Error(`${name} is given twice`);
      if (name === "retry") block.retry = wholeSeconds(name, value);
      else block.timeout = wholeSeconds(name, value);
    }
    seen.add(name);
  }
  if (skip) {
    if (attributes.length > 1) throw new Error(`skip-check stands alone: the block is not run, so ${attributes.filter((a) => a.name !== "skip-check").map((a) => a.name).join(", ")} would never be checked`);
    return block;
  }
  if (!mode) throw new Error(`${attributes.map((a) => a.name).join(", ")} without run, break or undo: the block would never be run`);
  block.mode = mode;
  return block;
}

const LAB_DIRECTORY = /^(\d{2})-[a-z0-9-]+$/;
const LAB_COMMENT = /<!--\s*labs:check\b([\s\S]*?)-->/g;

/** Parses one lab README. Throws a LabFormatError listing every problem in it. */
export function parseLab(text: string, file: string, id: string): Lab {
  const problems: string[] = [];
  const blocks: LabBlock[] = [];
  const allFences = fences(text);
  for (const fence of allFences) {
    if (!fence.closed) problems.push(`${file}:${fence.line}: the code block is never closed`);
    try {
      blocks.push({ ...parseBlockInfo(fence.info), file, line: fence.line, code: fence.code });
    } catch (error) {
      problems.push(`${file}:${fence.line}: ${(error as Error).message}`);
    }
  }

  let budget: number | undefined;
  const prose = blankFences(text);
  for (const match of prose.matchAll(LAB_COMMENT)) {
    const line = lineAt(prose, match.index);
    try {
      if (budget !== undefined) throw new Error("a second labs:check comment; give the lab's settings once");
      const attributes = parseAttributes(match[1]!);
      for (const { name, value } of attributes) {
        if (name !== "timeout") throw new Error(`unknown setting "${name}" in the labs:check comment (known: timeout)`);
        if (value === undefined) throw new Error("timeout needs a number of seconds: timeout=900");
        budget = wholeSeconds(name, value);
      }
      if (budget === undefined) throw new Error("an empty labs:check comment; write <!-- labs:check timeout=SECONDS --> or none");
    } catch (error) {
      problems.push(`${file}:${line}: ${(error as Error).message}`);
    }
  }

  const breaks = blocks.filter((block) => block.mode === "break");
  const undos = blocks.filter((block) => block.mode === "undo");
  if (breaks.length > 0 && undos.length === 0) problems.push(`${file}:${breaks[0]!.line}: a break block, but no undo block: the lab would leave the cluster broken`);
  if (undos.length > 0 && breaks.length === 0) problems.push(`${file}:${undos[0]!.line}: an undo block, but nothing is broken; make it a run block`);

  const title = /^#\s+(.+?)\s*#*\s*$/m.exec(withoutCode(text))?.[1];
  if (!title) problems.push(`${file}:1: the lab has no "# Title" heading`);
  if (problems.length > 0) throw new LabFormatError(problems);
  return { number: id.slice(0, 2), id, title: title!, file, budget, blocks };
}

/**
 * Every lab under `labsDir` (directories named NN-title with a README.md), in number order. Collects the
 * format problems of all of them before throwing, so one run shows everything to fix.
 */
export function discoverLabs(labsDir: string, root: string): Lab[] {
  let entries: string[];
  try {
    entries = readdirSync(labsDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && LAB_DIRECTORY.test(entry.name))
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
  const labs: Lab[] = [];
  const problems: string[] = [];
  const numbers = new Map<string, string>();
  for (const id of entries) {
    const path = join(labsDir, id, "README.md");
    // Repository-relative, as the docs name it; a draft outside the repository (--dir) keeps its full path.
    const file = relative(root, path).startsWith("..") ? path : relative(root, path);
    const number = id.slice(0, 2);
    if (numbers.has(number)) problems.push(`${file}:1: lab number ${number} is also ${numbers.get(number)}`);
    numbers.set(number, id);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      problems.push(`${file}:1: the lab directory has no README.md`);
      continue;
    }
    try {
      labs.push(parseLab(text, file, id));
    } catch (error) {
      if (error instanceof LabFormatError) problems.push(...error.problems);
      else throw error;
    }
  }
  if (problems.length > 0) throw new LabFormatError(problems);
  return labs;
}

/** Labs chosen by `--lab` values ("3", "03" or the directory's name); an unknown one is an Error that lists them. */
export function selectLabs(labs: Lab[], wanted: string[]): Lab[] {
  if (wanted.length === 0) return labs;
  return wanted.map((value) => {
    const lab = labs.find((candidate) => candidate.id === value || (/^\d{1,2}$/.test(value) && Number(candidate.number) === Number(value)));
    if (!lab) throw new Error(`no lab ${value}; the labs are ${labs.map((candidate) => candidate.number).join(", ") || "(none yet)"}`);
    return lab;
  });
}

export function runnableBlocks(lab: Lab): LabBlock[] {
  return lab.blocks.filter((block) => block.mode !== "show");
}

/** The block's first line worth showing: its first command, not a comment; shortened to `width`. */
export function firstLine(block: Pick<LabBlock, "code">, width = 72): string {
  const lines = block.code.split("\n").map((line) => line.trim());
  const line = lines.find((candidate) => candidate !== "" && !candidate.startsWith("#")) ?? lines.find((candidate) => candidate !== "") ?? "";
  const more = lines.filter((candidate) => candidate !== "").length > 1 ? " …" : "";
  return line.length + more.length > width ? `${line.slice(0, width - 1)}…` : `${line}${more}`;
}

export interface RunOutcome {
  /** null when the run was ended (timeout or abort). */
  exitCode: number | null;
  output: string;
  timedOut: boolean;
}

/** What is wrong with one run of a block, one entry per unmet expectation; empty when it passed. */
export function checkOutcome(block: Pick<LabBlock, "expect" | "expectRe" | "absent" | "fails" | "timeout">, outcome: RunOutcome, timeoutSeconds = block.timeout): string[] {
  const problems: string[] = [];
  if (outcome.timedOut) problems.push(`timed out after ${timeoutSeconds} s`);
  else if (outcome.exitCode === null) problems.push("stopped before it ended");
  else if (block.fails && outcome.exitCode === 0) problems.push("exited 0, but it should fail (fails)");
  else if (!block.fails && outcome.exitCode !== 0) problems.push(`exited ${outcome.exitCode}, expected 0`);
  for (const fragment of block.expect) if (!outcome.output.includes(fragment)) problems.push(`output lacks expect="${fragment}"`);
  for (const pattern of block.expectRe) if (!new RegExp(pattern, "m").test(outcome.output)) problems.push(`output does not match expect-re="${pattern}"`);
  for (const fragment of block.absent) if (outcome.output.includes(fragment)) problems.push(`output contains absent="${fragment}"`);
  return problems;
}

export interface ShellOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  timeoutSeconds: number;
  signal?: AbortSignal;
  onOutput?: (chunk: string) => void;
}

/** Sends a signal to a whole process group; it may be gone already. */
function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nothing of it is left.
  }
}

/**
 * Runs `code` with bash (`set -euo pipefail`), stdin closed, stdout and stderr collected together. The shell
 * leads its own process group, so a timeout or an abort ends everything it started, and whatever it left
 * running in the background (a `kubectl port-forward &`) is ended when it exits.
 */
export function runShell(code: string, options: ShellOptions): Promise<RunOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["--noprofile", "--norc", "-euo", "pipefail", "-c", code], {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    let timedOut = false;
    let exitCode: number | null = null;
    const collect = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      output += text;
      options.onOutput?.(text);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    let killer: NodeJS.Timeout | undefined;
    let grace: NodeJS.Timeout | undefined;
    const stop = () => {
      killGroup(child.pid, "SIGTERM");
      killer ??= setTimeout(() => killGroup(child.pid, "SIGKILL"), 2_000);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutSeconds * 1_000);
    const onAbort = () => stop();
    if (options.signal?.aborted) stop();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      for (const pending of [timer, killer, grace]) clearTimeout(pending);
      options.signal?.removeEventListener("abort", onAbort);
      resolve({ exitCode: timedOut ? null : exitCode, output, timedOut });
    };
    child.on("error", (error) => {
      settled = true;
      for (const pending of [timer, killer, grace]) clearTimeout(pending);
      reject(error);
    });
    child.on("exit", (code) => {
      exitCode = code;
      // Background leftovers hold the pipes open: end them, and do not wait for the pipes longer than a moment.
      stop();
      grace = setTimeout(finish, 3_000);
    });
    child.on("close", finish);
  });
}

export interface BlockResult {
  block: LabBlock;
  ok: boolean;
  /** Unmet expectations of the last run. */
  problems: string[];
  /** Output of the last run. */
  output: string;
  attempts: number;
  seconds: number;
}

export interface RunContext {
  /** The blocks' working directory: the repository's root. */
  cwd: string;
  /** The blocks' whole environment (labEnvironment's, over the caller's). */
  env: Record<string, string | undefined>;
  /** Stops the lab's remaining blocks (its undo blocks still run). */
  signal?: AbortSignal;
  /** Milliseconds between runs of a block with retry= (2 s). */
  retryIntervalMs?: number;
  /** Called when a block starts, when it ends, and for each chunk of its output (for --verbose). */
  onStart?: (lab: Lab, block: LabBlock) => void;
  onBlock?: (lab: Lab, result: BlockResult) => void;
  onOutput?: (chunk: string) => void;
}

/**
 * Runs one block, again every `retryIntervalMs` while it fails and its retry time lasts. `deadline` (epoch ms)
 * caps both the retries and each run's timeout (the lab's budget). An undo block passes `interruptible: false`:
 * the context's abort signal does not stop it.
 */
export async function runBlock(block: LabBlock, context: RunContext, { deadline = Number.POSITIVE_INFINITY, interruptible = true } = {}): Promise<BlockResult> {
  const signal = interruptible ? context.signal : undefined;
  const started = Date.now();
  const until = Math.min(deadline, block.retry === undefined ? started : started + block.retry * 1_000);
  const interval = context.retryIntervalMs ?? 2_000;
  let attempts = 0;
  for (;;) {
    attempts++;
    const remaining = Math.floor((deadline - Date.now()) / 1_000);
    const timeout = Math.max(1, Math.min(block.timeout, remaining));
    const outcome = await runShell(block.code, { cwd: context.cwd, env: context.env, timeoutSeconds: timeout, signal, onOutput: context.onOutput });
    const problems = checkOutcome(block, outcome, timeout);
    if (problems.length > 0 && timeout < block.timeout && outcome.timedOut) problems.push("the lab's time budget ran out");
    if (problems.length === 0 || signal?.aborted || Date.now() + interval > until) {
      const aborted = problems.length > 0 && signal?.aborted ? ["interrupted"] : [];
      return { block, ok: problems.length === 0, problems: [...problems, ...aborted], output: outcome.output, attempts, seconds: (Date.now() - started) / 1_000 };
    }
    // An abort during the pause ends it early; the next run then stops at once and reports the interruption.
    await sleep(interval, undefined, { signal }).catch(() => undefined);
  }
}

export interface LabResult {
  lab: Lab;
  /** Every run, break and undo block that ran, in the order they ran. */
  results: BlockResult[];
  /** "ok", "failed", or "not run" (an earlier lab's undo failed, or the run was interrupted). */
  status: "ok" | "failed" | "not run";
  /** True when an undo block failed: the cluster may still be broken. */
  undoFailed: boolean;
  seconds: number;
}

/**
 * Runs a lab's run and break blocks in order and stops at the first that fails. Once a break block has started,
 * every undo block of the lab runs at the end, in reverse order of appearance, whatever happened before (also
 * after a failure, a budget overrun or an abort); each must pass.
 */
export async function runLab(lab: Lab, context: RunContext): Promise<LabResult> {
  const started = Date.now();
  const deadline = lab.budget === undefined ? Number.POSITIVE_INFINITY : started + lab.budget * 1_000;
  const results: BlockResult[] = [];
  let failed = false;
  let broken = false;
  const record = (result: BlockResult) => {
    results.push(result);
    context.onBlock?.(lab, result);
  };
  try {
    for (const block of lab.blocks) {
      if (block.mode !== "run" && block.mode !== "break") continue;
      if (context.signal?.aborted) {
        failed = true;
        break;
      }
      if (Date.now() >= deadline) {
        record({ block, ok: false, problems: [`not started: the lab's time budget of ${formatSeconds(lab.budget!)} ran out`], output: "", attempts: 0, seconds: 0 });
        failed = true;
        break;
      }
      if (block.mode === "break") broken = true;
      context.onStart?.(lab, block);
      const result = await runBlock(block, context, { deadline });
      record(result);
      if (!result.ok) {
        failed = true;
        break;
      }
    }
  } finally {
    // Undo blocks are not bound by the budget or stopped by an abort: they put the cluster back.
    if (broken) {
      const undos = lab.blocks.filter((block) => block.mode === "undo").reverse();
      for (const block of undos) {
        context.onStart?.(lab, block);
        const result = await runBlock(block, context, { interruptible: false });
        record(result);
      }
    }
  }
  const undoFailed = results.some((result) => result.block.mode === "undo" && !result.ok);
  return { lab, results, status: failed || undoFailed ? "failed" : "ok", undoFailed, seconds: (Date.now() - started) / 1_000 };
}

/**
 * Runs the labs in order. After a lab whose undo failed, the others are not run: the cluster may still be
 * broken, and they would fail for that reason rather than their own.
 */
export async function runLabs(labs: Lab[], context: RunContext): Promise<LabResult[]> {
  const outcomes: LabResult[] = [];
  let stopped = false;
  for (const lab of labs) {
    if (stopped || context.signal?.aborted) {
      outcomes.push({ lab, results: [], status: "not run", undoFailed: false, seconds: 0 });
      continue;
    }
    const outcome = await runLab(lab, context);
    outcomes.push(outcome);
    if (outcome.undoFailed) stopped = true;
  }
  return outcomes;
}

/** One line per block as it ends: "ok    03-network-policies  kubectl get netpol … (1.2 s)". */
export function blockLine(lab: Lab, result: BlockResult): string {
  const verdict = result.ok ? "ok  " : "FAIL";
  const kind = result.block.mode === "run" ? "" : `${result.block.mode}: `;
  const tries = result.attempts > 1 ? `, ${result.attempts} runs` : "";
  return `${verdict}  ${lab.id}  ${kind}${firstLine(result.block)} (${formatSeconds(result.seconds)}${tries})`;
}

/** The summary: each lab's blocks passed out of those run, its result and time, and the total time. */
export function summaryTable(outcomes: LabResult[]): string {
  const rows = [["lab", "blocks", "result", "time"]];
  for (const outcome of outcomes) {
    const total = runnableBlocks(outcome.lab).length;
    const passed = outcome.results.filter((result) => result.ok).length;
    const result = outcome.status === "failed" ? (outcome.undoFailed ? "FAILED (undo)" : "FAILED") : outcome.status;
    rows.push([outcome.lab.id, `${passed}/${total}`, result, outcome.status === "not run" ? "" : formatSeconds(outcome.seconds)]);
  }
  rows.push(["total", "", "", formatSeconds(outcomes.reduce((sum, outcome) => sum + outcome.seconds, 0))]);
  const widths = [0, 1, 2, 3].map((column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === 3 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join("  ").trimEnd()).join("\n");
}

/** For each failed block: where it is, its command, what was expected, and the end of its output. */
export function failureReport(outcomes: LabResult[], tailLines = 40): string {
  const sections: string[] = [];
  for (const outcome of outcomes) {
    for (const result of outcome.results.filter((candidate) => !candidate.ok)) {
      const { block } = result;
      const lines = result.output.replace(/\n$/, "").split("\n");
      const tail = lines.length > tailLines ? [`… (${lines.length - tailLines} earlier lines)`, ...lines.slice(-tailLines)] : lines;
      const expected = [
        block.fails ? "a non-zero exit" : "exit 0",
        ...block.expect.map((fragment) => `expect="${fragment}"`),
        ...block.expectRe.map((pattern) => `expect-re="${pattern}"`),
        ...block.absent.map((fragment) => `absent="${fragment}"`),
        ...(block.retry === undefined ? [] : [`within retry=${block.retry}`]),
      ];
      sections.push(
        [
          `${outcome.lab.id}: ${block.mode} block at ${block.file}:${block.line} (${result.attempts} run${result.attempts === 1 ? "" : "s"})`,
          "command:",
          ...block.code.split("\n").map((line) => `  ${line}`),
          `expected: ${expected.join(", ")}`,
          `problems: ${result.problems.join("; ")}`,
          "output:",
          ...(result.output.trim() === "" ? ["  (none)"] : tail.map((line) => `  ${line}`)),
        ].join("\n"),
      );
    }
  }
  return sections.join("\n\n");
}

/** `--list`: each lab with its budget and its blocks, runnable ones marked with their line and attributes. */
export function listing(labs: Lab[]): string {
  const lines: string[] = [];
  for (const lab of labs) {
    const runnable = runnableBlocks(lab);
    lines.push(`${lab.id}  ${lab.title}  (${lab.file}; ${runnable.length} runnable block${runnable.length === 1 ? "" : "s"}${lab.budget ? `, budget ${formatSeconds(lab.budget)}` : ""})`);
    for (const block of runnable) {
      const attributes = [
        ...(block.fails ? ["fails"] : []),
        ...block.expect.map((fragment) => `expect="${fragment}"`),
        ...block.expectRe.map((pattern) => `expect-re="${pattern}"`),
        ...block.absent.map((fragment) => `absent="${fragment}"`),
        ...(block.retry === undefined ? [] : [`retry=${block.retry}`]),
        ...(block.timeout === DEFAULT_TIMEOUT_SECONDS ? [] : [`timeout=${block.timeout}`]),
      ];
      lines.push(`  :${String(block.line).padEnd(4)} ${block.mode.padEnd(5)} ${firstLine(block)}${attributes.length ? `  [${attributes.join(" ")}]` : ""}`);
    }
  }
  return lines.join("\n");
}

/**
 * curl's settings for the labs: the public hosts go to the ingress's host port without asking DNS, so lab
 * commands are the plain `curl http://api.folio.localtest.me/...` a reader types, also in a room with no DNS.
 */
export function curlrc(httpPort: number): string {
  return [
    "# Written by pnpm labs:check: the labs' hosts reach the kind cluster's ingress without DNS (curl --connect-to).",
    ...Object.values(HOSTS).map((host) => `connect-to = "${host}:80:127.0.0.1:${httpPort}"`),
    "",
  ].join("\n");
}

/**
 * The environment the labs' blocks run in, written into `dir`: KUBECONFIG holding only the cluster's context
 * (its namespace set to Folio's, as the labs' setup tells readers to do), CURL_HOME with `curlrc`, and the
 * FOLIO_* settings. `sourceEnv` is where kubectl finds the user's kubeconfig.
 */
export async function labEnvironment(settings: ClusterSettings, dir: string, sourceEnv: Record<string, string | undefined> = process.env): Promise<Record<string, string>> {
  const kubeconfig = join(dir, "kubeconfig");
  const view = await $({ quiet: true, nothrow: true, env: sourceEnv })`kubectl config view --minify --flatten --context ${settings.context}`;
  if (view.exitCode !== 0) {
    // The last line is kubectl's own ("error: cannot locate context …"); a shell start-up file may add others.
    const reason = view.stderr.trim().split("\n").at(-1);
    throw new Error(
      `kubectl has no context ${settings.context} (${reason}). Create the cluster and deploy Folio with: pnpm stack:up` +
        (settings.name === "folio" ? "" : ` --cluster ${settings.name}`) +
        " (or keep the e2e suite's cluster: pnpm e2e --keep)",
    );
  }
  writeFileSync(kubeconfig, view.stdout, { mode: 0o600 });
  await $({ quiet: true, env: sourceEnv })`kubectl config set-context ${settings.context} --namespace ${settings.namespace} --kubeconfig ${kubeconfig}`;
  writeFileSync(join(dir, ".curlrc"), curlrc(settings.httpPort));
  return {
    KUBECONFIG: kubeconfig,
    CURL_HOME: dir,
    FOLIO_CLUSTER: settings.name,
    FOLIO_NAMESPACE: settings.namespace,
    FOLIO_RELEASE: settings.release,
    FOLIO_HTTP_PORT: String(settings.httpPort),
  };
}
