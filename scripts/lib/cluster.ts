/**
 * The kind cluster's life: create it from scripts/kind/cluster.yaml, install the add-ons (the `shared` storage
 * class, Traefik and metrics-server), wait until everything is ready, tell a healthy cluster from a broken one, and delete it.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { $, echo, chalk } from "zx";
import { eventually } from "./eventually.ts";
import { http } from "./http.ts";
import { addonImageGroups, addonImages, loadImages } from "./images.ts";
import { buildKindConfig, readBaseConfig, renderKindConfig, workerCount } from "./kind-config.ts";
import { Kube, podSettled, type NodeInfo } from "./kube.ts";
import { repoRoot } from "./prerequisites.ts";
import { nodeAddressProblems, nodeProvider, repairNodeAddress, startNodes, type NodeProvider } from "./provider.ts";
import type { ClusterSettings } from "./settings.ts";
import { fillTemplate } from "./template.ts";

const KIND_DIR = join(repoRoot(), "scripts", "kind");

export async function clusterExists(name: string): Promise<boolean> {
  const result = await $({ quiet: true, nothrow: true })`kind get clusters`;
  return result.exitCode === 0 && result.stdout.split("\n").map((line) => line.trim()).includes(name);
}

export async function nodeContainers(name: string): Promise<string[]> {
  const result = await $({ quiet: true, nothrow: true })`kind get nodes --name ${name}`;
  return result.exitCode === 0 ? result.stdout.split("\n").map((line) => line.trim()).filter(Boolean).sort() : [];
}

export interface ClusterHealth {
  exists: boolean;
  /** Node containers that are not running. */
  stopped: string[];
  apiReachable: boolean;
  notReady: string[];
  /** Why it is not healthy, one line each; empty when it is. */
  problems: string[];
}

export async function clusterHealth(settings: ClusterSettings, provider: NodeProvider = nodeProvider()): Promise<ClusterHealth> {
  const health: ClusterHealth = { exists: await clusterExists(settings.name), stopped: [], apiReachable: false, notReady: [], problems: [] };
  if (!health.exists) {
    health.problems.push(`no kind cluster named ${settings.name}`);
    return health;
  }
  for (const node of await nodeContainers(settings.name)) if (!(await provider.isRunning(node))) health.stopped.push(node);
  if (health.stopped.length > 0) health.problems.push(`stopped node containers: ${health.stopped.join(", ")}`);
  const kube = new Kube(settings.context);
  health.apiReachable = await kube.reachable();
  if (!health.apiReachable) {
    health.problems.push(`the API server does not answer (kubectl --context ${settings.context})`);
    return health;
  }
  const nodes = await kube.nodes();
  health.notReady = nodes.filter((node) => !node.ready).map((node) => node.name);
  if (health.notReady.length > 0) health.problems.push(`nodes not Ready: ${health.notReady.join(", ")}`);
  const addresses = await nodeAddressProblems(provider, internalIps(nodes));
  for (const problem of addresses) health.problems.push(`${problem.node} has address ${problem.containerIp} but its Node says ${problem.internalIp}`);
  return health;
}

export function internalIps(nodes: NodeInfo[]): Record<string, string> {
  return Object.fromEntries(nodes.filter((node) => node.internalIp).map((node) => [node.name, node.internalIp!]));
}

/** Writes the generated kind config under the cluster's state directory and returns its path. */
export function writeKindConfig(settings: ClusterSettings): { path: string; workers: number } {
  const config = buildKindConfig(readBaseConfig(), settings);
  mkdirSync(settings.stateDir, { recursive: true });
  mkdirSync(settings.sharedDir, { recursive: true });
  const path = join(settings.stateDir, "kind-config.yaml");
  writeFileSync(path, renderKindConfig(config));
  return { path, workers: workerCount(config) };
}

export async function createCluster(settings: ClusterSettings, verbose = false): Promise<void> {
  const { path } = writeKindConfig(settings);
  const result = await $({ quiet: !verbose, nothrow: true })`kind create cluster --name ${settings.name} --image ${settings.nodeImage} --config ${path} --wait 0s`;
  if (result.exitCode !== 0) {
    throw new Error(`kind create cluster failed (exit ${result.exitCode}):\n${(result.stderr || result.stdout).trim().split("\n").slice(-25).join("\n")}`);
  }
}

