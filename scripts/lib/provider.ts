/**
 * Every fault done to a kind node goes through this module: stop, start, kill and cutting its network. kind's
 * nodes are containers, so Docker is the provider; a podman provider would implement the same interface.
 *
 * A kind node keeps the address it had when the cluster was created: kubelet runs with --node-ip, and the other
 * nodes route its pods' subnet to that address. Docker, though, hands out addresses again when containers start,
 * so two nodes stopped together and started again can come back with each other's addresses. They then look
 * Ready, but traffic for one node's pods reaches the other. `startNodes` avoids that where it can (starting them
 * in the order of their old addresses) and `nodeAddressProblems`/`repairNodeAddress` detect and mend it: a limit
 * of kind, not a failure of the product.
 */
import { $ } from "zx";

export interface NodeProvider {
  readonly name: string;
  /** The node container's address on the cluster network, or undefined when it has none (stopped, disconnected). */
  address(node: string): Promise<string | undefined>;
  isRunning(node: string): Promise<boolean>;
  /** Clean shutdown (systemd stops kubelet and the containers). */
  stop(node: string): Promise<void>;
  /** Power cut: SIGKILL to the node's init, nothing shuts down in order. */
  kill(node: string): Promise<void>;
  start(node: string): Promise<void>;
  /** Cuts the node off the cluster network (a partition); the node itself keeps running. */
  disconnect(node: string): Promise<void>;
  connect(node: string): Promise<void>;
  isConnected(node: string): Promise<boolean>;
  /** Runs a command inside the node (as root). */
  exec(node: string, command: string[]): Promise<string>;
}

const quiet = $({ quiet: true });

export class DockerProvider implements NodeProvider {
  readonly name = "docker";

  /** kind's network; KIND_EXPERIMENTAL_DOCKER_NETWORK changes it in kind too. */
  readonly network: string;

  constructor(network = process.env.KIND_EXPERIMENTAL_DOCKER_NETWORK || "kind") {
    this.network = network;
  }

  async address(node: string): Promise<string | undefined> {
    const format = `{{with index .NetworkSettings.Networks "${this.network}"}}{{.IPAddress}}{{end}}`;
    const result = await quiet({ nothrow: true })`docker inspect --format ${format} ${node}`;
    const address = result.stdout.trim();
    return result.exitCode === 0 && address ? address : undefined;
  }

  async isRunning(node: string): Promise<boolean> {
    const result = await quiet({ nothrow: true })`docker inspect --format {{.State.Running}} ${node}`;
    return result.stdout.trim() === "true";
  }

  async stop(node: string): Promise<void> {
    await quiet`docker stop --time 30 ${node}`;
  }

  async kill(node: string): Promise<void> {
    await quiet`docker kill --signal KILL ${node}`;
  }

  async start(node: string): Promise<void> {
    await quiet`docker start ${node}`;
  }

  async disconnect(node: string): Promise<void> {
    await quiet`docker network disconnect --force ${this.network} ${node}`;
  }

  async connect(node: string): Promise<void> {
    await quiet`docker network connect ${this.network} ${node}`;
  }

  async isConnected(node: string): Promise<boolean> {
    return (await this.address(node)) !== undefined;
  }

  async exec(node: string, command: string[]): Promise<string> {
    return (await quiet`docker exec ${node} ${command}`).stdout;
  }
}

/** The provider for this machine; the only one so far. */
export function nodeProvider(): NodeProvider {
  return new DockerProvider();
}

/** Sorts addresses numerically (10.0.0.9 before 10.0.0.10). */
export function compareAddresses(a: string, b: string): number {
  const parts = (address: string) => address.split(".").map(Number);
  const [left, right] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/**
 * Starts stopped nodes one at a time, lowest former address first. Docker usually gives back free addresses
 * in order, so this tends to return each node its own address; `nodeAddressProblems` checks that it did.
 */
export async function startNodes(provider: NodeProvider, nodes: { name: string; address?: string }[]): Promise<void> {
  const ordered = [...nodes].sort((a, b) => compareAddresses(a.address ?? "255.255.255.255", b.address ?? "255.255.255.255"));
  for (const node of ordered) {
    if (!(await provider.isRunning(node.name))) await provider.start(node.name);
  }
}

export interface AddressProblem {
  node: string;
  /** What Kubernetes believes (the Node's InternalIP, from kubelet's --node-ip). */
  internalIp: string;
  /** What Docker gave the container. */
  containerIp: string | undefined;
}

/** Nodes whose container address differs from their Node's InternalIP. Stopped or disconnected nodes are skipped. */
export async function nodeAddressProblems(provider: NodeProvider, internalIps: Record<string, string>): Promise<AddressProblem[]> {
  const problems: AddressProblem[] = [];
  for (const [node, internalIp] of Object.entries(internalIps)) {
    if (!(await provider.isRunning(node))) continue;
    const containerIp = await provider.address(node);
    if (containerIp !== undefined && containerIp !== internalIp) problems.push({ node, internalIp, containerIp });
  }
  return problems;
}

/**
 * Points kubelet at the node's current address: kind passes it as --node-ip in kubeadm's flags file; kubelet
 * then updates the Node's InternalIP, and the CNI re-routes the node's pod subnet to it within seconds.
 */
export async function repairNodeAddress(provider: NodeProvider, node: string, address: string): Promise<void> {
  if (!/^[0-9.]+$/.test(address)) throw new Error(`not an IPv4 address: ${address}`);
  const flags = "/var/lib/kubelet/kubeadm-flags.env";
  await provider.exec(node, ["sed", "-i", "-E", `s/--node-ip=[0-9.]+/--node-ip=${address}/`, flags]);
  await provider.exec(node, ["systemctl", "restart", "kubelet"]);
}
