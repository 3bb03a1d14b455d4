/**
 * Scenario 10, the CronJobs run on demand (kubectl create job --from=cronjob/…): the cleanup job finishes with
 * its summary, the backup job writes a dump to the backups volume, and that dump restored into a fresh database
 * holds exactly what the live one holds.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "@folio/scripts/lib/eventually.ts";
import { useScenario, type Scenario } from "../helpers/scenario.ts";
import { timeout } from "../helpers/timeouts.ts";

interface JobJson {
  status: { succeeded?: number; failed?: number; conditions?: { type: string; status: string }[] };
}

/** Rows and a checksum of the tables that hold the content; equal in both databases after a restore. */
const CONTENT_QUERY = `
SELECT 'articles', count(*), md5(coalesce(string_agg(id::text || slug || title || body || status || version, ',' ORDER BY id), '')) FROM articles
UNION ALL SELECT 'revisions', count(*), md5(coalesce(string_agg(article_id::text || version || body, ',' ORDER BY article_id, version), '')) FROM article_revisions
UNION ALL SELECT 'media', count(*), md5(coalesce(string_agg(id::text || status || original_key, ',' ORDER BY id), '')) FROM media
UNION ALL SELECT 'users', count(*), md5(coalesce(string_agg(id::text || email || role, ',' ORDER BY id), '')) FROM users
ORDER BY 1`;

describe("10. CronJobs on demand: cleanup, backup, and a restore that matches", () => {
  const scenario = useScenario("10", "CronJobs: cleanup, backup, restore");
  let s: Scenario;
  const jobs: string[] = [];
  beforeAll(() => {
    s = scenario();
  });
  afterAll(async () => {
    for (const job of jobs) await s.cluster.kube.run(["delete", "job", job, "-n", s.cluster.namespace, "--wait=false"], { nothrow: true });
  });

  async function runJob(name: string, create: () => Promise<unknown>): Promise<string> {
    jobs.push(name);
    await create();
    const job = await eventually(() => s.cluster.kube.json<JobJson>(["get", "job", name, "-n", s.cluster.namespace]), {
      timeout: timeout("JOB"),
      interval: 2_000,
      description: `Job ${name} to finish`,
      until: (value) => Boolean(value.status.succeeded) || Boolean(value.status.conditions?.some((condition) => condition.type === "Failed" && condition.status === "True")),
    });
    const logs = (await s.cluster.kube.run(["logs", `job/${name}`, "-n", s.cluster.namespace, "--all-containers"], { nothrow: true })).stdout;
    expect(job.status.succeeded, `Job ${name} failed:\n${logs}`).toBe(1);
    return logs;
  }

  it("when the cleanup CronJob is run now, then it completes with its JSON summary", async () => {
    const name = `e2e-cleanup-${Date.now().toString(36)}`;
    const logs = await s.step("kubectl create job --from=cronjob/…-cleanup", () =>
      runJob(name, () => s.cluster.kube.run(["create", "job", name, `--from=cronjob/${s.cluster.release}-cleanup`, "-n", s.cluster.namespace])),
    );
    expect(logs, "the run ends with its JSON summary").toMatch(/"durationMs":\d+/);
    expect(logs).toMatch(/"failed":\[\]/);
  });

  it("when the backup CronJob is run now and its dump restored into a fresh database, then the content is identical", async () => {
    const load = s.load({ uploaders: 1 }).start();
    await s.step("write for 15 s", () => sleep(15_000));
    await load.stop(30_000); // nothing writes while the dump is taken, so both databases must match exactly
    const backup = `e2e-backup-${Date.now().toString(36)}`;
    const logs = await s.step("kubectl create job --from=cronjob/…-backup", () =>
      runJob(backup, () => s.cluster.kube.run(["create", "job", backup, `--from=cronjob/${s.cluster.release}-backup`, "-n", s.cluster.namespace])),
    );
    const dump = /folio-[^\s"]+\.dump/.exec(logs!)?.[0];
    expect(dump, `the backup's log names its dump:\n${logs}`).toBeDefined();

    // A Job from the backup CronJob's template (its image, volume, credentials and network access), with the
    // command replaced: restore the dump into a new database, then print the content checksums of both.
    const cronJob = await s.cluster.kube.json<{ spec: { jobTemplate: { spec: { template: { spec: { containers: { command: string[]; env?: { name: string; value?: string }[] }[] } } } } } }>([
      "get",
      "cronjob",
      `${s.cluster.release}-backup`,
      "-n",
      s.cluster.namespace,
    ]);
    const template = cronJob.spec.jobTemplate;
    const container = template.spec.template.spec.containers[0]!;
    const database = container.env?.find((entry) => entry.name === "PGDATABASE")?.value ?? "folio";
    const scratch = `restore_e2e_${Date.now().toString(36)}`;
    container.command = [
      "bash",
      "-c",
      [
        "set -euo pipefail",
        // Like backup.sh: a new pod's first connections may be refused until its NetworkPolicy rules are in force.
        "for i in $(seq 30); do pg_isready -q -t 5 && break; sleep 2; done",
        `createdb ${scratch}`,
        `trap 'dropdb --if-exists ${scratch}' EXIT`,
        `PGDATABASE=${scratch} bash /scripts/restore.sh /backups/${dump}`,
        `echo "== restored"; psql -d ${scratch} -XAt -F ' ' -c "$QUERY"`,
        `echo "== live"; psql -d ${database} -XAt -F ' ' -c "$QUERY"`,
      ].join("\n"),
    ];
    container.env = [...(container.env ?? []), { name: "QUERY", value: CONTENT_QUERY }];
    const restore = `e2e-restore-${Date.now().toString(36)}`;
    const job = { apiVersion: "batch/v1", kind: "Job", metadata: { name: restore, namespace: s.cluster.namespace, labels: { "app.kubernetes.io/part-of": "folio-e2e" } }, spec: { ...template.spec, backoffLimit: 0 } };
    const restoreLogs = await s.step(`restore ${dump} into a fresh database ${scratch} and compare`, () => runJob(restore, () => s.cluster.kube.run(["apply", "-f", "-"], { input: JSON.stringify(job) })));
    const [, restored = "", live = ""] = restoreLogs!.split(/^== (?:restored|live)$/m);
    expect(restored.trim().split("\n")).toHaveLength(4);
    expect(restored.trim(), "the restored database holds exactly what the live one does").toBe(live.trim());
    s.timeline.fact("restoredRows", restored.trim().split("\n").map((line) => line.split(" ").slice(0, 2).join(" ")).join(", "));

    const verification = await s.step("read every acknowledged write back", () => s.verify(load));
    expect(verification!.problems).toEqual([]);
  });
});
