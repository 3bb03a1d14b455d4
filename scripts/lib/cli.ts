/**
 * What every root script shares: argument parsing that rejects unknown options, `--help` and `--verbose`,
 * steps that show a spinner on a terminal and one line each in CI, clean-up that runs once whether the script
 * ends, fails or is interrupted, and a table of each step's time.
 */
import { $, chalk, echo, parseArgv, spinner } from "zx";

export interface OptionSpec {
  /** Long name without dashes: "http-port". */
  name: string;
  type: "string" | "boolean";
  description: string;
  /** Shown in the help; the parsed value is undefined when the option is absent. */
  default?: string | boolean;
  /** Placeholder for a string option's value in the help, e.g. "PORT". */
  value?: string;
  /** May be given more than once (string options): the parsed value is then an array. */
  repeatable?: boolean;
}

export interface CliSpec {
  /** How it is invoked: "pnpm cluster:up". */
  usage: string;
  /** One paragraph: what it does. */
  summary: string;
  options: OptionSpec[];
  /** Extra help text after the options: environment variables, examples. */
  epilog?: string;
}

/** Options every script accepts, added to each spec. */
const COMMON: OptionSpec[] = [
  { name: "verbose", type: "boolean", description: "echo every command and its output" },
  { name: "help", type: "boolean", description: "this text" },
];

export type ParsedOptions = Record<string, string | string[] | boolean | undefined>;

export class UsageError extends Error {
  override name = "UsageError";
}

export function helpText(spec: CliSpec): string {
  const options = [...spec.options, ...COMMON];
  const labels = options.map((option) => `--${option.name}${option.type === "string" ? ` ${option.value ?? "VALUE"}` : ""}`);
  const width = Math.max(...labels.map((label) => label.length));
  const lines = options.map((option, index) => {
    const fallback = option.default === undefined || option.default === false ? "" : ` (default: ${String(option.default)})`;
    const repeat = option.repeatable ? " (repeatable)" : "";
    return `  ${labels[index]!.padEnd(width)}  ${option.description}${fallback}${repeat}`;
  });
  return [`Usage: ${spec.usage}`, "", spec.summary, "", "Options:", ...lines, ...(spec.epilog ? ["", spec.epilog] : [])].join("\n");
}

/**
 * Parses `args` against the spec. Unknown options, positional arguments, a string option without a value and
 * a repeated non-repeatable option are UsageErrors with a message that names the problem.
 */
export function parseOptions(spec: CliSpec, args: string[]): ParsedOptions {
  const options = [...spec.options, ...COMMON];
  const strings = options.filter((option) => option.type === "string").map((option) => option.name);
  const booleans = options.filter((option) => option.type === "boolean").map((option) => option.name);
  const parsed = parseArgv(args, { string: strings, boolean: booleans, alias: { h: "help" } });
  const known = new Set([...options.map((option) => option.name), "_", "h", "--"]);
  const unknown = Object.keys(parsed).filter((key) => !known.has(key));
  if (unknown.length > 0) throw new UsageError(`unknown option ${unknown.map((key) => (key.length === 1 ? `-${key}` : `--${key}`)).join(", ")}`);
  if (parsed._.length > 0) throw new UsageError(`unexpected argument ${parsed._.join(" ")}`);

  const result: ParsedOptions = {};
  for (const option of options) {
    const raw: unknown = parsed[option.name];
    if (option.type === "boolean") {
      // minimist sets every declared boolean to false; "absent" and "false" mean the same here.
      result[option.name] = Boolean(raw);
      continue;
    }
    if (raw === undefined) continue;
    const values = Array.isArray(raw) ? (raw as unknown[]).map(String) : [String(raw)];
    if (values.some((value) => value === "")) throw new UsageError(`--${option.name} needs a value`);
    if (!option.repeatable && values.length > 1) throw new UsageError(`--${option.name} may be given once`);
    result[option.name] = option.repeatable ? values : values[0];
  }
  return result;
}

/** A port number option, or a UsageError naming the option. */
export function portOption(options: ParsedOptions, name: string, fallback: number): number {
  const raw = options[name];
  if (raw === undefined) return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new UsageError(`--${name} must be a port number (1-65535), not ${String(raw)}`);
  return port;
}

/** True where nobody watches a terminal: CI, or output redirected to a file. */
export function quietTerminal(): boolean {
  return Boolean(process.env.CI) || !process.stderr.isTTY;
}

