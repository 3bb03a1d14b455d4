/**
 * Opening and closing the queue's connections against a real Redis, where BullMQ and ioredis leave promises
 * behind that nobody handles when a connection closes at the wrong moment. Each such promise would end a process
 * under Node's default (and is logged and counted under ADR 0020); here they fail the test.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedis, type RedisServer } from "@folio/testkit";
import { closeQueue, closeRedis, createMediaQueue, producerConnection } from "../src/index.js";

let redis: RedisServer;
const unhandled: unknown[] = [];
const collect = (reason: unknown) => unhandled.push(reason);
beforeAll(async () => {
  redis = await startRedis({ allowExternal: false });
  process.on("unhandledRejection", collect);
});
afterAll(async () => {
  process.removeListener("unhandledRejection", collect);
  await redis.dispose();
});

describe("closing a queue and its connection", () => {
  it("when they are closed at every moment of the connection's start-up, then no promise rejection is left unhandled", async () => {
    for (let delay = 0; delay < 30; delay++) {
      const connection = producerConnection(redis.url);
      connection.on("error", () => {});
      const queue = createMediaQueue(connection);
      queue.on("error", () => {});
      // 0 to 29 ms: before the TCP connection, during the handshake, after it (a job that skips its run at once).
      await new Promise((resolve) => setTimeout(resolve, delay % 10));

      await closeQueue(queue);
      await closeRedis(connection);
    }
    await new Promise((resolve) => setTimeout(resolve, 200)); // a failed start-up is re-emitted asynchronously

    expect(unhandled).toEqual([]);
  });
});
