/**
 * How the rendered objects fit together: what references what, what selects what, and the rules every pod
 * follows. Rendered with the default values and with every optional part on (ci/everything-values.yaml).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { render, type K8sObject } from "../src/helm.js";
import { allContainers, component, find, matches, ofKind, podTemplates, type Container, type PodTemplate } from "../src/objects.js";
import { folioChart } from "../src/paths.js";

const variants = {
  defaults: {},
  everything: { valuesFiles: [`${folioChart}/ci/everything-values.yaml`] },
  production: { valuesFiles: [`${folioChart}/ci/production-values.yaml`] },
  external: { valuesFiles: [`${folioChart}/ci/external-values.yaml`] },
};
const rendered: Record<string, K8sObject[]> = {};
beforeAll(async () => {
  for (const [name, options] of Object.entries(variants)) rendered[name] = await render(options);
});

describe("the objects of a release", () => {
  it("when the chart is rendered, then every object type of the architecture is there for its reason", () => {
    const kinds = (objects: K8sObject[]) => new Set(objects.map((object) => object.kind));
    const defaults = rendered.defaults!;
    for (const kind of [
      "ConfigMap",
      "Secret",
      "Deployment",
      "Service",
      "StatefulSet",
      "PersistentVolumeClaim",
      "Ingress",
      "DaemonSet",
      "Job",
      "CronJob",
      "ServiceAccount",
      "NetworkPolicy",
      "HorizontalPodAutoscaler",
      "PodDisruptionBudget",
      "Pod",
      "Namespace",
    ]) {
      expect(kinds(defaults), kind).toContain(kind);
    }
    expect(kinds(rendered.everything!)).toContain("ScaledObject");
    expect(ofKind(defaults, "Deployment").map((d) => d.metadata.name).sort()).toEqual(["folio-api", "folio-web", "folio-worker"]);
    expect(ofKind(defaults, "StatefulSet").map((s) => s.metadata.name).sort()).toEqual(["folio-objectstore", "folio-postgres", "folio-redis"]);
    expect(ofKind(defaults, "CronJob").map((c) => c.metadata.name).sort()).toEqual(["folio-backup", "folio-cleanup"]);
    // ClusterIP for the apps, headless for the StatefulSets.
    for (const service of ofKind(defaults, "Service")) {
      const spec = service.spec as { clusterIP?: string; type?: string };
      if (["folio-api", "folio-web"].includes(service.metadata.name)) expect(spec.type).toBe("ClusterIP");
      else expect(spec.clusterIP, service.metadata.name).toBe("None");
    }
    for (const statefulSet of ofKind(defaults, "StatefulSet")) {
      const spec = statefulSet.spec as { serviceName: string; volumeClaimTemplates: unknown[] };
      expect(spec.volumeClaimTemplates).toHaveLength(1);
      expect(ofKind(defaults, "Service").map((s) => s.metadata.name)).toContain(spec.serviceName);
    }
  });

  it("when the chart is rendered, then each ConfigMap and Secret key a pod references exists", () => {
    for (const [variant, objects] of Object.entries(rendered)) {
      // Secrets named in values (existingSecret) are managed outside the chart.
      const external = variant === "production" ? ["folio-credentials-external", "folio-agent-redis"] : [];
      const keysOf = (kind: string, name: string, namespace: string) => {
        const object = objects.find((o) => o.kind === kind && o.metadata.name === name && (o.metadata.namespace ?? "folio") === namespace);
        return object ? Object.keys((object.data ?? {}) as object) : undefined;
      };
      for (const pod of podTemplates(objects)) {
        const where = `${variant}: ${pod.owner.kind} ${pod.owner.metadata.name}`;
        for (const container of allContainers(pod.spec)) {
          for (const from of container.envFrom ?? []) {
            if (from.configMapRef) expect(keysOf("ConfigMap", from.configMapRef.name, pod.namespace), where).toBeDefined();
          }
          for (const { name, valueFrom } of container.env ?? []) {
            const ref = valueFrom?.secretKeyRef ?? valueFrom?.configMapKeyRef;
            if (!ref || external.includes(ref.name!)) continue;
            const kind = valueFrom?.secretKeyRef ? "Secret" : "ConfigMap";
            expect(keysOf(kind, ref.name!, pod.namespace), `${where} ${name}: ${kind} ${ref.name}`).toContain(ref.key);
          }
        }
        for (const volume of pod.spec.volumes ?? []) {
          const configMap = volume.configMap as { name: string } | undefined;
          if (configMap) expect(keysOf("ConfigMap", configMap.name, pod.namespace), `${where} volume ${volume.name}`).toBeDefined();
          const claim = volume.persistentVolumeClaim as { claimName: string } | undefined;
          if (claim) expect(objects.some((o) => o.kind === "PersistentVolumeClaim" && o.metadata.name === claim.claimName), where).toBe(true);
        }
      }
    }
  });

  it("when a Service is rendered, then it selects the pods of exactly one workload and targets a port they declare", () => {
    for (const objects of Object.values(rendered)) {
      const pods = podTemplates(objects).filter((pod) => pod.owner.kind !== "Pod" && pod.owner.kind !== "Job");
      for (const service of ofKind(objects, "Service")) {
        const spec = service.spec as { selector: Record<string, string>; ports: { port: number; targetPort: string | number }[] };
        const selected = pods.filter((pod) => pod.namespace === (service.metadata.namespace ?? "folio") && matches(spec.selector, pod.labels));
        expect(selected.map((pod) => pod.owner.metadata.name), service.metadata.name).toHaveLength(1);
        for (const port of spec.ports) {
          expect(declaresPort(selected[0]!.spec.containers, port.targetPort), `${service.metadata.name} → ${port.targetPort}`).toBe(true);
        }
      }
    }
  });

  it("when the Ingress is rendered, then its two hosts route to Service ports that exist, the API's on /v1 only", () => {
    const objects = rendered.defaults!;
    const ingress = find(objects, "Ingress", "folio");
    const spec = ingress.spec as {
      ingressClassName: string;
      rules: { host: string; http: { paths: { path: string; backend: { service: { name: string; port: { name: string } } } }[] } }[];
    };
    expect(spec.ingressClassName).toBe("traefik");
    expect(spec.rules.map((rule) => [rule.host, rule.http.paths.map((p) => p.path)])).toEqual([
      ["folio.localtest.me", ["/"]],
      ["api.folio.localtest.me", ["/v1"]],
    ]);
    for (const { backend } of spec.rules.flatMap((rule) => rule.http.paths)) {
      const service = find(objects, "Service", backend.service.name);
      expect((service.spec as { ports: { name: string }[] }).ports.map((p) => p.name)).toContain(backend.service.port.name);
    }
    const tls = find(rendered.everything!, "Ingress", "folio").spec as { tls: { hosts: string[] }[] };
    expect(tls.tls[0]!.hosts).toEqual(["folio.localtest.me", "api.folio.localtest.me"]);
  });

  it("when the ingress is reached on a port other than the scheme's default, then the site's API URL, the API's CORS origin and the smoke test's expected URL carry it", async () => {
    const urls = async (set: Record<string, number | boolean>) => {
      const objects = await render({ set });
      const data = (name: string) => find(objects, "ConfigMap", name).data as Record<string, string>;
      const test = podTemplates(objects).find((pod) => pod.owner.kind === "Pod")!.spec.containers[0]!;
      return { apiUrl: data("folio-web").API_URL, corsOrigins: data("folio-api").CORS_ORIGINS, smokeExpects: test.env?.find((e) => e.name === "EXPECTED_API_URL")?.value };
    };
    const at = (scheme: string, port = "") => ({ apiUrl: `${scheme}://api.folio.localtest.me${port}`, corsOrigins: `${scheme}://folio.localtest.me${port}`, smokeExpects: `${scheme}://api.folio.localtest.me${port}` });
    expect(await urls({})).toEqual(at("http"));
    expect(await urls({ "ingress.publicPort": 8080 })).toEqual(at("http", ":8080"));
    expect(await urls({ "ingress.publicPort": 80 })).toEqual(at("http"));
    expect(await urls({ "ingress.publicPort": 0 })).toEqual(at("http"));
    expect(await urls({ "ingress.publicPort": 443, "ingress.tls.enabled": true })).toEqual(at("https"));
    expect(await urls({ "ingress.publicPort": 8443, "ingress.tls.enabled": true })).toEqual(at("https", ":8443"));
    expect(await urls({ "ingress.publicPort": 80, "ingress.tls.enabled": true })).toEqual(at("https", ":80"));
  });

  it("when a container has probes, then each one points at a port the container declares", () => {
    for (const pod of podTemplates(rendered.defaults!)) {
      for (const container of allContainers(pod.spec)) {
        for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
          const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
          if (port !== undefined) expect(declaresPort([container], port), `${pod.owner.metadata.name}/${container.name} probe → ${port}`).toBe(true);
        }
      }
      if (["Deployment", "StatefulSet", "DaemonSet"].includes(pod.owner.kind)) {
        for (const container of pod.spec.containers) {
          expect(container.livenessProbe && container.readinessProbe, `${pod.owner.metadata.name}/${container.name}`).toBeTruthy();
        }
      }
    }
    const api = podTemplates(rendered.defaults!).find((pod) => pod.owner.metadata.name === "folio-api")!.spec.containers[0]!;
    expect([api.livenessProbe?.httpGet?.path, api.readinessProbe?.httpGet?.path]).toEqual(["/healthz", "/readyz"]);
  });

  it("when a pod is rendered, then every container has CPU and memory requests and a memory limit", () => {
    for (const objects of Object.values(rendered)) {
      for (const pod of podTemplates(objects)) {
        for (const container of allContainers(pod.spec)) {
          const where = `${pod.owner.metadata.name}/${container.name}`;
          expect(container.resources?.requests, where).toMatchObject({ cpu: expect.anything(), memory: expect.anything() });
          expect(container.resources?.limits, where).toMatchObject({ memory: expect.anything() });
        }
      }
    }
  });

  it("when a pod other than the agent is rendered, then it meets PodSecurity restricted and has a read-only root filesystem", () => {
    for (const objects of Object.values(rendered)) {
      for (const pod of podTemplates(objects).filter((p) => component(p) !== "agent")) {
        expect(restrictedViolations(pod), `${pod.owner.kind} ${pod.owner.metadata.name}`).toEqual([]);
      }
    }
  });

  it("when the agent is rendered, then its only exceptions are root and its hostPath volumes, in a namespace of its own", () => {
    const objects = rendered.defaults!;
    const agent = podTemplates(objects).find((pod) => component(pod) === "agent")!;
    expect(agent.owner.kind).toBe("DaemonSet");
    expect(agent.namespace).toBe("folio-agent");
    expect(restrictedViolations(agent).sort()).toEqual([
      "runs as root",
      "volume pod-logs is a hostPath",
      "volume state is a hostPath",
    ]);
    const namespace = find(objects, "Namespace", "folio-agent");
    expect(namespace.metadata.labels).toMatchObject({ "pod-security.kubernetes.io/enforce": "privileged" });
    const container = agent.spec.containers[0]!;
    expect(container.volumeMounts?.find((m) => m.mountPath === "/var/log/pods")?.readOnly).toBe(true);
    expect(agent.spec.volumes?.find((v) => v.name === "pod-logs")).toMatchObject({ hostPath: { path: "/var/log/pods" } });
    expect(container.env?.find((e) => e.name === "NODE_NAME")?.valueFrom?.fieldRef?.fieldPath).toBe("spec.nodeName");
    const tolerations = agent.spec.tolerations ?? [];
    const toleratesControlPlane = tolerations.some(
      (t) => (t.operator === "Exists" && !t.key) || t.key === "node-role.kubernetes.io/control-plane",
    );
    expect(toleratesControlPlane).toBe(true);
  });

  it("when a Deployment is rendered, then it has two or more replicas, spreads them over nodes, keeps capacity while updating and has a matching PDB", () => {
    const objects = rendered.defaults!;
    const hpa = find(objects, "HorizontalPodAutoscaler", "folio-api").spec as { minReplicas: number; scaleTargetRef: { name: string } };
    expect(hpa.scaleTargetRef.name).toBe("folio-api");
    for (const deployment of ofKind(objects, "Deployment")) {
      const spec = deployment.spec as {
        replicas?: number;
        strategy: { rollingUpdate: { maxUnavailable: number; maxSurge: number } };
        template: {
          metadata: { labels: Record<string, string> };
          spec: { topologySpreadConstraints: { topologyKey: string; labelSelector: { matchLabels: Record<string, string> } }[] };
        };
        selector: { matchLabels: Record<string, string> };
      };
      const name = deployment.metadata.name;
      expect(spec.replicas ?? (name === "folio-api" ? hpa.minReplicas : 0), name).toBeGreaterThanOrEqual(2);
      expect(spec.strategy.rollingUpdate, name).toEqual({ maxSurge: 1, maxUnavailable: 0 });
      const [spread] = spec.template.spec.topologySpreadConstraints;
      expect(spread?.topologyKey).toBe("kubernetes.io/hostname");
      expect(spread?.labelSelector.matchLabels).toEqual(spec.selector.matchLabels);
      const budgets = ofKind(objects, "PodDisruptionBudget").filter((pdb) =>
        matches((pdb.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels, spec.template.metadata.labels),
      );
      expect(budgets.map((b) => b.metadata.name), name).toEqual([name]);
    }
    // Every budget selects pods of exactly one Deployment.
    for (const pdb of ofKind(objects, "PodDisruptionBudget")) {
      const selector = (pdb.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
      expect(podTemplates(objects).filter((pod) => matches(selector, pod.labels)).map((p) => p.owner.kind)).toEqual(["Deployment"]);
    }
  });

  it("when the apps are told where PostgreSQL, Valkey and the S3 server are, then each is a fully qualified name in the cluster's own DNS zone", async () => {
    // A shorter name that does not resolve in the zone (its only pod Pending) is asked outside the cluster too,
    // which took 4 s per lookup on kind and starved Node's libuv threads: values.yaml, clusterDomain.
    const addresses = (objects: K8sObject[]) =>
      ofKind(objects, "ConfigMap").flatMap((map) =>
        Object.entries((map.data ?? {}) as Record<string, string>)
          .filter(([key]) => ["DATABASE_HOST", "REDIS_HOST", "S3_ENDPOINT"].includes(key))
          .map(([key, value]) => `${map.metadata.name} ${key}=${value}`),
      );
    const defaults = addresses(rendered.defaults!);
    expect(defaults.length).toBeGreaterThanOrEqual(9);
    for (const line of defaults) expect(line).toMatch(/=(http:\/\/)?folio-(postgres|redis|objectstore)\.folio\.svc\.cluster\.local(:\d+)?$/);
    const custom = addresses(await render({ set: { clusterDomain: "corp.internal" } }));
    for (const line of custom) expect(line).toMatch(/\.folio\.svc\.corp\.internal(:\d+)?$/);
    // `helm upgrade --reuse-values` of a release from before the value has no clusterDomain at all.
    const dir = mkdtempSync(join(tmpdir(), "folio-chart-"));
    writeFileSync(join(dir, "older.yaml"), "clusterDomain: null\n");
    const older = addresses(await render({ valuesFiles: [join(dir, "older.yaml")] }));
    rmSync(dir, { recursive: true });
    expect(older).toEqual(defaults);
  });

  it("when autoscaling takes over (HPA for the API, KEDA for the worker), then the Deployment leaves replicas to it", () => {
    const objects = rendered.everything!;
    expect((find(objects, "Deployment", "folio-api").spec as { replicas?: number }).replicas).toBeUndefined();
    expect((find(objects, "Deployment", "folio-worker").spec as { replicas?: number }).replicas).toBeUndefined();
    const scaled = find(objects, "ScaledObject", "folio-worker").spec as { triggers: { metadata: Record<string, string> }[] };
    expect(scaled.triggers[0]!.metadata).toMatchObject({ listName: "folio:media:wait", address: "folio-redis.folio.svc.cluster.local:6379" });
    expect((find(rendered.defaults!, "Deployment", "folio-worker").spec as { replicas?: number }).replicas).toBe(2);
  });

  it("when a workload is rendered, then it has a ServiceAccount of its own that mounts no API token", () => {
    for (const objects of Object.values(rendered)) {
      const accounts = ofKind(objects, "ServiceAccount");
      for (const account of accounts) expect(account.automountServiceAccountToken, account.metadata.name).toBe(false);
      for (const pod of podTemplates(objects).filter((p) => p.owner.kind !== "Pod")) {
        expect(pod.spec.automountServiceAccountToken, pod.owner.metadata.name).toBe(false);
        expect(accounts.map((a) => `${a.metadata.namespace ?? "folio"}/${a.metadata.name}`)).toContain(`${pod.namespace}/${pod.spec.serviceAccountName}`);
      }
    }
  });

  it("when the migrations Job is rendered, then it is a plain Job named per revision that runs dist/migrate.js from the API image", () => {
    const objects = rendered.defaults!;
    const job = find(objects, "Job", "folio-migrate-1");
    expect(job.metadata.annotations?.["helm.sh/hook"]).toBeUndefined();
    const [container] = podTemplates([job])[0]!.spec.containers;
    expect(container!.command).toEqual(["node", "dist/migrate.js"]);
    expect(container!.image).toBe(podTemplates(objects).find((p) => p.owner.metadata.name === "folio-api")!.spec.containers[0]!.image);
  });

  it("when the CronJobs are rendered, then cleanup runs daily at 02:00 and backup before it, never overlapping, with deadlines and bounded history", () => {
    const objects = rendered.defaults!;
    const schedules: Record<string, string> = {};
    for (const cronJob of ofKind(objects, "CronJob")) {
      const spec = cronJob.spec as Record<string, unknown>;
      schedules[cronJob.metadata.name] = spec.schedule as string;
      expect(spec).toMatchObject({ concurrencyPolicy: "Forbid", successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3 });
      expect(spec.startingDeadlineSeconds).toBeGreaterThan(0);
    }
    expect(schedules).toEqual({ "folio-cleanup": "0 2 * * *", "folio-backup": "0 1 * * *" });
  });

  it("when the backup CronJob is rendered, then it runs the chart's backup.sh, byte for byte, against the backups volume", () => {
    const objects = rendered.defaults!;
    const scripts = find(objects, "ConfigMap", "folio-backup-scripts").data as Record<string, string>;
    for (const file of ["backup.sh", "restore.sh"]) expect(scripts[file]).toBe(readFileSync(`${folioChart}/files/${file}`, "utf8"));
    const backup = podTemplates(objects).find((pod) => pod.owner.metadata.name === "folio-backup")!;
    const [container] = backup.spec.containers;
    expect(container!.command).toEqual(["bash", "/scripts/backup.sh"]);
    expect(container!.image).toMatch(/^docker\.io\/postgres:17\./);
    expect(backup.spec.volumes?.find((v) => v.name === "backups")).toEqual({ name: "backups", persistentVolumeClaim: { claimName: "folio-backups" } });
    expect(find(objects, "PersistentVolumeClaim", "folio-backups").metadata.annotations?.["helm.sh/resource-policy"]).toBe("keep");
  });

  it("when backups are on, then a plain Job per revision checks the backups volume with the backup CronJob's image, user and volume, and no network", () => {
    const objects = rendered.defaults!;
    const job = find(objects, "Job", "folio-backup-check-1");
    expect(job.metadata.annotations?.["helm.sh/hook"]).toBeUndefined();
    const check = podTemplates([job])[0]!;
    const backup = podTemplates(objects).find((pod) => pod.owner.metadata.name === "folio-backup")!;
    // The same user, group and fsGroup: what the check can write, the nightly dump can write.
    expect(check.spec.securityContext).toEqual(backup.spec.securityContext);
    expect(check.spec.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, fsGroup: 999 });
    expect(check.spec.serviceAccountName).toBe(backup.spec.serviceAccountName);
    expect(check.spec.tolerations).toEqual(backup.spec.tolerations);
    const [container] = check.spec.containers;
    const [backupContainer] = backup.spec.containers;
    expect(container!.image).toBe(backupContainer!.image);
    expect(container!.resources).toEqual(backupContainer!.resources);
    expect(container!.command).toEqual(["bash", "/scripts/backup-check.sh"]);
    const mount = (c: Container, name: string) => c.volumeMounts?.find((m) => m.name === name);
    expect(mount(container!, "backups")).toEqual(mount(backupContainer!, "backups"));
    expect(container!.env?.find((e) => e.name === "BACKUP_DIR")?.value).toBe(mount(container!, "backups")!.mountPath);
    const scripts = find(objects, "ConfigMap", "folio-backup-scripts").data as Record<string, string>;
    expect(scripts["backup-check.sh"]).toBe(readFileSync(`${folioChart}/files/backup-check.sh`, "utf8"));
    // Exit 2 (a volume the postgres user cannot write) fails the Job at once; a retry cannot fix it.
    expect((job.spec as { podFailurePolicy: { rules: unknown[] } }).podFailurePolicy.rules).toContainEqual({
      action: "FailJob",
      onExitCodes: { containerName: container!.name, operator: "In", values: [2] },
    });
  });

  it("when the flags are rendered, then they are a JSON file mounted as a directory, so the kubelet can update it in place", () => {
    const objects = rendered.everything!;
    const flags = JSON.parse((find(objects, "ConfigMap", "folio-flags").data as Record<string, string>)["flags.json"]!);
    expect(flags).toEqual({ newEditor: true, maxTagsPerArticle: 5, banner: "Maintenance on Sunday" });
    const api = podTemplates(objects).find((pod) => pod.owner.metadata.name === "folio-api")!;
    const mount = api.spec.containers[0]!.volumeMounts!.find((m) => m.name === "flags")!;
    expect(mount.subPath).toBeUndefined(); // a subPath mount never sees updates
    const config = find(objects, "ConfigMap", "folio-api").data as Record<string, string>;
    expect(config.FLAGS_FILE).toBe(`${mount.mountPath}/flags.json`);
  });

  it("when the worker is rendered, then it has an emptyDir scratch volume with a size limit at SCRATCH_DIR", () => {
    const objects = rendered.defaults!;
    const worker = podTemplates(objects).find((pod) => pod.owner.metadata.name === "folio-worker")!;
    expect(worker.spec.volumes?.find((v) => v.name === "scratch")).toEqual({ name: "scratch", emptyDir: { sizeLimit: "2Gi" } });
    expect((find(objects, "ConfigMap", "folio-worker").data as Record<string, string>).SCRATCH_DIR).toBe("/scratch");
  });

  it("when the StatefulSets are rendered, then Redis appends every write and never evicts, and each has probes, resources and its own storage class", () => {
    const production = rendered.production!;
    const classes = Object.fromEntries(
      ofKind(production, "StatefulSet").map((s) => [
        s.metadata.name,
        (s.spec as { volumeClaimTemplates: { spec: { storageClassName?: string } }[] }).volumeClaimTemplates[0]!.spec.storageClassName,
      ]),
    );
    expect(classes).toEqual({ "folio-postgres": "fast-ssd", "folio-redis": "standard-ssd", "folio-objectstore": "standard-hdd" });
    const config = (find(rendered.defaults!, "ConfigMap", "folio-redis").data as Record<string, string>)["valkey.conf"]!;
    expect(config).toMatch(/^appendonly yes$/m);
    expect(config).toMatch(/^maxmemory-policy noeviction$/m);
  });

  it("when images are rendered, then they are official upstream or Folio's own, pinned by tag, with no Bitnami image", () => {
    const images = new Set(Object.values(rendered).flatMap((objects) => podTemplates(objects).flatMap((pod) => allContainers(pod.spec).map((c) => c.image))));
    for (const image of images) {
      expect(image).not.toMatch(/bitnami/);
      expect(image).toMatch(/:[^:@/]+(@sha256:[a-f0-9]{64})?$/);
      expect(image).not.toMatch(/:latest/);
    }
    expect([...images].filter((image) => !image.includes("folio/")).map((image) => image.replace(/^.*\/(postgres|valkey|versitygw):.*$/, "$1")).sort()).toEqual(
      expect.arrayContaining(["postgres", "valkey", "versitygw"]),
    );
  });

  it("when registry, repository, tag and digest are overridden, then every container uses them", async () => {
    const digest = `sha256:${"a".repeat(64)}`;
    const set: Record<string, string> = {};
    for (const key of ["api", "web", "worker", "cleanup", "agent", "backup", "postgres", "redis", "objectstore"]) {
      Object.assign(set, { [`${key}.image.registry`]: "mirror.example", [`${key}.image.repository`]: `acme/${key}`, [`${key}.image.tag`]: "9.9.9", [`${key}.image.digest`]: digest });
    }
    const objects = await render({ set });
    const images = podTemplates(objects).flatMap((pod) => allContainers(pod.spec).map((c) => c.image));
    for (const image of images) expect(image).toMatch(new RegExp(`^mirror\\.example/acme/[a-z]+:9\\.9\\.9@${digest}$`));
    const global = await render({ set: { "global.imageRegistry": "global.example" } });
    for (const pod of podTemplates(global)) for (const c of allContainers(pod.spec)) expect(c.image).toMatch(/^global\.example\//);
  });

  it("when node failure times are set, then every pod of a Deployment, StatefulSet or Job tolerates a failed node that long: 300 s by default, 20 s on kind", async () => {
    const kind = await render({ valuesFiles: [`${folioChart}/values-kind.yaml`] });
    for (const [objects, seconds] of [[rendered.defaults!, 300], [kind, 20]] as const) {
      for (const pod of podTemplates(objects).filter((p) => p.owner.kind !== "DaemonSet")) {
        for (const key of ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]) {
          expect(pod.spec.tolerations, `${pod.owner.metadata.name} ${key}`).toContainEqual({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: seconds });
        }
      }
    }
  });
});

function declaresPort(containers: Container[], port: number | string): boolean {
  return containers.some((c) => (c.ports ?? []).some((p) => p.name === port || p.containerPort === port));
}

interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type?: string };
}

/** What PodSecurity "restricted" (https://kubernetes.io/docs/concepts/security/pod-security-standards/) would reject, plus a writable root filesystem. */
function restrictedViolations(pod: PodTemplate): string[] {
  const problems: string[] = [];
  const podContext = pod.spec.securityContext ?? {};
  if (pod.spec.hostNetwork || pod.spec.hostPID || pod.spec.hostIPC) problems.push("uses host namespaces");
  const allowedVolumes = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];
  for (const volume of pod.spec.volumes ?? []) {
    const type = Object.keys(volume).find((key) => key !== "name")!;
    if (!allowedVolumes.includes(type)) problems.push(`volume ${volume.name} is a ${type}`);
  }
  let root = false;
  for (const container of allContainers(pod.spec)) {
    const context: SecurityContext = { ...podContext, ...(container.securityContext ?? {}) };
    const where = `container ${container.name}`;
    if (context.runAsNonRoot !== true || context.runAsUser === 0) root = true;
    if (context.privileged) problems.push(`${where} is privileged`);
    if (context.allowPrivilegeEscalation !== false) problems.push(`${where} allows privilege escalation`);
    if (!(context.capabilities?.drop ?? []).includes("ALL")) problems.push(`${where} does not drop ALL capabilities`);
    if ((context.capabilities?.add ?? []).some((cap) => cap !== "NET_BIND_SERVICE")) problems.push(`${where} adds capabilities`);
    const seccomp = context.seccompProfile?.type;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") problems.push(`${where} has no seccomp profile`);
    if (context.readOnlyRootFilesystem !== true) problems.push(`${where} can write its root filesystem`);
    if ((container.ports ?? []).some((p) => "hostPort" in p)) problems.push(`${where} uses a host port`);
  }
  if (root) problems.push("runs as root");
  return problems;
}
