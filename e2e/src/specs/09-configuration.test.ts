/**
 * Scenario 9, configuration: a feature flag lives in a ConfigMap mounted as a file, which the kubelet updates in
 * running pods and the API re-reads, so a flag change takes effect with no restart. An environment variable
 * can only change with a new pod, and the chart hashes the API's ConfigMap into the pod template, so an env
 * change rolls the pods.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "@folio/scripts/lib/eventually.ts";
import { useScenario, type Scenario } from "../helpers/scenario.ts";
import { timeout } from "../helpers/timeouts.ts";

interface Flags {
  flags: Record<string, unknown>;
  loadedAt: string;
}

describe("9. configuration: a flag changes live, an env change rolls the pods", () => {
  const scenario = useScenario("09", "Configuration");
  let s: Scenario;
  let before = 0;
  beforeAll(() => {
    s = scenario();
  });
  afterAll(async () => {
    if (before && (await s.cluster.helmRevision()) !== before) await s.cluster.helmRollback(before).catch(() => undefined);
  });

  /** What each API pod sees, asked inside the pod (through the ingress a request reaches either replica). */
  async function flagsInEachPod(): Promise<Record<string, Flags>> {
    const pods = (await s.cluster.componentPods("api")).filter((pod) => pod.ready && !pod.deleting);
    const entries = await Promise.all(
      pods.map(async (pod) => {
        const output = await s.cluster.exec(pod.name, ["node", "-e", "fetch('http://127.0.0.1:8080/v1/config/flags').then((r) => r.text()).then((t) => process.stdout.write(t))"]);
        return [pod.name, JSON.parse(output) as Flags] as const;
      }),
    );
    return Object.fromEntries(entries);
  }

  it("when a feature flag is changed, then every API pod sees it without restarting", async () => {
    before = await s.cluster.helmRevision();
    const podsBefore = await s.cluster.componentPods("api");
    const initial = await flagsInEachPod();
    for (const seen of Object.values(initial)) expect(seen.flags.newEditor).toBe(false);

    const changedAt = s.timeline.mark("fault", "helm upgrade: flags.newEditor=true");
    await s.step("helm upgrade with flags.newEditor=true", () => s.cluster.helmUpgrade({}, { flags: { newEditor: true, maxTagsPerArticle: 10 } }));
    const seen = await s.step("wait until every API pod reads the new flag file", () =>
      eventually(flagsInEachPod, {
        timeout: timeout("CONFIG_PROPAGATION"),
        interval: 2_000,
        description: "newEditor=true in every API pod",
        until: (byPod) => Object.keys(byPod).length === podsBefore.length && Object.values(byPod).every((flags) => flags.flags.newEditor === true),
      }),
    );
    const live = s.timeline.mark("recovered", "every API pod sees newEditor=true");
    s.timeline.fact("flagPropagationSeconds", (live - changedAt) / 1000);
    expect(Object.keys(seen!).sort(), "the same pods: no restart, no rollout").toEqual(podsBefore.map((pod) => pod.name).sort());
    const podsAfter = await s.cluster.componentPods("api");
    for (const pod of podsAfter) expect(pod.restarts, `${pod.name} restarted`).toBe(podsBefore.find((old) => old.name === pod.name)?.restarts);
  });

  it("when an environment setting is changed, then the API pods are replaced by new ones that have it", async () => {
    const podsBefore = (await s.cluster.componentPods("api")).map((pod) => pod.name);
    const changedAt = s.timeline.mark("fault", "helm upgrade: logLevel=debug (an env var)");
    await s.step("helm upgrade with logLevel=debug", () => s.cluster.helmUpgrade({ logLevel: "debug" }, { flags: { newEditor: true, maxTagsPerArticle: 10 } }));
    const podsAfter = (await s.cluster.componentPods("api")).filter((pod) => !pod.deleting);
    s.timeline.mark("recovered", "API rolled");
    s.timeline.fact("envRolloutSeconds", (Date.now() - changedAt) / 1000);
    expect(podsAfter.map((pod) => pod.name).filter((name) => podsBefore.includes(name))).toEqual([]);
    const env = await s.cluster.exec(podsAfter[0]!.name, ["node", "-e", "process.stdout.write(process.env.LOG_LEVEL ?? '')"]);
    expect(env).toBe("debug");
  });
});
