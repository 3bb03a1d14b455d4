import { randomBytes } from "node:crypto";
import { chownSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { ContainerServer } from "./internal/container-server.js";
import { ExternalServer, checkExternal } from "./internal/external.js";
import { findPostgresBinaries, freePort, unprivilegedUser, type PostgresBinaries } from "./internal/host.js";
import { LocalServer, makeTempDir, removeTempDir, startupError } from "./internal/local-server.js";
import { describeExit, ManagedProcess } from "./internal/process.js";
import { resolveServer, withDetails } from "./internal/resolve.js";
import type { PostgresServer, StartOptions } from "./types.js";

/**
 * A PostgreSQL server for tests: the one in FOLIO_TEST_DATABASE_URL, else a throwaway one from local binaries,
 * else a postgres:17 container (FOLIO_TEST_POSTGRES_IMAGE overrides the image).
 */
export async function startPostgres(options: StartOptions = {}): Promise<PostgresServer> {
  return resolveServer<PostgresServer>(
    {
      service: "PostgreSQL",
      binaries: "PostgreSQL server binaries (initdb and postgres, on PATH or in /usr/lib/postgresql/*/bin)",
      fixes: [
        "install PostgreSQL (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql@17)",
        "set FOLIO_TEST_DATABASE_URL to a superuser URL",
      ],
      environment: () => {
        const url = process.env.FOLIO_TEST_DATABASE_URL;
        return url ? () => useExternal(url) : undefined;
      },
      local: () => {
        const binaries = findPostgresBinaries();
        return binaries ? () => startLocal(binaries) : undefined;
      },
      container: startContainer,
    },
    options.allowExternal ?? true,
  );
}

async function useExternal(url: string): Promise<PostgresServer> {
  await checkExternal("FOLIO_TEST_DATABASE_URL", () => probe(url));
  return withDetails(new ExternalServer("FOLIO_TEST_DATABASE_URL"), { url });
}

async function startLocal(binaries: PostgresBinaries): Promise<PostgresServer> {
  const dir = makeTempDir("postgres");
  try {
    const user = unprivilegedUser();
    if (user) chownSync(dir, user.uid, user.gid);
    const password = randomBytes(16).toString("hex");
    await initdb(binaries.initdb, dir, password, user);
    const port = await freePort();
    const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
    const server = new LocalServer({
      name: "PostgreSQL",
      dir,
      command: binaries.postgres,
      args: [
        ...["-D", join(dir, "data"), "-p", String(port)],
        ...["-c", "listen_addresses=127.0.0.1", "-c", `unix_socket_directories=${dir}`],
        ...["-c", "shared_buffers=16MB", "-c", "max_connections=200"],
        // Production's durability, spelled out so that nobody "speeds up" the test server: crash tests kill -9
        // it and expect every committed row back. (That rests on synchronous_commit; fsync=off would lose data
        // only if the machine crashed, but a server that cheats on fsync also cheats on commit latency.)
        ...["-c", "fsync=on", "-c", "synchronous_commit=on", "-c", "full_page_writes=on"],
      ],
      user,
      // SIGINT is PostgreSQL's "fast" shutdown; SIGTERM ("smart") would wait for every client to disconnect.
      stopSignal: "SIGINT",
      ready: () => probe(url),
    });
    await server.start();
    return withDetails(server, { url });
  } catch (error) {
    removeTempDir(dir);
    throw error;
  }
}

async function initdb(
  command: string,
  dir: string,
  password: string,
  user: { uid: number; gid: number } | undefined,
): Promise<void> {
  const passwordFile = join(dir, "password");
  writeFileSync(passwordFile, password, { mode: 0o600 });
  if (user) chownSync(passwordFile, user.uid, user.gid);
  const logFile = join(dir, "server.log");
  const args = [
    ...["-D", join(dir, "data"), "-U", "postgres", "--auth=scram-sha-256", `--pwfile=${passwordFile}`],
    ...["--encoding=UTF8", "--locale=C"],
    // initdb's final fsync only matters if the machine itself crashes; it costs seconds on slow disks.
    "--no-sync",
  ];
  const exit = await new ManagedProcess(command, args, { logFile, cwd: dir, user }).wait();
  rmSync(passwordFile);
  if (exit.code !== 0) throw startupError("initdb", describeExit(exit), logFile);
}

async function startContainer(): Promise<PostgresServer> {
  const password = randomBytes(16).toString("hex");
  const urlFor = (host: string, port: number): string => `postgres://postgres:${password}@${host}:${port}/postgres`;
  const server = await ContainerServer.start({
    name: "PostgreSQL",
    image: process.env.FOLIO_TEST_POSTGRES_IMAGE ?? "postgres:17",
    port: 5432,
    environment: { POSTGRES_PASSWORD: password },
    ready: (host, port) => probe(urlFor(host, port)),
  });
  return withDetails(server, { url: urlFor(server.host, server.port) });
}

async function probe(url: string): Promise<void> {
  await withClient(url, (client) => client.query("SELECT 1"));
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on("error", () => {}); // a server going away mid-call is reported by the call itself
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Creates an empty database (named `test_<random>` unless given) and returns its URL: the admin URL with the
 * database name swapped. One per test file keeps files from seeing each other's rows.
 */
export async function createDatabase(adminUrl: string, name = `test_${randomBytes(6).toString("hex")}`): Promise<string> {
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`));
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

/** Drops a database given by name or by URL, disconnecting its clients first. No error if it is already gone. */
export async function dropDatabase(adminUrl: string, nameOrUrl: string): Promise<void> {
  const name = nameOrUrl.includes("://") ? decodeURIComponent(new URL(nameOrUrl).pathname.slice(1)) : nameOrUrl;
  await withClient(adminUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`),
  );
}
