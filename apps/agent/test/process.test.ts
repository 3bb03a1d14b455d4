/**
 * The agent as a real process (the compiled dist/main.js, which turbo builds before tests): configuration
 * errors, shipping, probes and metrics, and SIGTERM with Redis up and with Redis unreachable.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { rawHttp, useTestServices, waitFor } from "@folio/testkit";
import { Workspace, cri, messagesFrom, numbered, uniqueNode } from "./helpers.js";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Child {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
}

const children: Child[] = [];
function run(env: Record<string, string>): Child {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  // "close", not "exit": it fires after the output pipes are drained.
  const exited = once(child, "close").then(([code]) => code as number | null);
  const handle = { child, exited, output: () => output };
  children.push(handle);
  return handle;
}

let redis: Redis;
let workspace: Workspace;
beforeAll(async () => {
  redis = new Redis(useTestServices().redisUrl);
  workspace = await Workspace.create();
});
afterEach(() => {
  for (const { child } of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});
afterAll(async () => {
  redis.disconnect();
  await workspace.dispose();
});

async function baseEnv(node: string, redisUrl = useTestServices().redisUrl) {
  const port = await freePort();
  return {
    base: `http://127.0.0.1:${port}`,
    env: {
      NODE_NAME: node,
      REDIS_URL: redisUrl,
      LOG_DIR: workspace.logDir,
      STATE_DIR: join(workspace.root, `state-${node}`),
      WATCH_POD_PREFIXES: `${node}-`,
      HOST: "127.0.0.1",
      AGENT_PORT: String(port),
      POLL_INTERVAL_MS: "100",
      SHIP_INTERVAL_MS: "100",
      SHIP_FLUSH_TIMEOUT_MS: "1000",
      SHUTDOWN_TIMEOUT_MS: "5000",
    },
  };
}

describe("configuration", () => {
  it("when required settings are missing or invalid, then the process exits 1 and lists every problem", async () => {
    const { exited, output } = run({ REDIS_URL: "http://nope", AGENT_PORT: "0", SHIP_FLUSH_TIMEOUT_MS: "30000" });
    expect(await exited).toBe(1);
    for (const key of ["NODE_NAME", "STATE_DIR", "REDIS_URL", "AGENT_PORT", "SHIP_FLUSH_TIMEOUT_MS"]) expect(output()).toContain(key);
    expect(output()).not.toMatch(/\n\s+at /); // a list of problems, not a stack trace
  });
});

describe("the agent process", () => {
  it("when it runs, then it ships lines and serves its probes and metrics, and exits 0 on SIGTERM", async () => {
    const node = uniqueNode();
    const { env, base } = await baseEnv(node);
    workspace.append(join(workspace.container("folio", `${node}-api`, "api"), "0.log"), ...numbered("line", 1, 3).map((text) => cri(text)));
    const agent = run(env);

    await waitFor(async () => (await messagesFrom(redis, node)).length === 3, { description: "shipped lines", timeoutMs: 10_000 });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    // What Node's HTTP parser refuses is answered with a problem too (answerClientErrors in main.ts).
    const refused = await rawHttp(Number(new URL(base).port), "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: x\r\n\r\n");
    expect(refused.status).toBe(400);
    expect(refused.headers["content-type"]).toBe("application/problem+json");
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, { description: "readiness" });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^folio_agent_lines_shipped_total\{service="agent"\} 3$/m);
    expect(metrics).toMatch(/^folio_agent_files_tailed\{service="agent"\} 1$/m);

    agent.child.kill("SIGTERM");
    expect(await agent.exited, agent.output()).toBe(0);
    expect(agent.output()).toContain("shutdown complete");
    expect(await messagesFrom(redis, node)).toEqual(numbered("line", 1, 3));
  });

  it("when SIGTERM arrives with lines buffered, then they are shipped and their offsets saved before it exits 0", async () => {
    const node = uniqueNode();
    const { env, base } = await baseEnv(node);
    const file = join(workspace.container("folio", `${node}-api`, "api"), "0.log");
    workspace.append(file, ...numbered("line", 1, 3).map((text) => cri(text)));
    // Nothing is shipped on its own: no full batch, no interval within the test.
    const agent = run({ ...env, SHIP_INTERVAL_MS: "600000", SHIP_BATCH_SIZE: "1000" });
    await waitFor(async () => /^folio_agent_buffered_lines\{service="agent"\} 3$/m.test(await (await fetch(`${base}/metrics`)).text()), {
      description: "three buffered lines",
    });
    expect(await messagesFrom(redis, node)).toEqual([]);

    agent.child.kill("SIGTERM");
    expect(await agent.exited, agent.output()).toBe(0);
    expect(await messagesFrom(redis, node)).toEqual(numbered("line", 1, 3));
    const saved = JSON.parse(readFileSync(join(env.STATE_DIR, "offsets.json"), "utf8")) as { files: { path: string; offset: number }[] };
    expect(saved.files).toEqual([expect.objectContaining({ path: file, offset: readFileSync(file).length })]);
  });

  it("when Redis is unreachable at SIGTERM, then it gives up shipping after SHIP_FLUSH_TIMEOUT_MS, keeps its offsets at 0 and exits 0", async () => {
    const node = uniqueNode();
    const { env } = await baseEnv(node, `redis://127.0.0.1:${await freePort()}`);
    workspace.append(join(workspace.container("folio", `${node}-api`, "api"), "0.log"), cri("never shipped"));
    const agent = run(env);
    await waitFor(() => agent.output().includes("shipping log lines failed"), { description: "a failed shipment" });

    const signalledAt = Date.now();
    agent.child.kill("SIGTERM");
    expect(await agent.exited, agent.output()).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(4_000);
    expect(agent.output()).toContain("lines left unshipped at shutdown");
    const saved = JSON.parse(readFileSync(join(env.STATE_DIR, "offsets.json"), "utf8")) as { files: { offset: number }[] };
    expect(saved.files.map((file) => file.offset)).toEqual([0]);
  });
});
