/**
 * Scenario 2, pods deleted: each stateful pod (PostgreSQL, Valkey, the S3 server) is deleted in turn while
 * writers, readers and uploaders run. A StatefulSet gives the replacement the same name and the same volume,
 * so every acknowledged write must still be there afterwards.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { eventually } from "@folio/scripts/lib/eventually.ts";
import { statefulPod } from "../helpers/cluster.ts";
import { useScenario, type Scenario } from "../helpers/scenario.ts";
import { timeout } from "../helpers/timeouts.ts";

const COMPONENTS = [
  { component: "postgres", claim: "data" },
  { component: "redis", claim: "data" },
  { component: "objectstore", claim: "data" },
] as const;

describe("2. pods deleted: PostgreSQL, Valkey and the S3 server come back with the same name and volume", () => {
  const scenario = useScenario("02", "Pods deleted");
  let s: Scenario;
  beforeAll(() => {
    s = scenario();
  });

  it("when each stateful pod is deleted under load, then it returns with its volume and no acknowledged write is lost or doubled", async () => {
    const load = s.load().start();
    await s.step("load running for 10 s", () => new Promise((resolve) => setTimeout(resolve, 10_000)));
    for (const { component } of COMPONENTS) {
      const name = statefulPod(s.cluster.release, component);
      const claim = (await s.cluster.kube.json<{ spec: { volumes: { persistentVolumeClaim?: { claimName: string } }[] } }>(["get", "pod", name, "-n", s.cluster.namespace])).spec.volumes.find((volume) => volume.persistentVolumeClaim)!.persistentVolumeClaim!.claimName;
      const before = await s.cluster.volumeOf(claim);
      const uidBefore = (await s.cluster.kube.json<{ metadata: { uid: string } }>(["get", "pod", name, "-n", s.cluster.namespace])).metadata.uid;
      const deleted = s.timeline.mark("fault", `${name} deleted`);
      await s.step(`delete ${name} (volume ${before.volume}, class ${before.storageClass})`, () => s.cluster.kube.run(["delete", "pod", name, "-n", s.cluster.namespace, "--wait=false"]));
      const back = await s.step(`wait for ${name} to be replaced and Ready`, () =>
        eventually(
          async () => (await s.cluster.kube.json<{ metadata: { uid: string }; status: { conditions?: { type: string; status: string }[] } }>(["get", "pod", name, "-n", s.cluster.namespace])),
          {
            timeout: timeout("POD_READY"),
            interval: 1_000,
            description: `a new ${name} to be Ready`,
            until: (pod) => pod.metadata.uid !== uidBefore && Boolean(pod.status.conditions?.some((condition) => condition.type === "Ready" && condition.status === "True")),
          },
        ),
      );
      expect(back).toBeDefined();
      const recovered = s.timeline.mark("recovered", `${name} Ready again`);
      s.timeline.fact(`${component}ReadyAfterSeconds`, (recovered - deleted) / 1000);
      const after = await s.cluster.volumeOf(claim);
      expect(after.uid, `${name} must keep its volume`).toBe(before.uid);
      await s.step("load running for 10 s more", () => new Promise((resolve) => setTimeout(resolve, 10_000)));
    }
    const verification = await s.step("stop the load and read every acknowledged write back", () => s.verify(load));
    expect(verification!.problems).toEqual([]);
    expect(verification!.articles).toBeGreaterThan(20);
    expect(verification!.media).toBeGreaterThan(0);
  });
});
