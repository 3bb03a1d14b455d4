#!/usr/bin/env node
/**
 * pnpm images: builds Folio's production images from the repository's Dockerfile, prints each one's size and the
 * size it adds over its base image, and fails when one adds more than the budget (80 MB).
 *
 * The images are <prefix>/<app>:<tag> for api, web, worker, cleanup and agent (the migrations Job runs the api
 * image). The tag is the commit's short sha, with "-dirty" when the working tree has changes, tracked or not.
 * They are built one after the other: the Dockerfile's first stage installs and builds every app and does not
 * depend on the app, so the first build does that work and the other four take it from the layer cache.
 * Why one Dockerfile, and what is in an image: docs/adr/0015-container-images.md.
 *
 * Usage: pnpm images [--app api] [--app web …] [--tag TAG] [--base IMAGE] [--prefix folio] [--verbose]
 * Environment: Docker's own (DOCKER_HOST, DOCKER_CONTEXT) select the engine; nothing else.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { $, chalk, echo, parseArgv, spinner, type ProcessPromise } from "zx";
import { checkNode, repoRoot } from "./lib/prerequisites.ts";

const APPS = ["api", "web", "worker", "cleanup", "agent"] as const;
const DEFAULT_BASE = "node:24-bookworm-slim";
/** Decimal megabytes, as `docker images` counts them. */
const MB = 1_000_000;
const BUDGET_MB = 80;

const HELP = `Usage: pnpm images [options]

Builds the production images ${APPS.map((app) => `folio/${app}`).join(", ")} from the Dockerfile,
tagged with the commit (short sha, "-dirty" when the tree has changes), and prints their sizes. Fails when an
image adds more than ${BUDGET_MB} MB over its base.

Options:
  --app NAME       build only this app (repeatable): ${APPS.join(", ")}
  --tag TAG        tag instead of the commit's
  --base IMAGE     base image (the Dockerfile's NODE_IMAGE), default ${DEFAULT_BASE}
  --prefix PREFIX  repository prefix, default "folio" (e.g. registry.example.com/folio)
  --verbose        show Docker's build output as it happens (otherwise only when a build fails)
  --help           this text`;

interface Options {
  apps: string[];
  tag?: string;
  base: string;
  prefix: string;
  verbose: boolean;
}

interface Built {
  image: string;
  bytes: number;
  addedBytes: number;
  seconds: number;
}

const root = repoRoot();
const inRoot = $({ cwd: root, quiet: true });

// Ctrl-C or SIGTERM stops the running `docker build` (the engine then cancels it) and exits 130 or 143.
let running: ProcessPromise | undefined;
let stoppedBy: NodeJS.Signals | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    stoppedBy = signal;
    void running?.kill(signal);
  });
}

function parseOptions(args: string[]): Options | string {
  const argv = parseArgv(args, { string: ["app", "tag", "base", "prefix"], boolean: ["verbose"] });
  const unknown = Object.keys(argv).filter((key) => !["_", "app", "tag", "base", "prefix", "verbose"].includes(key));
  if (unknown.length > 0 || argv._.length > 0) return `unknown argument: ${[...unknown.map((key) => `--${key}`), ...argv._].join(" ")}`;
  const apps = ([] as string[]).concat(argv.app ?? []).flatMap((value) => value.split(",")).filter(Boolean);
  const wrong = apps.filter((app) => !(APPS as readonly string[]).includes(app));
  if (wrong.length > 0) return `unknown app: ${wrong.join(", ")} (one of ${APPS.join(", ")})`;
  if (argv.tag !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(argv.tag)) return `not a valid Docker tag: ${argv.tag}`;
  return {
    apps: apps.length > 0 ? [...new Set(apps)] : [...APPS],
    tag: argv.tag,
    base: argv.base || DEFAULT_BASE,
    prefix: argv.prefix || "folio",
    verbose: Boolean(argv.verbose),
  };
}

/** Returns the fix to print when Docker cannot build here, or undefined when it can. */
async function dockerProblem(): Promise<string | undefined> {
  const client = await inRoot({ nothrow: true })`docker --version`;
  if (client.exitCode !== 0) {
    return "The docker command is not installed. Install Docker Engine (https://docs.docker.com/engine/install/) or Docker Desktop, then run `pnpm images` again.";
  }
  const server = await inRoot({ nothrow: true, timeout: "20s" })`docker version --format {{.Server.Version}}`;
  if (server.exitCode !== 0) {
    const reason = server.stderr.trim().split("\n").at(-1) ?? "";
    return [
      `Docker is installed but its engine is not reachable${reason ? ` (${reason})` : ""}.`,
      "Start Docker: `sudo systemctl start docker` on Linux, or open Docker Desktop; `docker info` should then answer.",
      "For a remote engine, set DOCKER_HOST (or `docker context use NAME`).",
    ].join("\n");
  }
  return undefined;
}

/** The commit's short sha, with "-dirty" when anything tracked or untracked (but not ignored) differs from it. */
async function commitTag(): Promise<{ tag: string; revision: string } | string> {
  const head = await inRoot({ nothrow: true })`git rev-parse HEAD`;
  if (head.exitCode !== 0) {
    return "The tag comes from the commit, but this is not a git clone with a commit. Run it in a clone, or pass --tag TAG.";
  }
  const revision = head.stdout.trim();
  const short = (await inRoot`git rev-parse --short HEAD`).stdout.trim();
  const status = (await inRoot`git status --porcelain`).stdout.trim();
  return { tag: status ? `${short}-dirty` : short, revision };
}

/**
 * A hash of the working tree as the build sees it: HEAD, the diff of tracked files and the content of untracked
 * ones. Compared before and after the builds, it tells whether the sources changed while they ran, in which
 * case the images may come from two versions of the code.
 */
