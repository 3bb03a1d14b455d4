/**
 * Scenario 11, NetworkPolicies: a pod in another namespace cannot open a connection to PostgreSQL or Valkey,
 * while the API can. The same TCP probe runs on both sides (Node in Folio's own API image, which every node has).
 * A blocked connection may be refused at once or time out, depending on the policy engine: both count as blocked.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "@folio/scripts/lib/eventually.ts";
import { useScenario, type Scenario } from "../helpers/scenario.ts";
import { timeout } from "../helpers/timeouts.ts";

/** Prints "open" or "blocked:<reason>" for host:port. */
const PROBE = `const [host, port] = process.argv.slice(1);
const socket = require("node:net").connect({ host, port: Number(port) });
const done = (text) => { process.stdout.write(text); socket.destroy(); process.exit(0); };
socket.setTimeout(3000, () => done("blocked:timeout"));
socket.on("connect", () => done("open"));
socket.on("error", (error) => done("blocked:" + error.code));`;

describe("11. NetworkPolicy: only Folio's own pods reach its databases", () => {
  const scenario = useScenario("11", "NetworkPolicy");
  let s: Scenario;
  const intruderNamespace = `e2e-intruder-${Date.now().toString(36)}`;
  beforeAll(() => {
    s = scenario();
  });
  afterAll(async () => {
    await s.cluster.kube.run(["delete", "namespace", intruderNamespace, "--wait=false"], { nothrow: true });
  });

  const services = () => ({
    postgres: [`${s.cluster.release}-postgres.${s.cluster.namespace}.svc.cluster.local`, "5432"],
    valkey: [`${s.cluster.release}-redis.${s.cluster.namespace}.svc.cluster.local`, "6379"],
  });

  it("when a pod in another namespace connects to PostgreSQL and Valkey, then it is blocked, while the API connects", async () => {
    const image = `folio/api:${s.cluster.env.imageTag}`;
    await s.step(`start a pod in namespace ${intruderNamespace}`, async () => {
      await s.cluster.kube.run(["create", "namespace", intruderNamespace]);
      await s.cluster.kube.run([
        "run",
        "intruder",
        "-n",
        intruderNamespace,
        `--image=${image}`,
        "--image-pull-policy=IfNotPresent",
        "--restart=Never",
        "--command",
        "--",
        "node",
        "-e",
        "setInterval(() => {}, 1 << 30)",
      ]);
      await s.cluster.kube.run(["wait", "--for=condition=Ready", "pod/intruder", "-n", intruderNamespace, "--timeout=180s"], { timeout: "200s" });
    });
    const probe = async (namespace: string, pod: string, [host, port]: string[]) =>
      (await s.cluster.kube.run(["exec", "-n", namespace, pod, "--", "node", "-e", PROBE, host!, port!], { timeout: "60s" })).stdout.trim();
    const api = (await s.cluster.componentPods("api")).find((pod) => pod.ready)!.name;

    for (const [name, target] of Object.entries(services())) {
      // Rules follow new pods within a second or two: retry briefly, then require it to stay blocked.
      const first = await eventually(() => probe(intruderNamespace, "intruder", target), {
        timeout: timeout("NETWORK_POLICY"),
        interval: 1_000,
        description: `the intruder to be blocked from ${name}`,
        until: (result) => result.startsWith("blocked:") && !result.includes("ENOTFOUND"),
      });
      s.timeline.fact(`intruderTo${name}`, first);
      for (let i = 0; i < 3; i++) expect(await probe(intruderNamespace, "intruder", target), `the intruder reached ${name}`).toMatch(/^blocked:/);
      expect(await probe(s.cluster.namespace, api, target), `the API must reach ${name}`).toBe("open");
    }
  });
});
