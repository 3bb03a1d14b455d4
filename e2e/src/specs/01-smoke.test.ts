/**
 * Scenario 1, smoke: the release as deployed is whole, and the application's main flow works end to end
 * through the ingress. It also guards the two bugs the chart's first real install found: `helm --wait` hanging
 * on an unbound backups volume, and `helm test` broken by Kubernetes' `$$` expansion.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { $ } from "zx";
import { eventually } from "@folio/scripts/lib/eventually.ts";
import { testChart } from "@folio/scripts/lib/chart.ts";
import { multipartFile, type Article, type Media } from "../helpers/client.ts";
import { randomJpeg } from "../helpers/load.ts";
import { useScenario, type Scenario } from "../helpers/scenario.ts";
import { timeout } from "../helpers/timeouts.ts";

describe("1. smoke: the release is whole and the application works end to end", () => {
  const scenario = useScenario("01", "Smoke");
  let s: Scenario;
  beforeAll(() => {
    s = scenario();
  });

  it("when deployed, then every Deployment, StatefulSet and DaemonSet of the release is fully ready", async () => {
    expect(await s.cluster.unreadyWorkloads()).toEqual([]);
  });

  it("when deployed, then one log agent runs on every node, the control plane included", async () => {
    const nodes = await s.cluster.kube.nodes();
    const agents = await s.cluster.kube.pods(`${s.cluster.namespace}-agent`, `app.kubernetes.io/component=agent`);
    expect(agents.filter((pod) => pod.ready).map((pod) => pod.node).sort()).toEqual(nodes.map((node) => node.name).sort());
  });

  it("when deployed, then the migrations Job of this revision has completed and the backups volume is bound", async () => {
    const revision = await s.cluster.helmRevision();
    const job = await s.cluster.kube.json<{ status: { succeeded?: number } }>(["get", "job", `${s.cluster.release}-migrate-${revision}`, "-n", s.cluster.namespace]);
    expect(job.status.succeeded).toBe(1);
    const pvc = await s.cluster.kube.json<{ status: { phase: string } }>(["get", "pvc", `${s.cluster.release}-backups`, "-n", s.cluster.namespace]);
    expect(pvc.status.phase).toBe("Bound");
    const status = await $({ quiet: true })`helm status ${s.cluster.release} --kube-context ${s.cluster.env.settings.context} -n ${s.cluster.namespace} -o json`;
    expect((JSON.parse(status.stdout) as { info: { status: string } }).info.status).toBe("deployed");
  });

  it("when `helm test` runs, then every check of the smoke pod passes (Redis PING included)", async () => {
    const output = await testChart(s.cluster.env.settings);
    expect(output).toMatch(/ok\s+Redis answers PING/);
    expect(output).toMatch(/\d+ passed, 0 failed/);
  });

  it("when the two hosts are requested through the ingress, then the site and the API answer, and only /v1 of the API is public", async () => {
    const home = await s.client.request("check", "GET", "/", { host: "web" });
    expect(home.status).toBe(200);
    expect(String(home.headers["content-type"])).toContain("text/html");
    const config = await s.client.request("check", "GET", "/config.js", { host: "web" });
    expect(config.text()).toContain("api.folio.localtest.me");
    const document = await s.client.request("check", "GET", "/v1/openapi.json");
    expect(document.status).toBe(200);
    expect(document.json<{ openapi: string }>().openapi).toMatch(/^3\.1/);
    const metrics = await s.client.request("check", "GET", "/metrics");
    expect(metrics.status).toBe(404); // Traefik: no route, so the API's metrics stay inside the cluster
  });

  it("when an editor writes, uploads a cover and publishes, then the worker makes the variants and the public API serves the article, cached", async () => {
    const created = await s.client.json<Article>("flow", "POST", "/v1/articles", { title: `Smoke ${Date.now()}`, body: "Written by the e2e smoke scenario." });
    expect(created.status).toBe("draft");

    const upload = multipartFile("cover.jpg", "image/jpeg", await randomJpeg(800, 600));
    const stored = await s.client.request("flow", "POST", "/v1/media", { body: upload.body, headers: { "content-type": upload.contentType } });
    expect(stored.status).toBe(201);
    const pending = stored.json<Media>();
    const ready = await eventually(() => s.client.getMedia(pending.id), {
      timeout: timeout("MEDIA_READY"),
      interval: 1_000,
      description: `upload ${pending.id} to be processed`,
      until: (media) => media.status !== "pending",
    });
    expect(ready.status).toBe("ready");
    expect(ready.variants.map((variant) => variant.name).sort()).toEqual(["display", "display-webp", "thumb", "thumb-webp"]);

    const withCover = await s.client.json<Article>("flow", "PATCH", `/v1/articles/${created.id}`, { coverMediaId: ready.id }, { "if-match": `"${created.version}"` });
    const published = await s.client.json<Article>("flow", "POST", `/v1/articles/${created.id}/publish`, undefined, { "if-match": `"${withCover.version}"` });
    expect(published.status).toBe("published");

    // The first read may be served by either API replica; each fills the shared cache, so a later read hits.
    const first = await s.client.request("flow", "GET", `/v1/public/articles/${published.slug}`);
    expect(first.status).toBe(200);
    const cover = first.json<{ cover: { variants: { name: string; url: string }[] } }>().cover;
    expect(cover.variants).toHaveLength(4);
    const hit = await eventually(async () => {
      await sleep(200);
      return s.client.request("flow", "GET", `/v1/public/articles/${published.slug}`);
    }, { timeout: 10_000, interval: 200, description: "a cache hit", until: (response) => response.headers["x-cache"] === "hit" });
    expect(hit.json<{ title: string }>().title).toBe(created.title);

    const thumb = await s.client.request("flow", "GET", new URL(cover.variants.find((variant) => variant.name === "thumb")!.url, "http://x").pathname);
    expect(thumb.status).toBe(200);
    expect(thumb.headers["content-type"]).toBe("image/jpeg");
  });
});
