import { describe, expect, it } from "vitest";
import { compareAddresses, nodeAddressProblems, startNodes, type NodeProvider } from "./provider.ts";

/** An in-memory stand-in for Docker that models only what these functions read: state and addresses. */
class FakeProvider implements NodeProvider {
  readonly name = "fake";
  readonly started: string[] = [];
  readonly nodes: Record<string, { running: boolean; address?: string }>;
  private readonly free: string[];
  constructor(nodes: Record<string, { running: boolean; address?: string }>, free: string[] = []) {
    this.nodes = nodes;
    this.free = free;
  }
  async address(node: string) {
    return this.nodes[node]?.running ? this.nodes[node]!.address : undefined;
  }
  async isRunning(node: string) {
    return this.nodes[node]?.running ?? false;
  }
  async start(node: string) {
    this.started.push(node);
    // Like Docker's allocator: the next free address, whatever the node had before.
    this.nodes[node] = { running: true, address: this.free.shift() };
  }
  async stop() {}
  async kill() {}
  async disconnect() {}
  async connect() {}
  async isConnected() {
    return true;
  }
  async exec() {
    return "";
  }
}

describe("node addresses", () => {
  it("sorts addresses numerically", () => {
    expect(["172.18.0.10", "172.18.0.9", "172.18.0.2"].sort(compareAddresses)).toEqual(["172.18.0.2", "172.18.0.9", "172.18.0.10"]);
  });

  it("when two stopped nodes are started, then the one that had the lower address starts first", async () => {
    const provider = new FakeProvider({ w2: { running: false }, w3: { running: false } }, ["172.18.0.3", "172.18.0.4"]);
    await startNodes(provider, [
      { name: "w3", address: "172.18.0.4" },
      { name: "w2", address: "172.18.0.3" },
    ]);
    expect(provider.started).toEqual(["w2", "w3"]);
    expect(await nodeAddressProblems(provider, { w2: "172.18.0.3", w3: "172.18.0.4" })).toEqual([]);
  });

  it("when Docker swapped two nodes' addresses, then both are reported with what each has and what Kubernetes believes", async () => {
    const provider = new FakeProvider({
      w2: { running: true, address: "172.18.0.4" },
      w3: { running: true, address: "172.18.0.3" },
      w4: { running: false },
    });
    expect(await nodeAddressProblems(provider, { w2: "172.18.0.3", w3: "172.18.0.4", w4: "172.18.0.5" })).toEqual([
      { node: "w2", internalIp: "172.18.0.3", containerIp: "172.18.0.4" },
      { node: "w3", internalIp: "172.18.0.4", containerIp: "172.18.0.3" },
    ]);
  });
});