/** Starts stopped nodes and mends swapped addresses, so that a cluster left by an earlier run can be reused. */
export async function reviveCluster(settings: ClusterSettings, provider: NodeProvider = nodeProvider()): Promise<string[]> {
  const actions: string[] = [];
  const kube = new Kube(settings.context);
  const containers = await nodeContainers(settings.name);
  const stopped = [];
  for (const node of containers) if (!(await provider.isRunning(node))) stopped.push(node);
  if (stopped.length > 0) {
    // The Nodes' InternalIPs are the addresses they had; start in that order so each tends to get its own back.
    const known = (await kube.reachable()) ? internalIps(await kube.nodes()) : {};
    await startNodes(provider, stopped.map((name) => ({ name, address: known[name] })));
    actions.push(`started ${stopped.join(", ")}`);
  }
  await eventually(() => kube.reachable(), { timeout: 120_000, interval: 2_000, description: "the API server to answer", until: Boolean });
  for (const problem of await nodeAddressProblems(provider, internalIps(await kube.nodes()))) {
    await repairNodeAddress(provider, problem.node, problem.containerIp!);
    actions.push(`pointed ${problem.node}'s kubelet at its new address ${problem.containerIp} (was ${problem.internalIp})`);
  }
  return actions;
}

/**
 * The `shared` storage class (scripts/kind/shared-storage.yaml) with the images of the cluster's own
 * local-path-provisioner, Traefik (scripts/kind/traefik.yaml) and metrics-server (scripts/kind/metrics-server.yaml),
 * with their images loaded first.
 */
export async function installAddons(settings: ClusterSettings, verbose = false): Promise<void> {
  const kube = new Kube(settings.context);
  const provisioner = await kube.json<{ spec: { template: { spec: { containers: { image: string }[] } } } }>([
    "get",
    "deployment",
    "local-path-provisioner",
    "-n",
    "local-path-storage",
  ]);
  const provisionerImage = provisioner.spec.template.spec.containers[0]!.image;
  const config = await kube.json<{ data: Record<string, string> }>(["get", "configmap", "local-path-config", "-n", "local-path-storage"]);
  const helperImage = /image:\s*"?([^\s"]+)"?/.exec(config.data["helperPod.yaml"] ?? "")?.[1];
  if (!helperImage) throw new Error("cannot find the helper image in local-path-storage/local-path-config (helperPod.yaml)");
  await kube.apply(
    fillTemplate(readFileSync(join(KIND_DIR, "shared-storage.yaml"), "utf8"), { PROVISIONER_IMAGE: provisionerImage, HELPER_IMAGE: helperImage }, "scripts/kind/shared-storage.yaml"),
  );

  const images = addonImages();
  const loaded = await loadImages(settings.name, addonImageGroups(), verbose);
  if (loaded.missing.length > 0) echo(chalk.dim(`add-on images the nodes will pull: ${loaded.missing.join(", ")}`));
  await kube.apply(fillTemplate(readFileSync(join(KIND_DIR, "traefik.yaml"), "utf8"), { TRAEFIK_IMAGE: images.TRAEFIK_IMAGE }, "scripts/kind/traefik.yaml"));
  await installMetricsServer(settings, kube, images.METRICS_SERVER_IMAGE);
}

