/**
 * Volumes and `helm --wait`. Helm (3's wait and 4's kstatus watcher alike) waits for every PersistentVolumeClaim
 * of a release to be Bound. With a WaitForFirstConsumer storage class (kind's `standard`, and the defaults of EKS
 * and GKE) a claim binds only once a pod that uses it is scheduled, so a claim that only a CronJob mounts stays
 * Pending until the first scheduled run, and `helm upgrade --install --wait` never finishes (ADR 0017). Also: which
 * storage class each volume gets on kind, where the node-failure labs depend on it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ciValuesFiles, render, type K8sObject } from "../src/helm.js";
import { find, ofKind, podTemplates } from "../src/objects.js";
import { chartsDir, folioChart } from "../src/paths.js";

const kindValues = `${folioChart}/values-kind.yaml`;
const valuesFiles = [undefined, ...ciValuesFiles, kindValues];
const rendered = new Map<string | undefined, K8sObject[]>();
beforeAll(async () => {
  for (const file of valuesFiles) rendered.set(file, await render({ valuesFiles: file ? [file] : [] }));
});
const label = (file: string | undefined) => (file ? file.slice(chartsDir.length + 1) : "the defaults");

/** Kinds whose pods Helm creates with the release, and so schedules while `--wait` is waiting. */
const WITH_THE_RELEASE = ["Deployment", "StatefulSet", "DaemonSet", "Job", "Pod"];

describe("PersistentVolumeClaims and helm --wait", () => {
  for (const file of valuesFiles) {
    it(`when the chart is rendered with ${label(file)}, then every PersistentVolumeClaim is mounted by a pod created with the release, not only by a CronJob`, () => {
      const objects = rendered.get(file)!;
      const consumers = podTemplates(objects).filter(
        // A hook (the `helm test` pod) is not created by the install, and a CronJob's pods come on its schedule.
        (pod) => WITH_THE_RELEASE.includes(pod.owner.kind) && !pod.owner.metadata.annotations?.["helm.sh/hook"],
      );
      const unused = ofKind(objects, "PersistentVolumeClaim")
        .filter((claim) => {
          const namespace = claim.metadata.namespace ?? "folio";
          return !consumers.some(
            (pod) =>
              pod.namespace === namespace &&
              (pod.spec.volumes ?? []).some((v) => (v.persistentVolumeClaim as { claimName?: string } | undefined)?.claimName === claim.metadata.name),
          );
        })
        .map((claim) => {
          const cronJobs = podTemplates(objects)
            .filter((pod) => pod.owner.kind === "CronJob" && (pod.spec.volumes ?? []).some((v) => (v.persistentVolumeClaim as { claimName?: string } | undefined)?.claimName === claim.metadata.name))
            .map((pod) => pod.owner.metadata.name);
          return `${claim.metadata.name} (${claim.source}) is mounted by ${cronJobs.length ? `the CronJob ${cronJobs.join(", ")} only` : "nothing"}: a WaitForFirstConsumer class would leave it Pending and helm --wait would never finish`;
        });
      // StatefulSets' volumeClaimTemplates are not PersistentVolumeClaim objects here: their own pods use them.
      expect(unused).toEqual([]);
    });
  }

  it("when backups are on, then the claim's first consumer is the backup-check Job, which mounts it exactly as the backup CronJob does", () => {
    const objects = rendered.get(undefined)!;
    expect(ofKind(objects, "PersistentVolumeClaim").map((c) => c.metadata.name)).toEqual(["folio-backups"]);
    const check = podTemplates(objects).find((pod) => pod.owner.kind === "Job" && pod.owner.metadata.name === "folio-backup-check-1");
    const backup = podTemplates(objects).find((pod) => pod.owner.kind === "CronJob" && pod.owner.metadata.name === "folio-backup")!;
    expect(check, "Job folio-backup-check-1").toBeDefined();
    const volume = (pod: typeof backup) => pod.spec.volumes?.find((v) => v.name === "backups");
    expect(volume(check!)).toEqual(volume(backup));
  });

  it("when backups are off, then there is neither a backups claim nor a backup-check Job", () => {
    const objects = rendered.get(`${folioChart}/ci/minimal-values.yaml`)!;
    expect(ofKind(objects, "PersistentVolumeClaim")).toEqual([]);
    expect(ofKind(objects, "Job").map((j) => j.metadata.name)).toEqual(["folio-migrate-1"]);
  });
});

describe("storage classes on kind (values-kind.yaml)", () => {
  it("when values-kind.yaml is rendered, then PostgreSQL and the backups use `shared` storage and Valkey and the object store node-local `standard`", () => {
    const objects = rendered.get(kindValues)!;
    const classOf = (name: string) =>
      (find(objects, "StatefulSet", name).spec as { volumeClaimTemplates: { spec: { storageClassName?: string } }[] }).volumeClaimTemplates[0]!.spec
        .storageClassName;
    expect({
      postgres: classOf("folio-postgres"),
      redis: classOf("folio-redis"),
      objectstore: classOf("folio-objectstore"),
      backups: (find(objects, "PersistentVolumeClaim", "folio-backups").spec as { storageClassName?: string }).storageClassName,
    }).toEqual({ postgres: "shared", redis: "standard", objectstore: "standard", backups: "shared" });
  });
});
