/**
 * Faults with an undo for each: a node stopped, killed, cut off, tainted out of service. `undoAll` runs the undos
 * newest first and then makes sure the cluster is whole again (every node running, connected, Ready, with the
 * address Kubernetes knows it by), so a failed scenario never leaves a broken cluster to the next.
 */
import { eventually } from "@folio/scripts/lib/eventually.ts";
import { internalIps } from "@folio/scripts/lib/cluster.ts";
import { nodeAddressProblems, nodeProvider, repairNodeAddress, startNodes, type NodeProvider } from "@folio/scripts/lib/provider.ts";
import { OUT_OF_SERVICE, type Cluster } from "./cluster.ts";
import type { Timeline } from "./timeline.ts";
import { timeout } from "./timeouts.ts";

interface Undo {
  description: string;
  run: () => Promise<void>;
}

export class Faults {
  private undos: Undo[] = [];
  /** Addresses the nodes had before any fault: started nodes should get them back. */
  private addresses: Record<string, string> = {};
  /** What the harness had to mend that was kind's doing, not Folio's (reported, never a test failure). */
  readonly harnessRepairs: string[] = [];

  private readonly cluster: Cluster;
  private readonly timeline: Timeline;
  readonly provider: NodeProvider;

  constructor(cluster: Cluster, timeline: Timeline, provider: NodeProvider = nodeProvider()) {
    this.cluster = cluster;
    this.timeline = timeline;
    this.provider = provider;
  }

  private async remember(): Promise<void> {
    if (Object.keys(this.addresses).length === 0) this.addresses = internalIps(await this.cluster.kube.nodes());
  }

  /** Power cut: the node's container gets SIGKILL. Undo: start it again. */
  async kill(node: string): Promise<number> {
    await this.remember();
    const t = this.timeline.mark("fault", `${node} killed`);
    await this.provider.kill(node);
    this.undos.push({ description: `start ${node}`, run: async () => void (await this.start(node)) });
    return t;
  }

  /** Orderly shutdown of the node (its kubelet stops). Undo: start it again. */
  async stop(node: string): Promise<number> {
    await this.remember();
    const t = this.timeline.mark("fault", `${node} stopped`);
    await this.provider.stop(node);
    this.undos.push({ description: `start ${node}`, run: async () => void (await this.start(node)) });
    return t;
  }

  /**
   * Starts a stopped or killed node, and mends its address at once when Docker gave it another one: until then the
   * API server reaches its kubelet (exec, logs) and the other nodes route its pods' traffic at the old address.
   */
  async start(node: string): Promise<number> {
    await startNodes(this.provider, [{ name: node, address: this.addresses[node] }]);
    this.undos = this.undos.filter((undo) => undo.description !== `start ${node}`);
    const t = this.timeline.mark("note", `${node} started`);
    await this.healAddresses();
    return t;
  }

  /** A network partition: the node runs on, unreachable. Undo: reconnect it. */
  async disconnect(node: string): Promise<number> {
    await this.remember();
    const t = this.timeline.mark("fault", `${node} cut off the network`);
    await this.provider.disconnect(node);
    this.undos.push({ description: `reconnect ${node}`, run: async () => void (await this.reconnect(node)) });
    return t;
  }

  /** Reconnects a cut-off node and, as `start` does, mends its address when Docker gave it another one. */
  async reconnect(node: string): Promise<number> {
    if (!(await this.provider.isConnected(node))) await this.provider.connect(node);
    this.undos = this.undos.filter((undo) => undo.description !== `reconnect ${node}`);
    const t = this.timeline.mark("note", `${node} reconnected`);
    await this.healAddresses();
    return t;
  }

  /**
   * Declares the node gone for good (Kubernetes' non-graceful node shutdown): pods on it are deleted at once and
   * their volumes detached, so a StatefulSet's pod can start elsewhere. Undo: remove the taint.
   */
  async markOutOfService(node: string): Promise<number> {
    await this.cluster.taint(node, OUT_OF_SERVICE, "nodeshutdown", "NoExecute");
    this.undos.push({ description: `untaint ${node}`, run: () => this.clearOutOfService(node) });
    return this.timeline.mark("note", `${node} tainted ${OUT_OF_SERVICE}`);
  }

  async clearOutOfService(node: string): Promise<void> {
    await this.cluster.untaint(node, OUT_OF_SERVICE, "NoExecute");
    this.undos = this.undos.filter((undo) => undo.description !== `untaint ${node}`);
    this.timeline.mark("note", `${node} back in service`);
  }

  /** Undoes every fault still in place, newest first, then restores a whole cluster. */
  async undoAll(): Promise<void> {
    const errors: string[] = [];
    while (this.undos.length > 0) {
      const undo = this.undos.pop()!;
      await undo.run().catch((error: unknown) => errors.push(`${undo.description}: ${error instanceof Error ? error.message : String(error)}`));
    }
    await this.healAddresses();
    await this.cluster.waitAllReady(timeout("RECOVERY"));
    if (errors.length > 0) throw new Error(`undoing the faults failed: ${errors.join("; ")}`);
  }

  /**
   * Docker may give restarted nodes each other's addresses; kubelet keeps the old one, and traffic for one node's
   * pods goes to another. Detected by comparing each container's address with its Node's InternalIP, and mended
   * by pointing kubelet at the new address. A limit of kind, recorded as a harness repair.
   */
  async healAddresses(): Promise<void> {
    await eventually(() => this.cluster.kube.reachable(), { timeout: timeout("NODE_READY"), interval: 2_000, description: "the API server", until: Boolean });
    const problems = await nodeAddressProblems(this.provider, internalIps(await this.cluster.kube.nodes()));
    for (const problem of problems) {
      await repairNodeAddress(this.provider, problem.node, problem.containerIp!);
      const note = `harness: ${problem.node} came back with ${problem.containerIp} while Kubernetes knew it as ${problem.internalIp}; kubelet pointed at the new address (a limit of kind)`;
      this.harnessRepairs.push(note);
      this.timeline.mark("note", note);
    }
    if (problems.length > 0) {
      await eventually(async () => nodeAddressProblems(this.provider, internalIps(await this.cluster.kube.nodes())), {
        timeout: timeout("NODE_READY"),
        interval: 2_000,
        description: "every node's InternalIP to match its container's address",
        until: (remaining) => remaining.length === 0,
      });
    }
  }
}
