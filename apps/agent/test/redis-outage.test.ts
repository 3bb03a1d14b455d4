/**
 * Redis going away under a running agent. The test starts a Redis server of its own (with an append-only file,
 * so what was stored before the outage is still there after it) and stops it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@folio/logger";
import { LOG_STREAM_KEY } from "@folio/node-logs";
import { startRedis, waitFor, type RedisServer } from "@folio/testkit";
import { Workspace, cri, messagesFrom, metricValue, numbered, startTestAgent, uniqueNode, type TestAgent } from "./helpers.js";

let server: RedisServer;
let redis: Redis;
let workspace: Workspace;
let agent: TestAgent | undefined;

beforeAll(async () => {
  server = await startRedis({ allowExternal: false, appendfsync: "always" });
  redis = new Redis(server.url, { maxRetriesPerRequest: null });
  redis.on("error", () => {});
  workspace = await Workspace.create();
});
afterAll(async () => {
  await agent?.stop();
  redis.disconnect();
  await server.dispose();
  await workspace.dispose();
});

describe("when Redis is unavailable", () => {
  it("then reading pauses at MAX_BUFFERED_LINES, offsets stay at what Redis acknowledged, and every line arrives once it is back", async () => {
    const node = uniqueNode();
    const file = join(workspace.container("folio", "folio-api-abc", "api"), "0.log");
    workspace.append(file, ...numbered("line", 1, 5).map((text) => cri(text)));
    agent = await startTestAgent(workspace, server.url, { NODE_NAME: node, MAX_BUFFERED_LINES: "10", SHIP_BATCH_SIZE: "4" });
    await waitFor(async () => (await messagesFrom(redis, node)).length === 5, { description: "the first lines" });
    const acknowledged = readFileSync(file).length;

    await server.stop();
    workspace.append(file, ...numbered("line", 6, 50).map((text) => cri(text)));
    await waitFor(async () => (await metricValue(agent!.registry, "folio_agent_ship_errors_total")) >= 2, { description: "retries" });
    expect(agent.agent.shipper.buffered).toBe(10);
    expect(agent.agent.tailer.lagBytes).toBe(readFileSync(file).length - acknowledged);
    await agent.agent.saveOffsets();
    const saved = JSON.parse(readFileSync(agent.agent.offsets.path, "utf8")) as { files: { offset: number }[] };
    expect(saved.files[0]!.offset).toBe(acknowledged);

    await server.start();
    await waitFor(async () => (await messagesFrom(redis, node)).length >= 50, { timeoutMs: 15_000, description: "every line after the outage" });
    await agent.stop();
    expect(await messagesFrom(redis, node)).toEqual(numbered("line", 1, 50));
    expect(agent.agent.tailer.lagBytes).toBe(0);
  });
});

describe("when Redis answers but refuses the lines", () => {
  it("then it is logged as an error, not as an outage, and the lines arrive once the stream can take them", async () => {
    const logged: { level: string; msg: string }[] = [];
    const logger = createLogger({ name: "agent-test", level: "info" }, new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split("\n").filter(Boolean)) logged.push(JSON.parse(line));
        done();
      },
    }));
    // Something else wrote a string where the stream belongs: every XADD gets WRONGTYPE.
    await redis.rename(LOG_STREAM_KEY, `${LOG_STREAM_KEY}:kept`);
    await redis.set(LOG_STREAM_KEY, "not a stream");
    const node = uniqueNode();
    workspace.append(join(workspace.container("folio", "folio-web-def", "web"), "0.log"), ...numbered("refused", 1, 3).map((text) => cri(text)));
    const refused = await startTestAgent(workspace, server.url, { NODE_NAME: node }, logger);
    try {
      const line = await waitFor(() => logged.find((entry) => entry.msg.startsWith("Redis refused the log lines")), { description: "the refusal logged" });
      expect(line.level).toBe("error");
      expect(logged.filter((entry) => entry.msg.startsWith("shipping log lines failed"))).toEqual([]);

      await redis.del(LOG_STREAM_KEY);
      const refusedLines = async () => (await messagesFrom(redis, node)).filter((message) => message.startsWith("refused"));
      await waitFor(async () => (await refusedLines()).length === 3, { description: "the lines once the stream is back" });
      expect(await refusedLines()).toEqual(numbered("refused", 1, 3));
    } finally {
      await refused.stop();
    }
  });
});
