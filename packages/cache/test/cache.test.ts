import { Writable } from "node:stream";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prometheus } from "@folio/http-kit";
import { createLogger } from "@folio/logger";
import { useTestServices, waitFor } from "@folio/testkit";
import { PublicCache, invalidatePublicCache } from "../src/index.js";

const logger = createLogger({ name: "test", level: "silent" }, new Writable({ write: (_c, _e, done) => done() }));
const connections: Redis[] = [];
const connect = () => {
  const redis = new Redis(useTestServices().redisUrl, { enableOfflineQueue: false });
  connections.push(redis);
  return redis;
};

let cache: PublicCache;
beforeAll(async () => {
  const admin = new Redis(useTestServices().redisUrl);
  await admin.flushdb();
  await admin.quit();
  const subscriber = connect();
  cache = new PublicCache(connect(), subscriber, { ttlSeconds: 60, localEntries: 10 }, logger, new prometheus.Registry());
  await waitFor(() => subscriber.status === "ready", { description: "subscriber" });
  await new Promise((resolve) => setTimeout(resolve, 100));
});
afterAll(() => connections.forEach((redis) => redis.disconnect()));

describe("PublicCache", () => {
  it("when a key is read twice, then the loader runs once", async () => {
    let loads = 0;
    const load = async () => `{"n":${++loads}}`;
    expect(await cache.read("k1", load)).toEqual({ body: Buffer.from('{"n":1}'), source: "miss" });
    expect(await cache.read("k1", load)).toEqual({ body: Buffer.from('{"n":1}'), source: "hit" });
    expect(loads).toBe(1);
  });

  it("when another process invalidates, then the next read loads again, even from the in-process tier", async () => {
    let loads = 0;
    const load = async () => `{"n":${++loads}}`;
    await cache.read("k2", load);
    await cache.read("k2", load);
    const other = new Redis(useTestServices().redisUrl);
    connections.push(other);
    await invalidatePublicCache(other);
    await waitFor(async () => (await cache.read("k2", load)).source === "miss", { timeoutMs: 2_000, description: "a miss after invalidation" });
    expect(loads).toBe(2);
  });

  it("when the loader finds nothing, then nothing is cached", async () => {
    let loads = 0;
    const load = async () => {
      loads++;
      return undefined;
    };
    await cache.read("k3", load);
    await cache.read("k3", load);
    expect(loads).toBe(2);
  });
});