async function treeFingerprint(): Promise<string> {
  const hash = createHash("sha256");
  hash.update((await inRoot({ nothrow: true })`git rev-parse HEAD`).stdout);
  hash.update((await inRoot({ nothrow: true })`git diff HEAD --binary`).stdout);
  const untracked = (await inRoot({ nothrow: true })`git ls-files --others --exclude-standard -z`).stdout.split("\0").filter(Boolean);
  for (const file of untracked.sort()) {
    hash.update(file);
    try {
      hash.update(readFileSync(join(root, file)));
    } catch {
      hash.update("(unreadable)"); // deleted since git listed it: still a change the fingerprint should show
    }
  }
  return hash.digest("hex");
}

/** org.opencontainers.image.source: the origin remote as an https URL, or empty when there is none. */
async function sourceUrl(): Promise<string> {
  const remote = (await inRoot({ nothrow: true })`git remote get-url origin`).stdout.trim();
  return remote.replace(/^git@([^:]+):/, "https://$1/").replace(/^ssh:\/\/git@/, "https://").replace(/\.git$/, "");
}

function readPackage(path: string): { description?: string; license?: string } {
  return JSON.parse(readFileSync(join(root, path), "utf8")) as { description?: string; license?: string };
}

async function imageBytes(image: string): Promise<number> {
  return Number((await inRoot`docker image inspect --format {{.Size}} ${image}`).stdout.trim());
}

async function build(app: string, image: string, buildArgs: Record<string, string>, verbose: boolean): Promise<number> {
  const args = Object.entries({ ...buildArgs, APP: app }).flatMap(([key, value]) => ["--build-arg", `${key}=${value}`]);
  const started = Date.now();
  const run = async () => {
    running = $({ cwd: root, quiet: !verbose, nothrow: true })`docker build --file Dockerfile ${args} --tag ${image} .`;
    try {
      return await running;
    } finally {
      running = undefined;
    }
  };
  // The spinner only where someone watches a terminal; in CI and under `pnpm test` it would only add noise.
  const result = verbose || !process.stderr.isTTY ? await run() : await spinner(`building ${image}`, run);
  if (stoppedBy) throw new Error(`stopped by ${stoppedBy}`);
  if (result.exitCode !== 0) {
    if (!verbose) echo(result.stdout.split("\n").slice(-60).join("\n") + result.stderr);
    throw new Error(`docker build of ${image} failed (exit ${result.exitCode}); the end of its output is above`);
  }
  return (Date.now() - started) / 1000;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("   ")).join("\n");
}

const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

async function main(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    echo(HELP);
    return 0;
  }
  const options = parseOptions(args);
  if (typeof options === "string") {
    echo(chalk.red(options));
    echo("`pnpm images --help` lists the options.");
    return 2;
  }
  checkNode();
  const problem = await dockerProblem();
  if (problem) {
    echo(chalk.red(problem));
    return 1;
  }
  const commit = await commitTag();
  if (typeof commit === "string" && !options.tag) {
    echo(chalk.red(commit));
    return 1;
  }
  const tag = options.tag ?? (commit as { tag: string }).tag;
  const revision = typeof commit === "string" ? "" : commit.revision;

  const buildArgs = {
    NODE_IMAGE: options.base,
    VERSION: tag,
    REVISION: revision,
    CREATED: new Date().toISOString(),
    SOURCE: await sourceUrl(),
    LICENSES: readPackage("package.json").license ?? "NOASSERTION",
  };
  const fingerprint = await treeFingerprint();
  echo(`Building ${options.apps.length} image(s) tagged ${chalk.bold(tag)} from ${options.base}`);

  const built: Built[] = [];
  for (const app of options.apps) {
    const image = `${options.prefix}/${app}:${tag}`;
    const description = readPackage(`apps/${app}/package.json`).description ?? "";
    const seconds = await build(app, image, { ...buildArgs, DESCRIPTION: description }, options.verbose);
    built.push({ image, bytes: await imageBytes(image), addedBytes: 0, seconds });
    echo(`${chalk.green("built")} ${image} in ${seconds.toFixed(0)} s`);
  }
  // After the builds, so that a base image the first build pulled is there.
  const baseBytes = await imageBytes(options.base);
  for (const image of built) image.addedBytes = image.bytes - baseBytes;

  const over = built.filter((image) => image.addedBytes > BUDGET_MB * MB);
  echo("");
  echo(
    table([
      ["image", "size", `added over ${options.base} (${mb(baseBytes)})`, "build"],
      ...built.map((image) => [
        image.image,
        mb(image.bytes),
        `${mb(image.addedBytes)}${over.includes(image) ? chalk.red(" over budget") : ""}`,
        `${image.seconds.toFixed(0)} s`,
      ]),
    ]),
  );
  echo(chalk.dim(`budget: at most ${BUDGET_MB} MB added per image (1 MB = 10^6 bytes)`));

  if ((await treeFingerprint()) !== fingerprint) {
    echo(chalk.yellow("The working tree changed while the images were built. If the change is in what the images hold, they may come from two versions of the code: run `pnpm images` again."));
  }
  if (over.length > 0) {
    echo(chalk.red(`${over.map((image) => image.image).join(", ")} add(s) more than ${BUDGET_MB} MB over the base.`));
    echo(`See what takes the space: docker history ${over[0]!.image}, and`);
    echo(`  docker run --rm ${over[0]!.image} sh -c 'du -sh /app/dist /app/node_modules/.pnpm/* | sort -h | tail'`);
    return 1;
  }
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  echo(chalk.red(error instanceof Error ? error.message : String(error)));
  process.exitCode = stoppedBy === "SIGINT" ? 130 : stoppedBy === "SIGTERM" ? 143 : 1;
}
