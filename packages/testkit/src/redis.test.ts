import { Redis } from "ioredis";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startRedis } from "./redis.js";
import type { RedisServer } from "./types.js";

const servers: RedisServer[] = [];

async function start(options: Parameters<typeof startRedis>[0]): Promise<RedisServer> {
  const server = await startRedis({ allowExternal: false, ...options });
  servers.push(server);
  return server;
}

/** Runs `use` with a client that fails at once instead of retrying, and always disconnects it. */
async function withRedis<T>(url: string, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on("error", () => {});
  try {
    await redis.connect();
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

/** True when nothing listens on the URL's port. */
async function refused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once("connect", () => (socket.destroy(), resolve(false)));
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
  });
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.dispose()));
});

describe("a Redis server started by the testkit", () => {
  it("when redis fsyncs every write and is killed with SIGKILL, then every acknowledged write survives", async () => {
    const server = await start({ appendfsync: "always" });
    await withRedis(server.url, async (redis) => {
      const pipeline = redis.pipeline();
      for (let i = 0; i < 300; i++) pipeline.set(`key:${i}`, String(i));
      await pipeline.exec();
    });

    await server.kill();
    await server.start();

    expect(await withRedis(server.url, (redis) => redis.dbsize())).toBe(300);
  });

  it("when redis keeps no append-only file and is restarted, then it starts empty", async () => {
    const server = await start({});
    await withRedis(server.url, (redis) => redis.set("greeting", "hello"));

    await server.stop();
    await server.start();

    expect(await withRedis(server.url, (redis) => redis.dbsize())).toBe(0);
  });

  it("when redis is stopped, then it refuses connections, and when started again it answers on the same URL", async () => {
    const server = await start({});

    await server.stop();
    expect(server.running).toBe(false);
    expect(await refused(server.url)).toBe(true);

    await server.start();
    expect(await withRedis(server.url, (redis) => redis.ping())).toBe("PONG");
  });
});
