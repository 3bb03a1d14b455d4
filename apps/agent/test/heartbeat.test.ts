import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { heartbeatSchema, listHeartbeats, nodeKey } from "@folio/node-logs";
import { useTestServices, waitFor } from "@folio/testkit";
import { join } from "node:path";
import { Workspace, cri, startTestAgent, uniqueNode } from "./helpers.js";

let redis: Redis;
let workspace: Workspace;
beforeAll(async () => {
  redis = new Redis(useTestServices().redisUrl);
  workspace = await Workspace.create();
});
afterAll(async () => {
  redis.disconnect();
  await workspace.dispose();
});

describe("heartbeat", () => {
  it("when the agent runs, then its node key holds its state with a TTL; after it stops, the key expires", async () => {
    const node = uniqueNode();
    workspace.append(join(workspace.container("folio", "folio-api-abc", "api"), "0.log"), cri("hello"));
    const agent = await startTestAgent(workspace, useTestServices().redisUrl, { NODE_NAME: node, HEARTBEAT_TTL_SECONDS: "2", AGENT_VERSION: "1.2.3" });

    const heartbeat = await waitFor(
      async () => {
        const value = await redis.get(nodeKey(node));
        const parsed = value ? heartbeatSchema.parse(JSON.parse(value)) : undefined;
        return parsed?.lastShippedAt ? parsed : undefined;
      },
      { description: "a heartbeat after the first shipment" },
    );
    expect(heartbeat).toMatchObject({ node, agentVersion: "1.2.3", filesTailed: 1, lagBytes: 0 });
    const ttl = await redis.pttl(nodeKey(node));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(2_000);
    expect((await listHeartbeats(redis)).map((h) => h.node)).toContain(node);

    await agent.stop();
    const stoppedAt = Date.now();
    await waitFor(async () => (await redis.exists(nodeKey(node))) === 0, { timeoutMs: 5_000, description: "the key to expire" });
    expect(Date.now() - stoppedAt).toBeLessThan(2_000 + 1_000); // the TTL, and a margin for a busy machine
  });
});
