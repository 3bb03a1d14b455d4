import { describe, expect, it } from "vitest";
import type { ObjectRef } from "./kubectl.ts";
import { addonObjects, KIND_OBJECTS, nodeObjects, ObjectIndex } from "./objects.ts";
import { repoRoot } from "./repo.ts";

const ref = (kind: string, name: string, namespace?: string): ObjectRef => ({ kind, name, namespace, anyNamespace: false, written: `${kind} ${name}` });

describe("the lab cluster's objects", () => {
  it("when the kind config is read, then the nodes have kind's names: control-plane, worker, worker2, …", () => {
    expect(nodeObjects(repoRoot).map((node) => node.name)).toEqual(["folio-control-plane", "folio-worker", "folio-worker2", "folio-worker3"]);
  });

  it("when the add-ons are read, then their objects are there with their namespaces, and the kind Cluster config is not", () => {
    const objects = addonObjects(repoRoot);
    expect(objects).toContainEqual(expect.objectContaining({ kind: "StorageClass", name: "shared", namespace: undefined }));
    expect(objects.some((object) => object.kind === "Deployment" && object.namespace === "traefik")).toBe(true);
    expect(objects.some((object) => object.kind === "Cluster")).toBe(false);
  });

  it("when kind's own objects are listed, then each says why a lab may name it", () => {
    for (const object of KIND_OBJECTS) expect(object.reason.length).toBeGreaterThan(10);
  });
});

describe("ObjectIndex", () => {
  const index = new ObjectIndex([
    { kind: "StatefulSet", name: "folio-redis", namespace: "folio", source: "chart", spec: { replicas: 2, volumeClaimTemplates: [{ metadata: { name: "data" } }] } },
    { kind: "Service", name: "folio-redis", namespace: "folio", source: "chart" },
    { kind: "Job", name: "folio-migrate-1", namespace: "folio", source: "chart" },
    { kind: "Namespace", name: "folio", namespace: undefined, source: "install" },
  ]);

  it("when a StatefulSet exists, then its pods and claims exist up to its replicas, and its Service's Endpoints", () => {
    expect(index.problem(ref("Pod", "folio-redis-1"), [])).toBeUndefined();
    expect(index.problem(ref("PersistentVolumeClaim", "data-folio-redis-1", "folio"), [])).toBeUndefined();
    expect(index.problem(ref("Endpoints", "folio-redis"), [])).toBeUndefined();
    expect(index.problem(ref("Pod", "folio-redis-2"), [])).toMatch(/no Pod folio-redis-2 in the namespace folio/);
  });

  it("when a lab creates an object, then naming it later is fine, in its namespace only", () => {
    expect(index.problem(ref("Pod", "probe", "intruder"), [ref("Pod", "probe", "intruder")])).toBeUndefined();
    expect(index.problem(ref("Pod", "probe"), [ref("Pod", "probe", "intruder")])).toMatch(/no Pod probe/);
    expect(index.problem(ref("Namespace", "intruder"), [ref("Namespace", "intruder", "folio")])).toBeUndefined(); // cluster-scoped
  });

  it("when a Job's pod or a generated name is written, then the message says what to name instead", () => {
    expect(index.problem(ref("Pod", "folio-migrate-1-x7k2p"), [])).toMatch(/the pods of Job folio-migrate-1 have generated names; write job\/folio-migrate-1/);
    expect(index.problem(ref("ReplicaSet", "folio-api-7d9c5b"), [])).toMatch(/name is generated/);
  });

  it("when the kind is unknown to kubectl, then that is the problem", () => {
    expect(index.problem(ref("?widget", "x"), [])).toBe('?widget x: kubectl knows no kind "widget"');
  });
});
