/**
 * The `helm test` pod (templates/tests/smoke.yaml) run here as the kubelet would start it: the script comes from the
 * rendered ConfigMap, written to a read-only directory in place of its mount, and the pod's command goes through
 * Kubernetes' $(VAR) expansion first (src/expansion.ts). It runs against stand-ins for a release: an HTTP server
 * playing the API, the site and the S3 server, a TCP listener playing PostgreSQL, and a real redis-server with a
 * password. The script is charts/folio/files/smoke-test.mjs; tests/images runs it in the API image too.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer, type AddressInfo, type Server as TcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expand } from "../src/expansion.js";
import { render, type K8sObject } from "../src/helm.js";
import { find, podTemplates, type Container, type PodTemplate } from "../src/objects.js";
import { folioChart } from "../src/paths.js";

const exec = promisify(execFile);
const hasRedis = await exec("redis-server", ["--version"]).then(() => true, () => false);
const password = "smoke-password-1";
const publicApiUrl = "http://api.folio.localtest.me";

let http: Server;
let postgres: TcpServer;
let redis: ChildProcess;
let redisPort: number;
let apiReady = true;

let objects: K8sObject[];
let testPod: PodTemplate;
let container: Container;
/** Each ConfigMap volume of the test container: its mount path and the directory that stands in for it. */
const mounts: { mountPath: string; dir: string }[] = [];

const portOf = (server: { address(): unknown }) => (server.address() as AddressInfo).port;

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => probe.once("listening", resolve));
  const port = portOf(probe);
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** The test container's ConfigMap volumes as read-only directories, files with the volume's mode (0644 unless set). */
function mountVolumes() {
  for (const { name, mountPath } of container.volumeMounts ?? []) {
    const volume = testPod.spec.volumes?.find((v) => v.name === name);
    const source = volume?.configMap as { name: string; defaultMode?: number } | undefined;
    if (!source) throw new Error(`volume ${name} of the test pod is not a ConfigMap: teach this test to stand in for it`);
    const dir = mkdtempSync(join(tmpdir(), "folio-smoke-"));
    for (const [key, value] of Object.entries(find(objects, "ConfigMap", source.name).data as Record<string, string>)) {
      writeFileSync(join(dir, key), value);
      chmodSync(join(dir, key), source.defaultMode ?? 0o644);
    }
    chmodSync(dir, 0o555);
    mounts.push({ mountPath, dir });
  }
}

/** The pod's command and args, expanded by the kubelet's rules with `env`, with mount paths pointing at the stand-ins. */
function podCommand(env: Record<string, string>): string[] {
  const variables = new Map(Object.entries(env));
  return [...(container.command ?? []), ...(container.args ?? [])].map((arg) => {
    const expanded = expand(arg, variables);
    const mount = mounts.find(({ mountPath }) => expanded === mountPath || expanded.startsWith(`${mountPath}/`));
    return mount ? mount.dir + expanded.slice(mount.mountPath.length) : expanded;
  });
}

async function smokeTest(overrides: Record<string, string> = {}) {
  const base = `http://127.0.0.1:${portOf(http)}`;
  const env = {
    API_URL: base,
    WEB_URL: base,
    EXPECTED_API_URL: publicApiUrl,
    DATABASE_HOST: "127.0.0.1",
    DATABASE_PORT: String(portOf(postgres)),
    REDIS_HOST: "127.0.0.1",
    REDIS_PORT: String(redisPort),
    REDIS_PASSWORD: password,
    S3_ENDPOINT: base,
    SMOKE_RETRY_SECONDS: "2",
    ...overrides,
  };
  const [command, ...args] = podCommand(env);
  try {
    const { stdout } = await exec(command!, args, { env: { PATH: process.env.PATH, ...env } });
    return { code: 0, stdout };
  } catch (error) {
    const failure = error as { code: number; stdout: string };
    return { code: failure.code, stdout: failure.stdout };
  }
}

