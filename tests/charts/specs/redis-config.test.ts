/**
 * The redis chart's start-up script and valkey.conf, run by a real server. Valkey is not packaged where these
 * tests run, so Redis 7.0 stands in: valkey.conf uses only directives both understand (Valkey 8 forked from
 * Redis 7.2). Paths are moved into a temp directory; everything else is the chart's text.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { render } from "../src/helm.js";
import { find, podTemplates } from "../src/objects.js";
import { chartsDir } from "../src/paths.js";

const exec = promisify(execFile);
const hasRedis = await exec("redis-server", ["--version"]).then(() => true, () => false);

let dir: string;
let port: number;
let server: ChildProcess;
const password = "test-password-123";

const cli = async (...args: string[]) =>
  (await exec("redis-cli", ["-p", String(port), "--no-auth-warning", ...args])).stdout.trim();

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe("the redis chart's server configuration (on redis-server 7.0)", () => {
  beforeAll(async () => {
    if (!hasRedis) {
      throw new Error("these tests run the real redis-server and redis-cli: install them (apt-get install redis-server, or brew install redis)");
    }
    const objects = await render({ chart: `${chartsDir}/redis`, release: "t" });
    const config = (find(objects, "ConfigMap", "t-redis").data as Record<string, string>)["valkey.conf"]!;
    const [container] = podTemplates(objects)[0]!.spec.containers;
    const script = container!.command![2]!;

    dir = mkdtempSync(join(tmpdir(), "folio-valkey-"));
    mkdirSync(join(dir, "data"));
    mkdirSync(join(dir, "run"));
    port = await freePort();
    const local = (text: string) =>
      text.replaceAll("/run/valkey", join(dir, "run")).replaceAll("/etc/valkey", dir).replace(/^dir \/data$/m, `dir ${join(dir, "data")}`);
    writeFileSync(join(dir, "valkey.conf"), `${local(config)}\nport ${port}\nbind 127.0.0.1\n`);
    server = spawn("sh", ["-c", local(script).replace("exec valkey-server", "exec redis-server")], {
      env: { PATH: process.env.PATH, VALKEY_PASSWORD: password },
      stdio: "ignore",
    });
    for (let attempt = 0; ; attempt++) {
      try {
        if ((await cli("-a", password, "ping")) === "PONG") break;
      } catch {
        // not listening yet
      }
      if (attempt > 50) throw new Error("redis-server did not start with the chart's configuration");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  afterAll(() => {
    server?.kill("SIGKILL");
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("when a client has no password, then the server refuses its commands", async () => {
    expect(await cli("ping")).toMatch(/NOAUTH/);
  });

  it("when the server runs, then it appends every write to a file and never evicts keys", async () => {
    expect(await cli("-a", password, "config", "get", "appendonly")).toBe("appendonly\nyes");
    expect(await cli("-a", password, "config", "get", "maxmemory-policy")).toBe("maxmemory-policy\nnoeviction");
    expect(await cli("-a", password, "config", "get", "maxmemory")).toBe(`maxmemory\n${200 * 1024 * 1024}`);
  });

  it("when the password file is written at start, then only the server's user can read it", () => {
    expect(statSync(join(dir, "run", "auth.conf")).mode & 0o077).toBe(0);
  });
});
