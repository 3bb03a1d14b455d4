import { statSync } from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, dropDatabase, startPostgres } from "./postgres.js";
import type { PostgresServer } from "./types.js";

async function sql<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

describe("a PostgreSQL server started by the testkit", () => {
  let server: PostgresServer;

  beforeAll(async () => {
    server = await startPostgres({ allowExternal: false });
  });

  afterAll(async () => {
    await server?.dispose();
  });

  it("when postgres is killed with SIGKILL and started again, then committed rows are still there", async () => {
    const url = await createDatabase(server.url);
    await sql(url, "CREATE TABLE notes (id int PRIMARY KEY)");
    await sql(url, "INSERT INTO notes SELECT generate_series(1, 500)");

    await server.kill();
    expect(server.running).toBe(false);
    await server.start();

    expect(server.running).toBe(true);
    expect(await sql(url, "SELECT count(*)::int AS count FROM notes")).toEqual([{ count: 500 }]);
  });

  it("when postgres is killed while clients are connected, then it starts again all the same", async () => {
    const clients = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const client = new pg.Client({ connectionString: server.url });
        client.on("error", () => {});
        await client.connect();
        return client;
      }),
    );

    await server.kill();
    await server.start();

    expect(await sql(server.url, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
    await Promise.all(clients.map((client) => client.end().catch(() => {})));
  });

  it("when postgres is stopped, then it refuses connections, and when started again it answers on the same URL", async () => {
    await server.stop();
    await expect(sql(server.url, "SELECT 1")).rejects.toThrow(/ECONNREFUSED/);

    await server.start();
    expect(await sql(server.url, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
  });

  it.skipIf(process.getuid?.() !== 0)("when the tests run as root, then postgres runs as another user", async () => {
    const rows = await sql<{ dir: string }>(server.url, "SELECT current_setting('data_directory') AS dir");

    expect(rows).toHaveLength(1);
    expect(statSync(rows[0]!.dir).uid).not.toBe(0);
  });

  it("when two databases are created, then a table in one is not visible in the other", async () => {
    const first = await createDatabase(server.url);
    const second = await createDatabase(server.url);

    await sql(first, "CREATE TABLE only_here (id int)");

    expect(await sql(second, "SELECT to_regclass('only_here') AS found")).toEqual([{ found: null }]);
  });

  it("when a database is dropped while a client is connected, then it is gone", async () => {
    const url = await createDatabase(server.url, "drop_me");
    const client = new pg.Client({ connectionString: url });
    client.on("error", () => {});
    await client.connect();

    await dropDatabase(server.url, url);

    const rows = await sql(server.url, "SELECT 1 FROM pg_database WHERE datname = 'drop_me'");
    expect(rows).toEqual([]);
    await client.end().catch(() => {});
  });
});