describe("the helm test smoke script", () => {
  beforeAll(async () => {
    objects = await render();
    testPod = podTemplates(objects).find((pod) => pod.owner.kind === "Pod" && pod.owner.metadata.annotations?.["helm.sh/hook"] === "test")!;
    container = testPod.spec.containers[0]!;
    mountVolumes();
    if (!hasRedis) {
      throw new Error("these tests run the real redis-server and redis-cli: install them (apt-get install redis-server, or brew install redis)");
    }
    http = createHttpServer((request, response) => {
      const routes: Record<string, [number, string]> = {
        "/readyz": apiReady ? [200, "{}"] : [503, '{"status":"not ready"}'],
        "/v1/openapi.json": [200, '{"openapi":"3.1.0"}'],
        "/v1/public/articles": [200, '{"items":[]}'],
        "/": [200, "<!doctype html>"],
        "/config.js": [200, `window.__FOLIO_CONFIG__ = Object.freeze({"apiUrl":"${publicApiUrl}"});`],
        "/health": [200, "OK"],
      };
      const [status, body] = routes[request.url ?? ""] ?? [404, ""];
      response.writeHead(status).end(body);
    }).listen(0, "127.0.0.1");
    postgres = createServer((socket) => socket.end()).listen(0, "127.0.0.1");
    redisPort = await freePort();
    redis = spawn("redis-server", ["--port", String(redisPort), "--bind", "127.0.0.1", "--requirepass", password, "--save", ""], { stdio: "ignore" });
    for (let attempt = 0; ; attempt++) {
      const up = await exec("redis-cli", ["-p", String(redisPort), "ping"]).then(() => true, () => false);
      if (up) break;
      if (attempt > 50) throw new Error("redis-server did not start");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  afterAll(() => {
    redis?.kill("SIGKILL");
    http?.close();
    postgres?.close();
    for (const { dir } of mounts) {
      chmodSync(dir, 0o755);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("when the test pod is rendered, then it runs the chart's script with node from a read-only ConfigMap mount that the API image's user can read", () => {
    expect(container.command).toEqual(["node", "/scripts/smoke-test.mjs"]);
    expect(container.args).toBeUndefined();
    const mount = container.volumeMounts?.find((m) => m.mountPath === "/scripts");
    expect(mount?.readOnly).toBe(true);
    const source = testPod.spec.volumes?.find((v) => v.name === mount!.name)?.configMap as { name: string; defaultMode?: number };
    const configMap = find(objects, "ConfigMap", source.name);
    expect((configMap.data as Record<string, string>)["smoke-test.mjs"]).toBe(readFileSync(`${folioChart}/files/smoke-test.mjs`, "utf8"));
    // A release object, not a hook: it exists before `helm test` creates the pod, and goes with `helm uninstall`.
    expect(configMap.metadata.annotations?.["helm.sh/hook"]).toBeUndefined();
    // The files are root's; the pod runs as uid 1000, so "others" must be able to read them. Nobody writes them.
    expect((source.defaultMode ?? 0o644) & 0o004).toBe(0o004);
    expect(source.defaultMode).toBe(0o444);
    // Every variable the script reads is set by the pod.
    const script = readFileSync(`${folioChart}/files/smoke-test.mjs`, "utf8");
    const read = new Set([...script.matchAll(/env\.([A-Z][A-Z0-9_]*)/g)].map((match) => match[1]));
    expect((container.env ?? []).map((e) => e.name)).toEqual(expect.arrayContaining([...read]));
  });

  it("when every part of the release answers, then every check passes and the script exits 0", async () => {
    const result = await smokeTest();
    expect(result.stdout).toContain("8 passed, 0 failed");
    expect(result.code).toBe(0);
  });

  it("when the Redis password is wrong, then the Redis check fails with the server's answer and the script exits 1", async () => {
    const result = await smokeTest({ REDIS_PASSWORD: "wrong-password" });
    expect(result.stdout).toMatch(/FAIL {2}Redis answers PING: Redis answered "-WRONGPASS/);
    expect(result.code).toBe(1);
  });

  it("when the API is not ready, then that check fails and the others still run", async () => {
    apiReady = false;
    try {
      const result = await smokeTest();
      expect(result.stdout).toContain("FAIL  API is ready: ");
      expect(result.stdout).toContain("7 passed, 1 failed");
      expect(result.code).toBe(1);
    } finally {
      apiReady = true;
    }
  });

  it("when a part refuses connections at first (a new pod's NetworkPolicy not yet in force), then its check is retried and passes", async () => {
    apiReady = false;
    const ready = setTimeout(() => (apiReady = true), 1_000);
    try {
      const result = await smokeTest({ SMOKE_RETRY_SECONDS: "10" });
      expect(result.stdout).toMatch(/ok {4}API is ready \(attempt [2-9]\d*\)/);
      expect(result.stdout).toContain("8 passed, 0 failed");
    } finally {
      clearTimeout(ready);
      apiReady = true;
    }
  });

  it("when the site announces another API URL, then the check says so", async () => {
    const result = await smokeTest({ EXPECTED_API_URL: "https://api.example.com" });
    expect(result.stdout).toContain("FAIL  web site announces the API's public URL");
  });
});