export interface StepTiming {
  title: string;
  seconds: number;
  ok: boolean;
  /** 0 for a top-level step, 1 for a step run inside one, … */
  depth?: number;
}

/** Times of the steps run so far, in order, for the summary at the end of a script. */
export const timings: StepTiming[] = [];

/**
 * Runs one long step: a spinner on a terminal, one line at its start and one at its end in CI (or with
 * --verbose, when the commands' own output is shown instead). The step's time goes into `timings`.
 */
let depth = 0;

export async function step<T>(title: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const plain = quietTerminal() || $.verbose || depth > 0;
  const entry: StepTiming = { title, seconds: 0, ok: false, depth };
  timings.push(entry); // in start order, so nested steps follow the step they belong to
  if (plain) echo(chalk.dim(`${"  ".repeat(depth)}--> ${title}`));
  depth++;
  try {
    const result = plain ? await run() : await spinner(title, run);
    entry.ok = true;
    return result;
  } finally {
    depth--;
    entry.seconds = (performance.now() - started) / 1000;
    echo(`${"  ".repeat(depth)}${entry.ok ? chalk.green("ok") : chalk.red("FAIL")}  ${title} ${chalk.dim(`(${formatSeconds(entry.seconds)})`)}`);
  }
}

export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/** The steps' times as a table; `budgets` (seconds, by title) adds a column that flags a step over budget. */
export function timingTable(steps: StepTiming[], budgets: Record<string, number> = {}): string {
  const rows = steps.map((entry) => {
    const budget = budgets[entry.title];
    const verdict = budget === undefined ? "" : entry.seconds <= budget ? `within ${formatSeconds(budget)}` : `OVER ${formatSeconds(budget)}`;
    return [`${"  ".repeat(entry.depth ?? 0)}${entry.title}`, formatSeconds(entry.seconds), entry.ok ? "ok" : "failed", verdict];
  });
  // Nested steps' time is part of their parent's: only top-level steps add up.
  const total = steps.filter((entry) => !entry.depth).reduce((sum, entry) => sum + entry.seconds, 0);
  rows.push(["total", formatSeconds(total), "", ""]);
  const widths = [0, 1, 2, 3].map((column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === 1 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join("  ").trimEnd()).join("\n");
}

type Cleanup = () => Promise<void> | void;
const cleanups: { title: string; run: Cleanup }[] = [];
let cleaning: Promise<void> | undefined;

/** Registers clean-up to run at the end, newest first, exactly once (also on SIGINT/SIGTERM). */
export function onCleanup(title: string, run: Cleanup): () => void {
  const entry = { title, run };
  cleanups.push(entry);
  return () => {
    const index = cleanups.indexOf(entry);
    if (index >= 0) cleanups.splice(index, 1);
  };
}

export function runCleanups(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length > 0) {
      const { title, run } = cleanups.pop()!;
      try {
        await run();
      } catch (error) {
        echo(chalk.yellow(`clean-up "${title}" failed: ${error instanceof Error ? error.message : String(error)}`));
      }
    }
  })();
  return cleaning;
}

/**
 * The shape of every script: parse options (exit 2 with the problem on bad usage), run `main`, clean up in
 * every case, and exit with main's code, 1 on an error, or 130/143 when interrupted. A second Ctrl-C exits at
 * once without waiting for the clean-up.
 */
export async function runScript(spec: CliSpec, main: (options: ParsedOptions) => Promise<number>): Promise<void> {
  let options: ParsedOptions;
  try {
    options = parseOptions(spec, process.argv.slice(2));
  } catch (error) {
    echo(chalk.red(error instanceof Error ? error.message : String(error)));
    echo(`Run ${spec.usage.split(" [")[0]} --help for the options.`);
    process.exitCode = 2;
    return;
  }
  if (options.help) {
    echo(helpText(spec));
    return;
  }
  $.verbose = Boolean(options.verbose);
  let interrupted: NodeJS.Signals | undefined;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (interrupted) {
        echo(chalk.red(`second ${signal}: exiting without finishing the clean-up`));
        process.exit(signal === "SIGINT" ? 130 : 143);
      }
      interrupted = signal;
      echo(chalk.yellow(`\n${signal}: cleaning up (again to exit at once)`));
      void runCleanups().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
    });
  }
  try {
    process.exitCode = await main(options);
  } catch (error) {
    if (!interrupted) {
      echo(chalk.red(error instanceof Error ? error.message : String(error)));
      process.exitCode = 1;
    }
  } finally {
    await runCleanups();
  }
}
