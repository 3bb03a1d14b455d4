/**
 * The agent against a real Redis and a real directory shaped like /var/log/pods: tagging, partial lines,
 * offsets across restarts, rotation and truncation. Each test uses its own node name and reads back only
 * that node's entries.
 */
import { readFileSync, renameSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { useTestServices, waitFor } from "@folio/testkit";
import { Workspace, cri, messagesFrom, metricValue, numbered, shippedBy, startTestAgent, uniqueNode, type TestAgent } from "./helpers.js";

let redis: Redis;
let redisUrl: string;
let workspace: Workspace;
let node: string;
const running: TestAgent[] = [];

beforeAll(() => {
  redisUrl = useTestServices().redisUrl;
  redis = new Redis(redisUrl);
});
afterAll(() => redis.disconnect());
beforeEach(async () => {
  workspace = await Workspace.create();
  node = uniqueNode();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((agent) => agent.stop()));
  await workspace.dispose();
});

async function start(env: Record<string, string> = {}): Promise<TestAgent> {
  const agent = await startTestAgent(workspace, redisUrl, { NODE_NAME: node, ...env });
  running.push(agent);
  return agent;
}

/** Waits until `node` has shipped at least `count` entries, then returns their messages. */
async function shipped(count: number): Promise<string[]> {
  return waitFor(
    async () => {
      const messages = await messagesFrom(redis, node);
      return messages.length >= count ? messages : undefined;
    },
    { timeoutMs: 10_000, description: `${count} entries from ${node}` },
  );
}

describe("shipping", () => {
  it("when pods write CRI lines, then each line arrives once, tagged with its node, namespace, pod, container and stream", async () => {
    const api = join(workspace.container("folio", "folio-api-7d9c5-x2x4q", "api"), "0.log");
    const worker = join(workspace.container("folio", "folio-worker-5f6b-q8r2p", "worker"), "0.log");
    workspace.append(api, cri('{"level":30,"time":"t","pid":1,"hostname":"h","msg":"api listening"}'), cri("plain text on stderr", { stream: "stderr" }));
    workspace.append(worker, cri("processing media"));
    const agent = await start();

    await shipped(3);
    await agent.stop();
    const entries = await shippedBy(redis, node);
    expect(entries).toHaveLength(3);
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ node, namespace: "folio", pod: "folio-api-7d9c5-x2x4q", container: "api", stream: "stdout", level: "info", message: "api listening" }),
        expect.objectContaining({ pod: "folio-api-7d9c5-x2x4q", container: "api", stream: "stderr", message: "plain text on stderr" }),
        expect.objectContaining({ pod: "folio-worker-5f6b-q8r2p", container: "worker", stream: "stdout", message: "processing media" }),
      ]),
    );
    expect(entries.find((entry) => entry.message === "plain text on stderr")).not.toHaveProperty("level");
  });

  it("when a line comes in P pieces and a malformed line sits between, then the pieces are joined and the malformed line is counted, not shipped", async () => {
    const file = join(workspace.container("folio", "folio-api-abc", "api"), "0.log");
    const agent = await start();
    workspace.append(
      file,
      cri("first ", { tag: "P", time: "2026-03-01T10:00:00.000000001Z" }),
      cri("an interleaved stderr line", { stream: "stderr" }),
      "this is not a CRI line\n",
      cri("second ", { tag: "P" }),
      cri("third", { tag: "F" }),
    );

    await shipped(2);
    expect(await metricValue(agent.registry, "folio_agent_malformed_lines_total")).toBe(1);
    await agent.stop();
    const entries = await shippedBy(redis, node);
    expect(entries.map((entry) => entry.message)).toEqual(["an interleaved stderr line", "first second third"]);
    expect(entries[1]!.time).toBe("2026-03-01T10:00:00.000000001Z");
  });

  it("when pods are outside WATCH_NAMESPACES or WATCH_POD_PREFIXES, then their lines are not shipped", async () => {
    const kept = join(workspace.container("folio", "folio-api-abc", "api"), "0.log");
    const otherNamespace = join(workspace.container("kube-system", "folio-api-abc", "api"), "0.log");
    const otherPod = join(workspace.container("folio", "postgres-0", "postgres"), "0.log");
    for (const file of [kept, otherNamespace, otherPod]) workspace.append(file, cri(`from ${file}`));
    const agent = await start({ WATCH_NAMESPACES: "folio", WATCH_POD_PREFIXES: "folio-api,folio-worker" });

    await shipped(1);
    await agent.stop();
    expect(await messagesFrom(redis, node)).toEqual([`from ${kept}`]);
  });

  it("when a message is longer than MESSAGE_MAX_BYTES, then it is cut and marked", async () => {
    const file = join(workspace.container("folio", "folio-api-abc", "api"), "0.log");
    workspace.append(file, cri("x".repeat(100)));
    const agent = await start({ MESSAGE_MAX_BYTES: "10" });

    const [message] = await shipped(1);
    await agent.stop();
    expect(message).toBe("xxxxxxxxxx [truncated]");
  });
});

