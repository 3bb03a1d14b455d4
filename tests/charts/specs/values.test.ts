/**
 * Values are checked before anything is rendered: by each chart's strict values.schema.json, and by the
 * templates for rules a schema cannot express. Each error must say what is wrong and where.
 */
import { describe, expect, it } from "vitest";
import { render, renderError } from "../src/helm.js";
import { chartsDir } from "../src/paths.js";

describe("invalid values", () => {
  it("when a key is misspelt, then helm rejects it and names the key and where it is", async () => {
    const error = await renderError({ set: { "api.replicaz": 3 } });
    expect(error).toMatch(/at '\/api': additional properties 'replicaz' not allowed/);
  });

  it("when a value has the wrong type, then helm says what it got and what it wants", async () => {
    const error = await renderError({ set: { "api.replicas": "two" } });
    expect(error).toMatch(/at '\/api\/replicas': got string, want integer/);
  });

  it("when several values are wrong, then helm reports all of them at once", async () => {
    const error = await renderError({ set: { logLevel: "verbose", "ingress.hosts.web": "Not A Host", "worker.keda.enabled": "yes" } });
    expect(error).toMatch(/\/logLevel/);
    expect(error).toMatch(/\/ingress\/hosts\/web/);
    expect(error).toMatch(/\/worker\/keda\/enabled': got string, want boolean/);
  });

  it("when an image digest is not a sha256 digest, then helm rejects it", async () => {
    const error = await renderError({ set: { "api.image.digest": "latest" } });
    expect(error).toMatch(/\/api\/image\/digest/);
  });

  it("when ingress.publicPort is not a port number, then helm rejects it and names the key", async () => {
    expect(await renderError({ set: { "ingress.publicPort": 70000 } })).toMatch(/at '\/ingress\/publicPort'/);
    // --set-string gives a string; a port is a number (use --set).
    expect(await renderError({ set: { "ingress.publicPort": "8080" } })).toMatch(/at '\/ingress\/publicPort': got string, want/);
  });

  it("when a disruption budget would block every drain (0 or 0%), then helm rejects it", async () => {
    expect(await renderError({ set: { "api.pdb.maxUnavailable": 0 } })).toMatch(/at '\/api\/pdb\/maxUnavailable'/);
    expect(await renderError({ set: { "web.pdb.maxUnavailable": "0%" } })).toMatch(/at '\/web\/pdb\/maxUnavailable'/);
    await expect(render({ set: { "web.pdb.maxUnavailable": "50%" } })).resolves.toBeDefined();
  });

  it("when a subchart's key is misspelt, then the subchart's own schema rejects it", async () => {
    const error = await renderError({ set: { "postgres.persistence.sise": "1Gi" } });
    expect(error).toMatch(/postgres:[\s\S]*at '\/persistence': additional properties 'sise' not allowed/);
  });

  it("when a generated secret is given but too short, then helm says how long it must be", async () => {
    const error = await renderError({ set: { "credentials.jwtSecret": "short" } });
    expect(error).toMatch(/\/credentials\/jwtSecret/);
  });

  it("when the subcharts are rendered alone with a wrong value, then their schemas reject it too", async () => {
    for (const [chart, key] of [["postgres", "auth.usernme"], ["redis", "config.maxmemroy"], ["objectstore", "regoin"]] as const) {
      const error = await renderError({ chart: `${chartsDir}/${chart}`, release: "x", set: { [key]: "v" } });
      expect(error, chart).toMatch(/additional properties '.+' not allowed/);
    }
  });

  it("when an external database has no host, then the render fails naming the value to set", async () => {
    const error = await renderError({ set: { "postgres.enabled": false, "credentials.postgresPassword": "example-password" } });
    expect(error).toMatch(/externalDatabase.host is required when postgres.enabled is false/);
  });

  it("when an external service's credentials are missing, then the render fails naming the value to set", async () => {
    const error = await renderError({ set: { "objectstore.enabled": false } });
    expect(error).toMatch(/credentials.s3AccessKeyId \(the external S3 service's key\) is required/);
  });

  it("when credentials come from an existing Secret but a subchart still reads the chart's own, then the render says which to change", async () => {
    const error = await renderError({ set: { "credentials.existingSecret": "mine", "agent.existingSecret": "mine-agent" } });
    expect(error).toMatch(/postgres.auth.existingSecret must name the credentials Secret, "mine"/);
  });
});
