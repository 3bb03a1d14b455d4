import { describe, expect, it } from "vitest";
import { addonImageGroups, chartImageGroups, imagesInObjects, nodesOf, normalizeImage } from "./images.ts";

const pod = (image: string, init?: string) => ({ spec: { template: { spec: { containers: [{ name: "main", image }], ...(init ? { initContainers: [{ name: "init", image: init }] } : {}) } } } });

describe("images in the chart", () => {
  it("finds every container's and init container's image, once, by the short name Docker shows", () => {
    const objects = [
      { kind: "Deployment", ...pod("folio/api:abc", "docker.io/library/busybox:stable") },
      { kind: "StatefulSet", ...pod("docker.io/postgres:17.6-bookworm") },
      { kind: "Job", ...pod("folio/api:abc") },
      { kind: "ConfigMap", data: { "image": "not a container" } },
    ];
    expect(imagesInObjects(objects)).toEqual(["busybox:stable", "folio/api:abc", "postgres:17.6-bookworm"]);
  });

  it("puts a DaemonSet's images on every node and the others on the workers only", () => {
    const groups = chartImageGroups([
      { kind: "DaemonSet", ...pod("folio/agent:abc") },
      { kind: "Deployment", ...pod("folio/api:abc") },
      { kind: "StatefulSet", ...pod("valkey/valkey:8.1.4") },
    ]);
    expect(groups).toEqual([
      { nodes: "all", images: ["folio/agent:abc"] },
      { nodes: "workers", images: ["folio/api:abc", "valkey/valkey:8.1.4"] },
    ]);
  });

  it("loads Traefik and metrics-server on the control plane only, and their references can be overridden", () => {
    expect(addonImageGroups({})).toEqual([{ nodes: "control-plane", images: ["traefik:v3.6.12", "registry.k8s.io/metrics-server/metrics-server:v0.8.0"] }]);
    const mirrored = addonImageGroups({ FOLIO_TRAEFIK_IMAGE: "mirror.example.com/traefik:v3.6.12", FOLIO_METRICS_SERVER_IMAGE: "mirror.example.com/metrics-server:v0.8.0" });
    expect(mirrored[0]!.images).toEqual(["mirror.example.com/traefik:v3.6.12", "mirror.example.com/metrics-server:v0.8.0"]);
  });

  it("tells a cluster's control-plane node from its workers", () => {
    const nodes = ["folio-control-plane", "folio-worker", "folio-worker2"];
    expect(nodesOf(nodes, "folio", "control-plane")).toEqual(["folio-control-plane"]);
    expect(nodesOf(nodes, "folio", "workers")).toEqual(["folio-worker", "folio-worker2"]);
    expect(nodesOf(nodes, "folio", "all")).toEqual(nodes);
  });

  it("shortens Docker Hub references the way docker does", () => {
    expect(normalizeImage("docker.io/library/postgres:17")).toBe("postgres:17");
    expect(normalizeImage("docker.io/valkey/valkey:8")).toBe("valkey/valkey:8");
    expect(normalizeImage("registry.k8s.io/pause:3.10")).toBe("registry.k8s.io/pause:3.10");
  });
});