interface ApiServiceJson {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

/**
 * metrics-server, then its APIService, in that order. A ClusterIP that kube-proxy has not programmed yet may be
 * answered by something else: on the CI sandbox, by an egress proxy with HTTP 404. If the APIService exists
 * before the Service answers, the API server's first discovery check can land there and keep that connection,
 * and the APIService stays at FailedDiscoveryCheck ("Metrics API not available" in `kubectl top`). So the APIService is applied only once the Deployment is ready and its ClusterIP answers /livez from the
 * control-plane node, where the API server runs; if it still does not become Available, the Service is made
 * again (a new ClusterIP, a new connection) once.
 */
async function installMetricsServer(settings: ClusterSettings, kube: Kube, image: string): Promise<void> {
  const manifest = fillTemplate(readFileSync(join(KIND_DIR, "metrics-server.yaml"), "utf8"), { METRICS_SERVER_IMAGE: image }, "scripts/kind/metrics-server.yaml");
  const apiService = readFileSync(join(KIND_DIR, "metrics-server-apiservice.yaml"), "utf8");
  const provider = nodeProvider();
  for (let attempt = 1; ; attempt++) {
    await kube.apply(manifest);
    await kube.run(["rollout", "status", "deployment/metrics-server", "-n", "kube-system", "--timeout=240s"]);
    const service = await kube.json<{ spec: { clusterIP: string } }>(["get", "service", "metrics-server", "-n", "kube-system"]);
    await eventually(
      () => provider.exec(`${settings.name}-control-plane`, ["curl", "-sk", "--max-time", "3", `https://${service.spec.clusterIP}/livez`]).catch(() => ""),
      { timeout: 120_000, interval: 2_000, description: `metrics-server to answer at its ClusterIP ${service.spec.clusterIP}`, until: (body) => body.trim() === "ok" },
    );
    await kube.apply(apiService);
    try {
      await eventually(() => kube.json<ApiServiceJson>(["get", "apiservice", "v1beta1.metrics.k8s.io"]), {
        timeout: 90_000,
        interval: 3_000,
        description: "the APIService v1beta1.metrics.k8s.io to be Available",
        until: (value) => value.status?.conditions?.some((condition) => condition.type === "Available" && condition.status === "True") ?? false,
      });
      return;
    } catch (error) {
      if (attempt >= 2) throw error;
      echo(chalk.yellow("metrics-server's APIService is not Available; making its Service again (a new ClusterIP) and retrying once"));
      await kube.run(["delete", "apiservice", "v1beta1.metrics.k8s.io", "--ignore-not-found"]);
      await kube.run(["delete", "service", "metrics-server", "-n", "kube-system", "--ignore-not-found"]);
    }
  }
}

/** Namespaces whose pods must all be running (or done) before the cluster counts as ready. */
export const SYSTEM_NAMESPACES = ["kube-system", "local-path-storage", "shared-storage", "traefik"];

export async function waitForCluster(settings: ClusterSettings, expectedNodes: number, timeoutMs = 300_000): Promise<void> {
  const kube = new Kube(settings.context);
  await eventually(() => kube.reachable(), { timeout: timeoutMs, interval: 2_000, description: "the API server to answer", until: Boolean });
  await eventually(() => kube.nodes(), {
    timeout: timeoutMs,
    interval: 2_000,
    description: `${expectedNodes} Ready nodes`,
    until: (nodes) => nodes.length === expectedNodes && nodes.every((node) => node.ready),
  });
  // The probe returns what is still missing, so a timeout says exactly which pods held it up.
  await eventually(
    async () => {
      const pods = (await kube.allPods()).filter((pod) => SYSTEM_NAMESPACES.includes(pod.namespace));
      const empty = SYSTEM_NAMESPACES.filter((namespace) => !pods.some((pod) => pod.namespace === namespace)).map((namespace) => `${namespace}: no pods yet`);
      return [...empty, ...pods.filter((pod) => !podSettled(pod)).map((pod) => `${pod.namespace}/${pod.name} ${pod.phase}${pod.ready ? "" : " (not ready)"} on ${pod.node ?? "no node"}`)];
    },
    { timeout: timeoutMs, interval: 2_000, description: `every pod in ${SYSTEM_NAMESPACES.join(", ")} to be ready`, until: (waiting) => waiting.length === 0 },
  );
  // The host end: kind's port mapping to Traefik, which answers 404 for a host it does not route.
  await eventually(() => http(`http://nothing.localtest.me:${settings.httpPort}/`, { timeout: 5_000 }), {
    timeout: timeoutMs,
    interval: 2_000,
    description: `Traefik to answer on 127.0.0.1:${settings.httpPort}`,
    until: (response) => response.status === 404,
  });
}

/**
 * Deletes the cluster and its `shared` volumes. The volumes' files belong to the containers' users (root, 999,
 * 1000), so they are removed from inside a node first, where root may delete them, then the directory itself.
 */
export async function deleteCluster(settings: ClusterSettings): Promise<boolean> {
  if (!(await clusterExists(settings.name))) {
    rmSync(settings.stateDir, { recursive: true, force: true });
    return false;
  }
  const provider = nodeProvider();
  const controlPlane = `${settings.name}-control-plane`;
  if (await provider.isRunning(controlPlane)) {
    await provider.exec(controlPlane, ["sh", "-c", "rm -rf /shared/* /shared/.[!.]* 2>/dev/null; true"]).catch(() => undefined);
  }
  await $({ quiet: true })`kind delete cluster --name ${settings.name}`;
  try {
    rmSync(settings.stateDir, { recursive: true, force: true });
  } catch (error) {
    echo(chalk.yellow(`could not remove ${settings.stateDir}: ${error instanceof Error ? error.message : String(error)} (remove it with sudo)`));
  }
  return true;
}
