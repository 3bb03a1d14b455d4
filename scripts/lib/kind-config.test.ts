import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildKindConfig, readBaseConfig, renderKindConfig, workerCount } from "./kind-config.ts";

const settings = { name: "test", httpPort: 8080, httpsPort: 8443, sharedDir: "/tmp/folio-shared" };

describe("buildKindConfig", () => {
  it("when built from the repository's config, then it has one control-plane and three workers", () => {
    const config = buildKindConfig(readBaseConfig(), settings);
    expect(config.nodes.map((node) => node.role)).toEqual(["control-plane", "worker", "worker", "worker"]);
    expect(workerCount(config)).toBe(3);
    expect(config.name).toBe("test");
  });

  it("when ports are given, then the control-plane maps them to its 80 and 443 on 127.0.0.1 only", () => {
    const config = buildKindConfig(readBaseConfig(), settings);
    const mappings = config.nodes[0]!.extraPortMappings!;
    expect(mappings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ containerPort: 80, hostPort: 8080, listenAddress: "127.0.0.1" }),
        expect.objectContaining({ containerPort: 443, hostPort: 8443, listenAddress: "127.0.0.1" }),
      ]),
    );
    expect(config.nodes[0]!.labels).toEqual({ "ingress-ready": "true" });
  });

  it("when rendered, then every node mounts the same host directory at /shared, written out without YAML anchors", () => {
    const text = renderKindConfig(buildKindConfig(readBaseConfig(), settings));
    expect(text).not.toMatch(/[&*]\w/);
    const rendered = parse(text) as ReturnType<typeof buildKindConfig>;
    for (const node of rendered.nodes) expect(node.extraMounts).toEqual([{ hostPath: "/tmp/folio-shared", containerPath: "/shared" }]);
  });

  it("lowers the node-monitor grace period for both kubeadm config versions kind may write", () => {
    const config = buildKindConfig(readBaseConfig(), settings);
    const patches = (config.kubeadmConfigPatches as string[]).map((patch) => parse(patch) as Record<string, unknown>);
    expect(patches.map((patch) => patch.apiVersion)).toEqual(["kubeadm.k8s.io/v1beta3", "kubeadm.k8s.io/v1beta4"]);
    expect(JSON.stringify(patches[0])).toContain('"node-monitor-grace-period":"30s"');
    expect(JSON.stringify(patches[1])).toContain('{"name":"node-monitor-grace-period","value":"30s"}');
  });

  it("when the HTTP and HTTPS ports are equal, then it refuses", () => {
    expect(() => buildKindConfig(readBaseConfig(), { ...settings, httpsPort: 8080 })).toThrow(/must differ/);
  });

  it("when the base config lacks a port mapping or a /shared mount, then it says which", () => {
    const noMapping = readBaseConfig().replace("containerPort: 443", "containerPort: 4443");
    expect(() => buildKindConfig(noMapping, settings)).toThrow(/no host port to the control-plane's port 443/);
    const noMount = "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n  - role: control-plane\n    extraPortMappings: [{containerPort: 80, hostPort: 80}, {containerPort: 443, hostPort: 443}]\n";
    expect(() => buildKindConfig(noMount, settings)).toThrow(/must mount \/shared/);
    expect(() => buildKindConfig("kind: Pod\n", settings)).toThrow(/not a kind Cluster config/);
  });
});
