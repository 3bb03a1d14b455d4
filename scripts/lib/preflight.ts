/**
 * What must hold on this machine before a cluster is created, each check with the exact fix. The parsing is
 * pure (unit-tested); the probing runs the real commands.
 */
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { $ } from "zx";
import { dockerProblem } from "./images.ts";
import { repoRoot } from "./prerequisites.ts";
import type { ClusterSettings } from "./settings.ts";

export type Verdict = "ok" | "warn" | "fail";

export interface CheckResult {
  name: string;
  verdict: Verdict;
  detail: string;
  /** What to do about a warn or fail. */
  fix?: string;
}

/** "v0.31.0", "kind v0.31.0 go1.25 linux/amd64", "v3.18.4+g…" → [0, 31, 0]; undefined when there is no version. */
export function parseVersion(text: string): [number, number, number] | undefined {
  const match = /v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : undefined;
}

export function atLeast(version: [number, number, number], minimum: [number, number, number]): boolean {
  for (let i = 0; i < 3; i++) {
    if (version[i]! !== minimum[i]!) return version[i]! > minimum[i]!;
  }
  return true;
}

export const MINIMUMS = {
  kind: [0, 31, 0] as [number, number, number],
  kubectl: [1, 31, 0] as [number, number, number],
  helm: [3, 18, 0] as [number, number, number],
  node: [22, 0, 0] as [number, number, number],
};

/** Docker memory: the four nodes and the chart need about 5 GiB; below 6 GiB pods get evicted or never start. */
export const MEMORY = { failBelow: 6 * 1024 ** 3, warnBelow: 8 * 1024 ** 3 };

export function memoryVerdict(bytes: number): CheckResult {
  const gib = (bytes / 1024 ** 3).toFixed(1);
  const fix =
    "Give Docker more memory: Docker Desktop → Settings → Resources → Memory (8 GB or more); on Linux Docker uses all of the machine's memory, so close other programs or use a bigger machine.";
  if (bytes < MEMORY.failBelow) return { name: "Docker memory", verdict: "fail", detail: `${gib} GiB available to containers; at least 6 GiB are needed`, fix };
  if (bytes < MEMORY.warnBelow) return { name: "Docker memory", verdict: "warn", detail: `${gib} GiB; 8 GiB or more is comfortable`, fix };
  return { name: "Docker memory", verdict: "ok", detail: `${gib} GiB` };
}

export function versionVerdict(name: string, output: string | undefined, minimum: [number, number, number], install: string): CheckResult {
  if (output === undefined) return { name, verdict: "fail", detail: "not found on PATH", fix: install };
  const version = parseVersion(output);
  if (!version) return { name, verdict: "warn", detail: `cannot read a version from "${output.trim().slice(0, 80)}"`, fix: install };
  const shown = version.join(".");
  if (!atLeast(version, minimum)) return { name, verdict: "fail", detail: `${shown} is older than ${minimum.join(".")}`, fix: install };
  return { name, verdict: "ok", detail: shown };
}

/** inotify limits: with Linux's defaults (128 instances) a 4-node kind cluster's kubelets and kube-proxies run out. */
export function inotifyVerdict(instances: number | undefined, watches: number | undefined): CheckResult {
  const name = "inotify limits";
  if (instances === undefined || watches === undefined) return { name, verdict: "ok", detail: "not Linux (Docker's VM has its own)" };
  const low = instances < 512 || watches < 524_288;
  const detail = `max_user_instances ${instances}, max_user_watches ${watches}`;
  if (!low) return { name, verdict: "ok", detail };
  return {
    name,
    verdict: "warn",
    detail: `${detail}: too low for four nodes ("too many open files" in kube-proxy)`,
    fix: "sudo sysctl fs.inotify.max_user_instances=512 fs.inotify.max_user_watches=524288 (kind's known issue: https://kind.sigs.k8s.io/docs/user/known-issues/#pod-errors-due-to-too-many-open-files)",
  };
}

export function portVerdict(port: number, free: boolean, ownCluster: boolean, option: string): CheckResult {
  const name = `port ${port}`;
  if (free) return { name, verdict: "ok", detail: "free" };
  if (ownCluster) return { name, verdict: "ok", detail: "held by this cluster's ingress" };
  return {
    name,
    verdict: "fail",
    detail: "in use by another program",
    fix: `Stop what listens there (Linux: sudo ss -ltnp 'sport = :${port}'; macOS: lsof -nP -iTCP:${port} -sTCP:LISTEN), or use another port: ${option} (and open the printed URLs with that port).`,
  };
}

export function clustersVerdict(clusters: string[], own: string): CheckResult {
  const others = clusters.filter((cluster) => cluster !== own);
  const mine = clusters.includes(own);
  if (others.length === 0) return { name: "kind clusters", verdict: "ok", detail: mine ? `${own} exists and will be reused (pnpm cluster:down to start fresh)` : "none" };
  return {
    name: "kind clusters",
    verdict: "warn",
    detail: `other clusters use memory and CPU: ${others.join(", ")}`,
    fix: `Delete the ones you do not need: ${others.map((cluster) => `kind delete cluster --name ${cluster}`).join("; ")}`,
  };
}