describe("offsets", () => {
  it("when a new agent starts on the same STATE_DIR, then it sends nothing again and ships the new lines", async () => {
    const file = join(workspace.container("folio", "folio-api-abc", "api"), "0.log");
    workspace.append(file, ...numbered("line", 1, 10).map((text) => cri(text)));
    const first = await start();
    await shipped(10);
    await first.stop();
    const saved = JSON.parse(readFileSync(join(workspace.stateDir, "offsets.json"), "utf8")) as { files: { path: string; offset: number }[] };
    expect(saved.files).toEqual([expect.objectContaining({ path: file, offset: readFileSync(file).length })]);

    await start();
    workspace.append(file, ...numbered("line", 11, 15).map((text) => cri(text)));
    await shipped(15);
    await Promise.all(running.map((agent) => agent.stop()));
    expect(await messagesFrom(redis, node)).toEqual(numbered("line", 1, 15));
  });

  it("when the kubelet rotates a file the agent is reading, then no line is lost or sent twice, and the rotated file is not read again", async () => {
    const dir = workspace.container("folio", "folio-api-abc", "api");
    const file = join(dir, "0.log");
    workspace.append(file, ...numbered("line", 1, 20).map((text) => cri(text)));
    const agent = await start();
    await shipped(20);

    // Between two polls: more lines, the rename, and the new file (which the runtime creates on reopen).
    workspace.append(file, ...numbered("line", 21, 40).map((text) => cri(text)));
    renameSync(file, join(dir, "0.log.20260301-101500"));
    writeFileSync(join(dir, "0.log.20260301-090000.gz"), "an older rotation, compressed: never read");
    workspace.append(file, ...numbered("line", 41, 60).map((text) => cri(text)));
    await shipped(60);
    await agent.stop();

    // A restart finds the rotated file in the saved offsets, already read to its end.
    await start();
    workspace.append(file, cri("line 61"));
    await shipped(61);
    await Promise.all(running.map((running) => running.stop()));
    expect(await messagesFrom(redis, node)).toEqual(numbered("line", 1, 61));
  });

  it("when the agent polls between the kubelet's rename and the runtime's new file, then it finishes the rotated file first", async () => {
    const dir = workspace.container("folio", "folio-api-abc", "api");
    const file = join(dir, "0.log");
    workspace.append(file, ...numbered("line", 1, 10).map((text) => cri(text)));
    const agent = await start();
    await shipped(10);

    workspace.append(file, ...numbered("line", 11, 20).map((text) => cri(text)));
    renameSync(file, join(dir, "0.log.20260301-101500"));
    await shipped(20); // read from the rotated file while no 0.log exists
    workspace.append(file, ...numbered("line", 21, 30).map((text) => cri(text)));
    await shipped(30);
    await agent.stop();
    expect(await messagesFrom(redis, node)).toEqual(numbered("line", 1, 30));
  });

  it("when a file was rotated while the agent was stopped, then the next agent finishes the old file before the new one", async () => {
    const dir = workspace.container("folio", "folio-api-abc", "api");
    const file = join(dir, "0.log");
    workspace.append(file, ...numbered("line", 1, 10).map((text) => cri(text)));
    const first = await start();
    await shipped(10);
    await first.stop();

    workspace.append(file, ...numbered("line", 11, 20).map((text) => cri(text)));
    renameSync(file, join(dir, "0.log.20260301-101500"));
    workspace.append(file, ...numbered("line", 21, 30).map((text) => cri(text)));
    await start();
    await shipped(30);
    await Promise.all(running.map((agent) => agent.stop()));
    expect(await messagesFrom(redis, node)).toEqual(numbered("line", 1, 30));
  });

  it("when a file is truncated in place, then it is read again from its start", async () => {
    const file = join(workspace.container("folio", "folio-api-abc", "api"), "0.log");
    workspace.append(file, ...numbered("before", 1, 5).map((text) => cri(text)));
    const agent = await start();
    await shipped(5);

    truncateSync(file, 0);
    workspace.append(file, cri("after 1"));
    await shipped(6);
    await agent.stop();
    expect(await messagesFrom(redis, node)).toEqual([...numbered("before", 1, 5), "after 1"]);
  });

  it("when a container restarts, then its new <n>.log is read from the start alongside the old one", async () => {
    const dir = workspace.container("folio", "folio-api-abc", "api");
    workspace.append(join(dir, "0.log"), cri("first run"));
    const agent = await start();
    await shipped(1);
    workspace.append(join(dir, "1.log"), cri("second run"));
    await shipped(2);
    await agent.stop();
    expect(await messagesFrom(redis, node)).toEqual(["first run", "second run"]);
  });
});
