/**
 * Env settings are read once at start, so a change must roll the pods: each pod carries a hash of its
 * ConfigMap's data. Feature flags are a mounted file that updates in place, so changing one must restart nothing.
 * Credentials are given explicitly so that renders are comparable (helm template cannot look up the generated ones).
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { render } from "../src/helm.js";
import { find, podTemplates } from "../src/objects.js";
import { folioChart } from "../src/paths.js";

const fixedCredentials = { valuesFiles: [`${folioChart}/ci/everything-values.yaml`] };

async function templates(set: Record<string, string | number | boolean> = {}) {
  const objects = await render({ ...fixedCredentials, set });
  const byName = Object.fromEntries(podTemplates(objects).filter((p) => p.owner.kind !== "Pod").map((p) => [p.owner.metadata.name, p]));
  return { objects, byName };
}

describe("checksum annotations", () => {
  it("when nothing changes, then two renders give identical pod templates", async () => {
    const [first, second] = await Promise.all([templates(), templates()]);
    expect(second.byName).toEqual(first.byName);
  });

  it("when an env setting of the API changes, then the API's checksum/config changes and the other apps' do not", async () => {
    const [before, after] = await Promise.all([templates(), templates({ "api.env.LOGIN_RATE_LIMIT": "20" })]);
    const checksum = (t: typeof before, name: string) => t.byName[name]!.annotations["checksum/config"];
    expect(checksum(after, "folio-api")).not.toBe(checksum(before, "folio-api"));
    for (const name of ["folio-web", "folio-worker"]) expect(checksum(after, name)).toBe(checksum(before, name));
    expect((find(after.objects, "ConfigMap", "folio-api").data as Record<string, string>).LOGIN_RATE_LIMIT).toBe("20");
  });

  it("when a shared setting changes (the log level), then every app's checksum/config changes", async () => {
    const [before, after] = await Promise.all([templates(), templates({ logLevel: "debug" })]);
    for (const name of ["folio-api", "folio-web", "folio-worker", "folio-agent"]) {
      expect(after.byName[name]!.annotations["checksum/config"], name).not.toBe(before.byName[name]!.annotations["checksum/config"]);
    }
  });

  it("when only a feature flag changes, then the flags ConfigMap changes and no pod template does", async () => {
    const [before, after] = await Promise.all([templates(), templates({ "flags.newEditor": false })]);
    expect(after.byName).toEqual(before.byName);
    const flags = (t: typeof before) => (find(t.objects, "ConfigMap", "folio-flags").data as Record<string, string>)["flags.json"];
    expect(flags(after)).not.toBe(flags(before));
  });

  it("when a credential changes, then the pods that read it get a new checksum/credentials", async () => {
    const [before, after] = await Promise.all([templates(), templates({ "credentials.jwtSecret": "x".repeat(40) })]);
    expect(after.byName["folio-api"]!.annotations["checksum/credentials"]).not.toBe(before.byName["folio-api"]!.annotations["checksum/credentials"]);
  });

  it("when the checksum is computed, then it is the sha256 of the ConfigMap's data and of nothing else", async () => {
    const { objects, byName } = await templates();
    for (const name of ["folio-api", "folio-web", "folio-worker", "folio-agent"]) {
      const data = find(objects, "ConfigMap", name).data as Record<string, string>;
      const text = Object.keys(data)
        .sort()
        .map((key) => `${key}: ${JSON.stringify(data[key])}`)
        .join("\n");
      expect(byName[name]!.annotations["checksum/config"], name).toBe(createHash("sha256").update(text).digest("hex"));
    }
  });
});
