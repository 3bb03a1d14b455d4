/**
 * Folio's images (built from the repository's Dockerfile) and the third-party images a cluster needs, and how
 * both reach kind's nodes.
 *
 * Third-party images are listed once, where they are used: the chart's values name the chart's images
 * (PostgreSQL, Valkey, the S3 server; read by rendering the chart), and addonImages below names the cluster
 * add-ons' (Traefik, metrics-server). Every reference can be overridden: the chart's with values (`global.imageRegistry` for a
 * mirror), the add-ons' with environment variables, Folio's with --prefix and --tag.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { $, chalk, echo, type ProcessPromise } from "zx";
import { repoRoot } from "./prerequisites.ts";

export const APPS = ["api", "web", "worker", "cleanup", "agent"] as const;
export type App = (typeof APPS)[number];
export const DEFAULT_BASE = "node:24-bookworm-slim";
/** Decimal megabytes, as `docker images` counts them. */
export const MB = 1_000_000;
export const BUDGET_MB = 80;

/** Images of the cluster's add-ons (scripts/kind/*.yaml), each overridable for a mirror or an offline room. */
export function addonImages(env: NodeJS.ProcessEnv = process.env): { TRAEFIK_IMAGE: string; METRICS_SERVER_IMAGE: string } {
  return {
    TRAEFIK_IMAGE: env.FOLIO_TRAEFIK_IMAGE || "traefik:v3.6.12",
    METRICS_SERVER_IMAGE: env.FOLIO_METRICS_SERVER_IMAGE || "registry.k8s.io/metrics-server/metrics-server:v0.8.0",
  };
}

const root = repoRoot();
const inRoot = $({ cwd: root, quiet: true });

