import { once } from "node:events";
import { Writable } from "node:stream";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prometheus } from "@folio/http-kit";
import { createLogger } from "@folio/logger";
import { producerConnection, subscriberConnection } from "@folio/queue";
import { TcpProxy, useTestServices, waitFor } from "@folio/testkit";
import { PublicCache, invalidatePublicCache } from "../src/index.js";

const logger = createLogger({ name: "test", level: "silent" }, new Writable({ write: (_c, _e, done) => done() }));
const connections: Redis[] = [];
/** The API's two connections for the cache, with the API's options. */
const connect = (role: "commands" | "subscriber", url = useTestServices().redisUrl) => {
  const redis = role === "subscriber" ? subscriberConnection(url) : producerConnection(url, { commandTimeout: 500 });
  redis.on("error", () => {});
  connections.push(redis);
  return redis;
};
const newCache = (subscriber: Redis) => new PublicCache(connect("commands"), subscriber, { ttlSeconds: 60, localEntries: 10 }, logger, new prometheus.Registry());

let cache: PublicCache;
beforeAll(async () => {
  const admin = new Redis(useTestServices().redisUrl);
  await admin.flushdb();
  await admin.quit();
  cache = newCache(connect("subscriber"));
  await waitFor(() => cache.localTierOn, { description: "the in-process tier to be on" });
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

describe("when the subscriber's connection drops", () => {
  it("when it is killed several times (CLIENT KILL TYPE pubsub), then each time it subscribes again and the in-process tier sees other processes' invalidations", async () => {
    const subscriber = connect("subscriber");
    const flapping = newCache(subscriber);
    const other = connect("commands");
    let loads = 0;
    const load = async () => `{"n":${++loads}}`;
    for (let kill = 1; kill <= 5; kill++) {
      await waitFor(() => flapping.localTierOn, { description: `the in-process tier to be on again after kill ${kill - 1}` });
      await flapping.read("k4", load);
      expect((await flapping.read("k4", load)).source).toBe("hit");
      const before = loads;

      await invalidatePublicCache(other);

      await waitFor(async () => (await flapping.read("k4", load)).source === "miss", { timeoutMs: 2_000, description: "a miss after invalidation" });
      expect(loads).toBe(before + 1);
      const reconnected = once(subscriber, "ready");
      await other.client("KILL", "TYPE", "pubsub");
      await reconnected;
    }
  });

  it("when it is closed while reconnecting, after Redis answered its handshake but before it read the answer, then no promise rejection is left unhandled", async () => {
    // The CI failure this reproduces: closing the subscriber (a test's afterAll, the API's shutdown) during a
    // reconnect made ioredis's own re-subscribe fail with "Stream isn't writeable and enableOfflineQueue options is
    // false", and nothing could catch it. The proxy stops the handshake at that point every time.
    const proxy = await TcpProxy.forUrl(useTestServices().redisUrl);
    const subscriber = connect("subscriber", proxy.urlFor(useTestServices().redisUrl));
    const closing = newCache(subscriber);
    await waitFor(() => closing.localTierOn, { description: "the in-process tier to be on" });
    const unhandled: unknown[] = [];
    const collect = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", collect);
    try {
      const readyCheck = proxy.hold("to-client", "# Server"); // INFO's answer: ioredis's ready check
      proxy.cut();
      await readyCheck.held;

      subscriber.disconnect();
      readyCheck.release();
      await once(subscriber, "end");
      await new Promise((resolve) => setImmediate(resolve)); // Node reports unhandled rejections after the microtasks

      expect(unhandled).toEqual([]);
    } finally {
      process.removeListener("unhandledRejection", collect);
      await proxy.close();
    }
  });
});

describe("when Redis is unavailable for many requests", () => {
  it("then one warning is logged when it starts and one line when it ends, not one per request", async () => {
    const lines: { level: string; msg: string }[] = [];
    const capture = createLogger(
      { name: "test", level: "info" },
      new Writable({
        write: (chunk, _encoding, done) => {
          lines.push(JSON.parse(String(chunk)) as { level: string; msg: string });
          done();
        },
      }),
    );
    const proxy = await TcpProxy.forUrl(useTestServices().redisUrl);
    try {
      const commands = connect("commands", proxy.urlFor(useTestServices().redisUrl));
      const quiet = new PublicCache(commands, undefined, { ttlSeconds: 60, localEntries: 0 }, capture, new prometheus.Registry());
      await waitFor(() => commands.status === "ready", { description: "the cache's connection" });
      await proxy.refuse();

      for (let i = 0; i < 20; i++) expect((await quiet.read("k5", async () => "{}")).source).toBe("bypass");
      await quiet.invalidate();
      await proxy.accept();
      await waitFor(async () => (await quiet.read("k5", async () => "{}")).source !== "bypass", { description: "Redis to answer the cache again" });

      expect(lines.map((line) => `${line.level} ${line.msg}`)).toEqual([
        "warn public cache unavailable, reading from postgres (further failures are logged at debug until Redis answers)",
        "info public cache available again",
      ]);
    } finally {
      await proxy.close();
    }
  });
});
