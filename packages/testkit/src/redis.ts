import { connect as connectTcp, type Socket } from "node:net";
import { connect as connectTls } from "node:tls";
import { ContainerServer } from "./internal/container-server.js";
import { ExternalServer, checkExternal } from "./internal/external.js";
import { findOnPath, freePort } from "./internal/host.js";
import { LocalServer, makeTempDir, removeTempDir } from "./internal/local-server.js";
import { resolveServer, withDetails } from "./internal/resolve.js";
import type { RedisOptions, RedisServer } from "./types.js";

/**
 * A Redis server for tests: the one in FOLIO_TEST_REDIS_URL, else a throwaway redis-server, else a redis:7
 * container (FOLIO_TEST_REDIS_IMAGE overrides the image). Persistence options apply to servers started here.
 */
export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  const persistence = persistenceArgs(options);
  return resolveServer<RedisServer>(
    {
      service: "Redis",
      binaries: "redis-server on PATH",
      fixes: ["install Redis (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis)", "set FOLIO_TEST_REDIS_URL"],
      environment: () => {
        const url = process.env.FOLIO_TEST_REDIS_URL;
        return url ? () => useExternal(url) : undefined;
      },
      local: () => {
        const command = findOnPath("redis-server");
        return command ? () => startLocal(command, persistence) : undefined;
      },
      container: () => startContainer(persistence),
    },
    options.allowExternal ?? true,
  );
}

function persistenceArgs({ appendonly, appendfsync }: RedisOptions): string[] {
  const aof = appendonly ?? appendfsync !== undefined;
  // No RDB snapshots: a test server starts empty unless it keeps an append-only file.
  return ["--save", "", "--appendonly", aof ? "yes" : "no", "--appendfsync", appendfsync ?? "everysec"];
}

async function useExternal(url: string): Promise<RedisServer> {
  await checkExternal("FOLIO_TEST_REDIS_URL", () => ping(url));
  return withDetails(new ExternalServer("FOLIO_TEST_REDIS_URL"), { url });
}

async function startLocal(command: string, persistence: string[]): Promise<RedisServer> {
  const dir = makeTempDir("redis");
  try {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const server = new LocalServer({
      name: "Redis",
      dir,
      command,
      args: ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--daemonize", "no", ...persistence],
      stopSignal: "SIGTERM",
      ready: () => ping(url),
    });
    await server.start();
    return withDetails(server, { url });
  } catch (error) {
    removeTempDir(dir);
    throw error;
  }
}

async function startContainer(persistence: string[]): Promise<RedisServer> {
  const server = await ContainerServer.start({
    name: "Redis",
    image: process.env.FOLIO_TEST_REDIS_IMAGE ?? "redis:7",
    port: 6379,
    command: ["redis-server", ...persistence],
    ready: (host, port) => ping(`redis://${host}:${port}`),
  });
  return withDetails(server, { url: `redis://${server.host}:${server.port}` });
}

/**
 * Sends AUTH (when the URL has a password) and PING, and expects +PONG; a loading server answers -LOADING.
 * Hand-written RESP so that the testkit needs no Redis client of its own.
 */
async function ping(url: string): Promise<void> {
  const { protocol, hostname, port, username, password } = new URL(url);
  const options = { host: hostname.replace(/^\[|\]$/g, ""), port: Number(port || 6379) };
  const socket: Socket = protocol === "rediss:" ? connectTls(options) : connectTcp(options);
  const command = (...args: string[]): string =>
    `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join("")}`;
  const auth = password
    ? command("AUTH", ...(username ? [decodeURIComponent(username)] : []), decodeURIComponent(password))
    : "";
  try {
    const replies = await new Promise<string>((resolve, reject) => {
      let received = "";
      const expected = auth ? 2 : 1;
      socket.setTimeout(2_000, () => reject(new Error("no answer within 2 s")));
      socket.once("error", reject);
      socket.once("close", () => reject(new Error(`connection closed after ${JSON.stringify(received)}`)));
      socket.on("data", (chunk) => {
        received += chunk.toString("utf8");
        if (received.split("\r\n").length > expected) resolve(received);
      });
      socket.write(auth + command("PING"));
    });
    const last = replies.trimEnd().split("\r\n").at(-1);
    if (last !== "+PONG") throw new Error(`Redis answered ${JSON.stringify(replies.trimEnd())} to PING`);
  } finally {
    socket.destroy();
  }
}