/** Returns the fix to print when Docker cannot be used here, or undefined when it can. */
export async function dockerProblem(): Promise<string | undefined> {
  const client = await inRoot({ nothrow: true })`docker --version`;
  if (client.exitCode !== 0) {
    return "The docker command is not installed. Install Docker Engine (https://docs.docker.com/engine/install/) or Docker Desktop, then run the command again.";
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
export async function commitTag(): Promise<{ tag: string; revision: string } | string> {
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
export async function treeFingerprint(): Promise<string> {
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

export async function imageBytes(image: string): Promise<number> {
  return Number((await inRoot`docker image inspect --format {{.Size}} ${image}`).stdout.trim());
}

export async function localImageExists(image: string): Promise<boolean> {
  return (await inRoot({ nothrow: true })`docker image inspect --format {{.Id}} ${image}`).exitCode === 0;
}

export interface BuildOptions {
  apps: readonly string[];
  tag: string;
  revision: string;
  base: string;
  prefix: string;
  verbose: boolean;
  /** Called with each running build, so a signal handler can stop it. */
  onBuild?: (build: ProcessPromise | undefined) => void;
}

export interface Built {
  app: string;
  image: string;
  bytes: number;
  addedBytes: number;
  seconds: number;
}

export const imageName = (prefix: string, app: string, tag: string) => `${prefix}/${app}:${tag}`;

/**
 * Builds the apps' images one after the other: the Dockerfile's first stage installs and builds every app and
 * does not depend on the app, so the first build does that work and the others take it from the layer cache.
 */
export async function buildImages(options: BuildOptions): Promise<Built[]> {
  const buildArgs = {
    NODE_IMAGE: options.base,
    VERSION: options.tag,
    REVISION: options.revision,
    CREATED: new Date().toISOString(),
    SOURCE: await sourceUrl(),
    LICENSES: readPackage("package.json").license ?? "NOASSERTION",
  };
  const built: Built[] = [];
  for (const app of options.apps) {
    const image = imageName(options.prefix, app, options.tag);
    const description = readPackage(`apps/${app}/package.json`).description ?? "";
    const args = Object.entries({ ...buildArgs, DESCRIPTION: description, APP: app }).flatMap(([key, value]) => ["--build-arg", `${key}=${value}`]);
    const started = performance.now();
    const running = $({ cwd: root, quiet: !options.verbose, nothrow: true })`docker build --file Dockerfile ${args} --tag ${image} .`;
    options.onBuild?.(running);
    const result = await running.finally(() => options.onBuild?.(undefined));
    if (result.exitCode !== 0) {
      if (!options.verbose) echo(result.stdout.split("\n").slice(-60).join("\n") + result.stderr);
      throw new Error(`docker build of ${image} failed (exit ${result.exitCode}); the end of its output is above`);
    }
    const seconds = (performance.now() - started) / 1000;
    built.push({ app, image, bytes: await imageBytes(image), addedBytes: 0, seconds });
    echo(`${chalk.green("built")} ${image} in ${seconds.toFixed(0)} s`);
  }
  // After the builds, so that a base image the first build pulled is there.
  const baseBytes = await imageBytes(options.base);
  for (const image of built) image.addedBytes = image.bytes - baseBytes;
  return built;
}

/**
 * The name Docker knows a reference by: "docker.io/postgres:17" and "postgres:17" are the same image, and
 * `docker save` (which kind load runs) accepts either; this gives the short form for messages and dedup.
 */
export function normalizeImage(reference: string): string {
  return reference.replace(/^docker\.io\/library\//, "").replace(/^docker\.io\//, "").replace(/^library\//, "");
}

/** Every container image in rendered manifests (parsed YAML objects): any object with a `name` and an `image`. */
export function imagesInObjects(objects: unknown[]): string[] {
  const images = new Set<string>();
  const visit = (value: unknown) => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
    } else if (value && typeof value === "object") {
      const record = value as Record<string, unknown>;
      if (typeof record.image === "string" && typeof record.name === "string") images.add(record.image);
      for (const child of Object.values(record)) visit(child);
    }
  };
  visit(objects);
  return [...images].map(normalizeImage).sort();
}

/** Which nodes need an image: every node, the workers only, or the control-plane only. */
export type NodeSet = "all" | "workers" | "control-plane";

export interface ImageGroup {
  nodes: NodeSet;
  images: string[];
}

/**
 * Where the chart's images run: a DaemonSet's on every node, the control plane included (its pods tolerate every
 * taint); everything else only on the workers (Folio's pods do not tolerate the control plane's taint). Loading an
 * image only where it can run saves a quarter of the copying on a four-node cluster.
 */
export function chartImageGroups(objects: unknown[]): ImageGroup[] {
  const isDaemonSet = (object: unknown) => (object as { kind?: string } | null)?.kind === "DaemonSet";
  const everywhere = new Set(imagesInObjects(objects.filter(isDaemonSet)));
  const workers = imagesInObjects(objects.filter((object) => !isDaemonSet(object))).filter((image) => !everywhere.has(image));
  return [
    { nodes: "all", images: [...everywhere] },
    { nodes: "workers", images: workers },
  ];
}

/** The add-ons' images: Traefik and metrics-server run on the control-plane node only (their nodeSelectors). */
export function addonImageGroups(env: NodeJS.ProcessEnv = process.env): ImageGroup[] {
  const images = addonImages(env);
  return [{ nodes: "control-plane", images: [images.TRAEFIK_IMAGE, images.METRICS_SERVER_IMAGE] }];
}

export interface LoadResult {
  loaded: string[];
  /** Not in the local Docker: the nodes pull them (a laptop with internet), or the pods will not start. */
  missing: string[];
  seconds: number;
}

/** The node containers of a NodeSet, from `kind get nodes`. */
export function nodesOf(all: string[], cluster: string, set: NodeSet): string[] {
  const controlPlane = `${cluster}-control-plane`;
  if (set === "all") return all;
  return set === "control-plane" ? all.filter((node) => node === controlPlane) : all.filter((node) => node !== controlPlane);
}

/**
 * Puts images on the nodes that need them, one `kind load docker-image` per group: kind saves a group into one
 * archive (shared layers once) and imports it into those nodes in parallel, skipping nodes that have an image
 * already. Images that are not in the local Docker are reported, not pulled: pulling is the nodes' job.
 */
export async function loadImages(cluster: string, groups: ImageGroup[], verbose = false): Promise<LoadResult> {
  const started = performance.now();
  const nodeList = (await $({ quiet: true })`kind get nodes --name ${cluster}`).stdout.split("\n").map((line) => line.trim()).filter(Boolean);
  const loaded = new Set<string>();
  const missing = new Set<string>();
  for (const group of groups) {
    const present: string[] = [];
    for (const image of new Set(group.images.map(normalizeImage))) {
      if (await localImageExists(image)) present.push(image);
      else missing.add(image);
    }
    const nodes = nodesOf(nodeList, cluster, group.nodes);
    if (present.length === 0 || nodes.length === 0) continue;
    const result = await $({ quiet: !verbose, nothrow: true })`kind load docker-image --name ${cluster} --nodes ${nodes.join(",")} ${present}`;
    if (result.exitCode !== 0) {
      throw new Error(`kind load docker-image failed (exit ${result.exitCode}):\n${(result.stderr || result.stdout).trim().split("\n").slice(-20).join("\n")}`);
    }
    for (const image of present) loaded.add(image);
  }
  return { loaded: [...loaded], missing: [...missing], seconds: (performance.now() - started) / 1000 };
}