async function commandOutput(command: string[]): Promise<string | undefined> {
  const result = await $({ quiet: true, nothrow: true, timeout: "20s" })`${command}`;
  return result.exitCode === 0 ? result.stdout + result.stderr : undefined;
}

/**
 * True when nothing listens on 127.0.0.1:port. A connection attempt rather than a bind, so it also works for
 * ports below 1024 that only root may bind (Docker's daemon binds them for kind, not this process).
 */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.setTimeout(2_000);
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false); // something accepted the SYN and then said nothing: treat it as taken
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
  });
}

function readNumber(path: string): number | undefined {
  try {
    return Number(readFileSync(path, "utf8").trim());
  } catch {
    return undefined;
  }
}

export interface PreflightOptions {
  settings: ClusterSettings;
  /** The cluster exists already and holds the ingress ports. */
  ownClusterExists: boolean;
}

export async function runPreflight({ settings, ownClusterExists }: PreflightOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const docker = await dockerProblem();
  results.push(docker ? { name: "Docker", verdict: "fail", detail: docker.split("\n")[0]!, fix: docker.split("\n").slice(1).join(" ") || docker } : { name: "Docker", verdict: "ok", detail: (await commandOutput(["docker", "version", "--format", "{{.Server.Version}}"]))?.trim() ?? "" });
  if (!docker) {
    const memory = Number((await commandOutput(["docker", "info", "--format", "{{.MemTotal}}"]))?.trim());
    results.push(Number.isFinite(memory) && memory > 0 ? memoryVerdict(memory) : { name: "Docker memory", verdict: "warn", detail: "docker info did not say" });
  }
  results.push(versionVerdict("kind", await commandOutput(["kind", "version"]), MINIMUMS.kind, "Install kind v0.31 or newer: https://kind.sigs.k8s.io/docs/user/quick-start/#installation (macOS: brew install kind; or go install sigs.k8s.io/kind@v0.31.0)"));
  results.push(versionVerdict("kubectl", await commandOutput(["kubectl", "version", "--client"]), MINIMUMS.kubectl, "Install kubectl 1.31 or newer: https://kubernetes.io/docs/tasks/tools/ (macOS: brew install kubectl)"));
  results.push(versionVerdict("helm", await commandOutput(["helm", "version", "--short"]), MINIMUMS.helm, "Install Helm 3.18 or newer (or 4): https://helm.sh/docs/intro/install/ (macOS: brew install helm)"));
  results.push(versionVerdict("Node.js", process.version, MINIMUMS.node, "Use Node 24 as in .nvmrc: nvm install && nvm use (or fnm use)"));
  results.push(pnpmVerdict(await commandOutput(["pnpm", "--version"])));
  results.push(portVerdict(settings.httpPort, await portFree(settings.httpPort), ownClusterExists, "--http-port 8080 (or FOLIO_HTTP_PORT=8080)"));
  results.push(portVerdict(settings.httpsPort, await portFree(settings.httpsPort), ownClusterExists, "--https-port 8443 (or FOLIO_HTTPS_PORT=8443)"));
  const clusters = (await commandOutput(["kind", "get", "clusters"]))?.split("\n").map((line) => line.trim()).filter((line) => line && !line.startsWith("No kind clusters")) ?? [];
  results.push(clustersVerdict(clusters, settings.name));
  if (process.platform === "linux") results.push(inotifyVerdict(readNumber("/proc/sys/fs/inotify/max_user_instances"), readNumber("/proc/sys/fs/inotify/max_user_watches")));
  return results;
}

export function pnpmVerdict(output: string | undefined): CheckResult {
  const manifest = JSON.parse(readFileSync(join(repoRoot(), "package.json"), "utf8")) as { packageManager?: string };
  const wanted = manifest.packageManager?.replace(/^pnpm@/, "") ?? "";
  const fix = "corepack enable (pnpm's version is pinned by packageManager in package.json), then run the command again";
  if (output === undefined) return { name: "pnpm", verdict: "fail", detail: "not found", fix };
  const version = output.trim();
  if (wanted && version !== wanted) return { name: "pnpm", verdict: "warn", detail: `${version}, the repository pins ${wanted}`, fix };
  return { name: "pnpm", verdict: "ok", detail: version };
}

export function formatResults(results: CheckResult[]): string {
  const width = Math.max(...results.map((result) => result.name.length));
  const lines: string[] = [];
  for (const result of results) {
    lines.push(`${result.verdict.toUpperCase().padEnd(4)}  ${result.name.padEnd(width)}  ${result.detail}`);
    if (result.fix && result.verdict !== "ok") lines.push(`${" ".repeat(width + 8)}fix: ${result.fix}`);
  }
  return lines.join("\n");
}
