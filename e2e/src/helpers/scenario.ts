/**
 * What every scenario starts with and ends with: the cluster, a logged-in client through the ingress, a
 * timeline, the faults with their undos, a narrator and load generators; at the end the load is stopped, every
 * fault undone (the cluster whole again) and the timeline saved to timings.json, whether the scenario passed
 * or not.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll } from "vitest";
import { collectDiagnostics } from "@folio/scripts/lib/diagnostics.ts";
import { HOSTS, publicUrl } from "@folio/scripts/lib/settings.ts";
import { FolioClient } from "./client.ts";
import { Cluster } from "./cluster.ts";
import { suiteEnv } from "./env.ts";
import { Faults } from "./faults.ts";
import { verifyLedger, type Verification } from "./ledger.ts";
import { DEFAULT_LOAD, Load, type LoadOptions } from "./load.ts";
import { narrator } from "./step.ts";
import { saveTimings, Timeline } from "./timeline.ts";
import { timeout } from "./timeouts.ts";

export const ADMIN_EMAIL = "admin@folio.localtest.me";

export interface Scenario {
  cluster: Cluster;
  /** Logged in as the admin; its requests are not on the timeline (checks, not load). */
  client: FolioClient;
  timeline: Timeline;
  faults: Faults;
  step: ReturnType<typeof narrator>;
  /** A load generator whose requests go on the timeline; `start()` it. */
  load(options?: Partial<LoadOptions>): Load;
  /** Stops `load`, reads every acknowledged write back and returns what is wrong (nothing, we hope). */
  verify(load: Load): Promise<Verification>;
  /** First request of `op` at or after `from` (epoch ms) that succeeded, or undefined. */
  firstSuccess(op: string, from: number): number | undefined;
  /** Saves events, descriptions and logs now, while the fault is still in place (for a failed test). */
  diagnose(label: string): Promise<string>;
  finish(): Promise<void>;
}

export async function startScenario(id: string, title: string): Promise<Scenario> {
  const env = suiteEnv();
  const cluster = new Cluster(env);
  const timeline = new Timeline(id, title);
  const apiUrl = publicUrl(HOSTS.api, env.settings.httpPort);
  const webUrl = publicUrl(HOSTS.web, env.settings.httpPort);
  const client = new FolioClient({ apiUrl, webUrl });
  await client.login(ADMIN_EMAIL, await cluster.adminPassword());
  const faults = new Faults(cluster, timeline);
  const loads: Load[] = [];
  const run = randomBytes(3).toString("hex");

  return {
    cluster,
    client,
    timeline,
    faults,
    step: narrator(timeline),
    load(options = {}) {
      const recorded = new FolioClient({ apiUrl, webUrl, token: client.bearer, record: (request) => timeline.record(request) });
      const load = new Load(recorded, `e2e-${run}-s${id}-${loads.length}`, { ...DEFAULT_LOAD, ...options });
      loads.push(load);
      return load;
    },
    async verify(load) {
      await load.stop();
      const result = await verifyLedger(client, load.ledger, { mediaTimeout: timeout("MEDIA_READY") });
      timeline.fact("acknowledgedWrites", (Number(timeline.facts.acknowledgedWrites) || 0) + load.ledger.acknowledgedWrites);
      timeline.fact("verifiedArticles", (Number(timeline.facts.verifiedArticles) || 0) + result.articles);
      timeline.fact("verifiedVersions", (Number(timeline.facts.verifiedVersions) || 0) + result.versions);
      timeline.fact("verifiedMedia", (Number(timeline.facts.verifiedMedia) || 0) + result.media);
      return result;
    },
    async diagnose(label) {
      const directory = join(env.artifacts, "diagnostics", `${id}-${label.replace(/[^A-Za-z0-9]+/g, "-").slice(0, 60)}`);
      await collectDiagnostics(env.settings, directory, { nodeLogs: false }).catch(() => undefined);
      process.stdout.write(`  [${id}] the cluster as the test failed: ${directory}\n`);
      return directory;
    },
    firstSuccess(op, from) {
      return timeline.requests.filter((request) => request.op === op && request.ok && request.t >= from).reduce<number | undefined>((first, request) => (first === undefined || request.t < first ? request.t : first), undefined);
    },
    async finish() {
      try {
        await Promise.all(loads.map((load) => load.stop(10_000)));
        await faults.undoAll();
      } finally {
        if (faults.harnessRepairs.length > 0) timeline.fact("harnessRepairs", faults.harnessRepairs.join(" | "));
        const path = saveTimings(env.artifacts, timeline.summarize());
        process.stdout.write(`  [${id}] timeline saved to ${path}\n`);
      }
    },
  };
}

/**
 * Registers a scenario's hooks in the calling `describe` and returns a getter for it: started before the first
 * test; after each test, the cluster's state saved if it failed (before anything is undone), then every fault
 * undone, so the next test starts on a whole cluster; at the end, the timeline saved.
 */
export function useScenario(id: string, title: string): () => Scenario {
  let scenario: Scenario | undefined;
  beforeAll(async () => {
    scenario = await startScenario(id, title);
  });
  afterEach(async (context) => {
    if (!scenario) return;
    if (context.task.result?.state === "fail") await scenario.diagnose(context.task.name);
    await scenario.faults.undoAll();
  });
  afterAll(async () => {
    await scenario?.finish();
  });
  return () => {
    if (!scenario) throw new Error(`scenario ${id} did not start (see the error of its beforeAll hook)`);
    return scenario;
  };
}

/** "ok/failed" of an operation in a window, for messages. */
export function outcome(timeline: Timeline, op: string, from: number, to = Date.now()): { ok: number; failed: number } {
  const requests = timeline.between(from, to, op);
  return { ok: requests.filter((request) => request.ok).length, failed: requests.filter((request) => !request.ok).length };
}

/**
 * Of the candidate nodes, the one that runs the fewest of the release's stateful pods (PostgreSQL, Valkey, the
 * S3 server), so that a scenario about one component breaks as little else as the placement allows.
 */
export async function chooseNode(s: Scenario, candidates: string[]): Promise<string> {
  const stateful = await Promise.all(["postgres", "redis", "objectstore"].map((component) => s.cluster.pod(`${s.cluster.release}-${component}-0`)));
  const load = (node: string) => stateful.filter((pod) => pod?.node === node).length;
  const [best] = [...new Set(candidates)].sort((a, b) => load(a) - load(b) || a.localeCompare(b));
  if (!best) throw new Error("no candidate node");
  s.timeline.fact("chosenNodeStatefulPods", load(best));
  return best;
}
