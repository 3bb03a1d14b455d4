/**
 * Scenario 4, a node lost for good. Kubernetes cannot tell a dead node from a slow one, so a StatefulSet's pod
 * on an unreachable node is never replaced on its own: two copies of postgres-0 writing one volume would be
 * worse than an outage. An operator who knows the node is gone says so with the out-of-service taint
 * (non-graceful node shutdown); Kubernetes then deletes its pods and detaches their volumes.
 *   - PostgreSQL on the `shared` class (network storage): postgres-0 starts on another node with its data.
 *   - Valkey on the `standard` class (a node's own disk): its pod stays Pending, because its volume exists only
 *     on the lost node, until that node returns. That is the lesson of local volumes.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { eventually } from "@folio/scripts/lib/eventually.ts";
import { statefulPod } from "../helpers/cluster.ts";
import { useScenario, type Scenario } from "../helpers/scenario.ts";
import { timeout } from "../helpers/timeouts.ts";

/** The target (issue): node loss to PostgreSQL serving again elsewhere, with the kind values' tolerations. */
const FAILOVER_BUDGET_SECONDS = 90;

interface EventList {
  items: { reason: string; message: string; involvedObject: { name: string } }[];
}

describe("4. node lost for good: shared storage follows its pod, local storage pins it", () => {
  const scenario = useScenario("04", "Node lost for good");
  let s: Scenario;
  beforeAll(() => {
    s = scenario();
  });

  it(`when the node of PostgreSQL (shared storage) is stopped and marked out of service, then postgres-0 serves from another node with the same data within ${FAILOVER_BUDGET_SECONDS} s`, async () => {
    const postgres = statefulPod(s.cluster.release, "postgres");
    const volume = await s.cluster.volumeOf(`data-${postgres}`);
    expect(volume.storageClass, "values-kind.yaml puts PostgreSQL on the shared class").toBe("shared");
    const node = await s.cluster.nodeOf(postgres);
    const load = s.load({ uploaders: 0 }).start();
    await s.step("load running for 10 s", () => sleep(10_000));

    const lostAt = await s.step(`stop ${node}, which runs ${postgres}`, () => s.faults.stop(node));
    await s.step(`wait for ${node} to be NotReady`, () => s.cluster.waitNode(node, false));
    const notReady = s.timeline.mark("noticed", `${node} NotReady`);
    s.timeline.fact("nodeNotReadyAfterSeconds", (notReady - lostAt!) / 1000);
    await s.step(`mark ${node} out of service`, () => s.faults.markOutOfService(node));
    const moved = await s.step(`wait for ${postgres} to be Ready on another node`, () => s.cluster.waitPodReady(postgres, { notOn: node }));
    s.timeline.mark("recovered", `${postgres} Ready on ${moved!.node}`);
    expect((await s.cluster.volumeOf(`data-${postgres}`)).uid, "the same volume, not a new empty one").toBe(volume.uid);
    // PostgreSQL was gone from the stop until it moved; a write started after NotReady succeeded only on the new node.
    const serving = await eventually(() => s.firstSuccess("write", notReady), {
      timeout: timeout("RECOVERY"),
      interval: 500,
      description: "a successful write after the failover",
      until: (t) => t !== undefined,
    });
    s.timeline.mark("recovered", "first successful write", serving);
    const failover = (serving! - lostAt!) / 1000;
    s.timeline.fact("failoverSeconds", failover);
    s.timeline.fact("postgresMovedTo", moved!.node!);

    await s.step("load running for 10 s on the new node", () => sleep(10_000));
    const verification = await s.step("stop the load and read every acknowledged write back", () => s.verify(load));
    expect(verification!.problems).toEqual([]);
    expect(failover, `node loss to PostgreSQL serving again took ${failover.toFixed(0)} s`).toBeLessThanOrEqual(FAILOVER_BUDGET_SECONDS);

    await s.step(`bring ${node} back: start it and clear the taint`, async () => {
      await s.faults.start(node);
      await s.cluster.waitNode(node, true);
      await s.faults.clearOutOfService(node);
      await s.cluster.waitAllReady();
    });
  });

  it("when the node of Valkey (standard, node-local storage) is lost, then its pod stays Pending until that node returns, and comes back there with its data", async () => {
    const redis = statefulPod(s.cluster.release, "redis");
    const volume = await s.cluster.volumeOf(`data-${redis}`);
    expect(volume.storageClass).toBe("standard");
    const node = await s.cluster.nodeOf(redis);
    const marker = `e2e-${Date.now()}`;
    await s.step(`write a marker key into Valkey`, () => redisCommand(s, redis, ["SET", "folio:e2e:marker", marker]));

    const lostAt = await s.step(`stop ${node}, which runs ${redis}`, () => s.faults.stop(node));
    await s.step(`wait for ${node} to be NotReady`, () => s.cluster.waitNode(node, false));
    await s.step(`mark ${node} out of service`, () => s.faults.markOutOfService(node));
    const pending = await s.step(`wait for a new ${redis} that cannot be scheduled`, () =>
      eventually(
        async () => {
          const pod = await s.cluster.pod(redis);
          const events = await s.cluster.kube.json<EventList>(["get", "events", "-n", s.cluster.namespace, "--field-selector", `involvedObject.name=${redis},reason=FailedScheduling`]);
          return { pod, message: events.items.at(-1)?.message ?? "" };
        },
        { timeout: timeout("POD_READY"), interval: 2_000, description: `${redis} to be Pending for its volume's node`, until: ({ pod, message }) => pod?.phase === "Pending" && !pod.node && /node affinity/i.test(message) },
      ),
    );
    s.timeline.mark("noticed", `${redis} Pending: ${pending!.message}`);
    s.timeline.fact("valkeyPendingReason", pending!.message);
    await s.step(`${redis} stays Pending for 15 s while ${node} is gone`, () => sleep(15_000));
    expect((await s.cluster.pod(redis))?.phase).toBe("Pending");

    await s.step(`start ${node} and clear the taint`, async () => {
      await s.faults.start(node);
      await s.cluster.waitNode(node, true);
      await s.faults.clearOutOfService(node);
    });
    const back = await s.step(`wait for ${redis} to be Ready`, () => s.cluster.waitPodReady(redis, { startedAfter: lostAt }));
    expect(back!.node, "a pod with a node-local volume can only run on that node").toBe(node);
    const recovered = s.timeline.mark("recovered", `${redis} Ready on ${node}`);
    s.timeline.fact("valkeyDownSeconds", (recovered - lostAt!) / 1000);
    expect((await redisCommand(s, redis, ["GET", "folio:e2e:marker"])).trim()).toBe(marker);
    await redisCommand(s, redis, ["DEL", "folio:e2e:marker"]);
  });
});

/**
 * Runs valkey-cli in the Valkey pod with the release's password. The password goes in on stdin, never on a
 * command line, where process listings and error messages would show it.
 */
async function redisCommand(s: Scenario, pod: string, args: string[]): Promise<string> {
  const secret = await s.cluster.kube.json<{ data: Record<string, string> }>(["get", "secret", `${s.cluster.release}-credentials`, "-n", s.cluster.namespace]);
  const password = Buffer.from(secret.data["redis-password"]!, "base64").toString("utf8");
  const script = 'IFS= read -r REDISCLI_AUTH; export REDISCLI_AUTH; exec valkey-cli --no-auth-warning "$@"';
  const result = await s.cluster.kube.run(["exec", "-i", "-n", s.cluster.namespace, pod, "--", "sh", "-c", script, "valkey-cli", ...args], { input: `${password}\n`, timeout: "60s" });
  return result.stdout;
}
