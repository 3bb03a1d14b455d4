/**
 * What a release prints (NOTES.txt) and what it stores outside Secrets: URLs and next commands, never a secret.
 * `helm install --dry-run=client` renders NOTES without a cluster.
 */
import { describe, expect, it } from "vitest";
import { helm, parseObjects } from "../src/helm.js";
import { find, ofKind } from "../src/objects.js";
import { folioChart } from "../src/paths.js";

async function dryRunInstall(args: string[] = []) {
  const result = await helm(["install", "folio", folioChart, "--namespace", "folio", "--dry-run=client", ...args]);
  if (!result.ok) throw new Error(result.stderr);
  const notes = result.stdout.slice(result.stdout.indexOf("NOTES:"));
  const manifest = result.stdout.slice(result.stdout.indexOf("MANIFEST:") + "MANIFEST:".length, result.stdout.indexOf("NOTES:"));
  return { notes, objects: parseObjects(manifest) };
}

describe("NOTES.txt and secrets", () => {
  it("when the chart is installed, then NOTES prints the site's and API's URLs and the next commands", async () => {
    const { notes } = await dryRunInstall();
    expect(notes).toContain("http://folio.localtest.me");
    expect(notes).toContain("http://api.folio.localtest.me");
    expect(notes).toContain("kubectl -n folio get secret folio-credentials -o jsonpath='{.data.admin-password}'");
    expect(notes).toContain("helm test folio -n folio --logs");
    expect(notes).toContain("kubectl -n folio logs job/folio-backup-check-1");
  });

  it("when TLS is on, then NOTES prints https URLs", async () => {
    const { notes } = await dryRunInstall(["--set", "ingress.tls.enabled=true"]);
    expect(notes).toContain("https://folio.localtest.me");
  });

  it("when the ingress is reached on another port (kind mapped to 127.0.0.1:8080), then NOTES prints the URLs with that port", async () => {
    const { notes } = await dryRunInstall(["--set", "ingress.publicPort=8080"]);
    expect(notes).toContain("Site: http://folio.localtest.me:8080\n");
    expect(notes).toContain("API:  http://api.folio.localtest.me:8080/v1/openapi.json");
  });

  it("when the chart is installed, then no secret value appears in NOTES, a ConfigMap or a pod spec", async () => {
    const { notes, objects } = await dryRunInstall();
    const secrets = ofKind(objects, "Secret").flatMap((secret) =>
      Object.values((secret.data ?? {}) as Record<string, string>).map((value) => Buffer.from(value, "base64").toString()),
    );
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    const outside = JSON.stringify(objects.filter((object) => object.kind !== "Secret")) + notes;
    for (const secret of secrets) expect(outside).not.toContain(secret);
  });

  it("when secrets are generated, then they are random, long and URL-safe, and the agent's copy equals the original", async () => {
    const [first, second] = await Promise.all([dryRunInstall(), dryRunInstall()]);
    const decoded = (objects: typeof first.objects, name: string, namespace?: string) => {
      const secret = objects.find((o) => o.kind === "Secret" && o.metadata.name === name && o.metadata.namespace === namespace)!;
      return Object.fromEntries(Object.entries(secret.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]));
    };
    const credentials = decoded(first.objects, "folio-credentials");
    expect(Object.keys(credentials).sort()).toEqual(["admin-password", "jwt-secret", "postgres-password", "redis-password", "s3-access-key-id", "s3-secret-access-key"]);
    for (const [key, value] of Object.entries(credentials)) {
      expect(value, key).toMatch(/^[A-Za-z0-9]{20,}$/);
      expect(decoded(second.objects, "folio-credentials")[key], key).not.toBe(value);
    }
    expect(credentials["jwt-secret"]!.length).toBeGreaterThanOrEqual(32);
    expect(decoded(first.objects, "folio-agent", "folio-agent")["redis-password"]).toBe(credentials["redis-password"]);
    expect(find(first.objects, "Secret", "folio-credentials").metadata.namespace).toBeUndefined();
  });
});
