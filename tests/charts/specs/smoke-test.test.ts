/**
 * The `helm test` script (charts/folio/files/smoke-test.mjs) against stand-ins for a release: an HTTP server
 * playing the API, the site and the S3 server, a TCP listener playing PostgreSQL, and a real redis-server with a
 * password. In the cluster the same script runs in the test pod.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer, type AddressInfo, type Server as TcpServer } from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

const portOf = (server: { address(): unknown }) => (server.address() as AddressInfo).port;

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => probe.once("listening", resolve));
  const port = portOf(probe);
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function smokeTest(env: Record<string, string> = {}) {
  const base = `http://127.0.0.1:${portOf(http)}`;
  try {
    const { stdout } = await exec("node", [`${folioChart}/files/smoke-test.mjs`], {
      env: {
        PATH: process.env.PATH,
        API_URL: base,
        WEB_URL: base,
        EXPECTED_API_URL: publicApiUrl,
        DATABASE_HOST: "127.0.0.1",
        DATABASE_PORT: String(portOf(postgres)),
        REDIS_HOST: "127.0.0.1",
        REDIS_PORT: String(redisPort),
        REDIS_PASSWORD: password,
        S3_ENDPOINT: base,
        ...env,
      },
    });
    return { code: 0, stdout };
  } catch (error) {
    const failure = error as { code: number; stdout: string };
    return { code: failure.code, stdout: failure.stdout };
  }
}

describe("the helm test smoke script", () => {
  beforeAll(async () => {
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

  it("when the site announces another API URL, then the check says so", async () => {
    const result = await smokeTest({ EXPECTED_API_URL: "https://api.example.com" });
    expect(result.stdout).toContain("FAIL  web site announces the API's public URL");
  });
});
