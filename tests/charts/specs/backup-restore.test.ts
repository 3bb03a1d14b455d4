/**
 * The backup CronJob's script and the documented restore, run for real: charts/folio/files/backup.sh and
 * restore.sh (the very files the chart mounts) against a real PostgreSQL from @folio/testkit; and
 * backup-check.sh, which the backup-check Job runs against the backups volume at every install and upgrade.
 */
import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { once } from "node:events";
import { connect, createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDatabase, startPostgres, type PostgresServer } from "@folio/testkit";
import { folioChart } from "../src/paths.js";

const exec = promisify(execFile);

let server: PostgresServer;
let databaseUrl: string;
let backupDir: string;

beforeAll(async () => {
  server = await startPostgres();
  databaseUrl = await createDatabase(server.url);
});
afterAll(async () => {
  await server?.dispose();
});
beforeEach(() => {
  backupDir = mkdtempSync(join(tmpdir(), "folio-backups-"));
  return () => rmSync(backupDir, { recursive: true, force: true });
});

/** The libpq variables the CronJob sets, taken from a connection URL. */
function libpqEnv(url: string): Record<string, string> {
  const parsed = new URL(url);
  return {
    PGHOST: parsed.hostname,
    PGPORT: parsed.port,
    PGUSER: decodeURIComponent(parsed.username),
    PGPASSWORD: decodeURIComponent(parsed.password),
    PGDATABASE: decodeURIComponent(parsed.pathname.slice(1)),
  };
}

/** The backup's user in the pod: the postgres image's uid and gid. */
const BACKUP_UID = 999;

async function run(script: "backup.sh" | "restore.sh" | "backup-check.sh", env: Record<string, string> = {}, args: string[] = [], { asBackupUser = false } = {}) {
  const file = `${folioChart}/files/${script}`;
  // As root (a CI container), setpriv drops to the pod's uid, for whom permissions apply as they do in the cluster;
  // the script is passed with -c, so that uid need not be able to read the checkout.
  const [command, commandArgs] =
    asBackupUser && process.getuid?.() === 0
      ? ["setpriv", [`--reuid=${BACKUP_UID}`, `--regid=${BACKUP_UID}`, "--clear-groups", "bash", "-c", readFileSync(file, "utf8"), script, ...args]]
      : ["bash", [file, ...args]];
  try {
    const { stdout, stderr } = await exec(command, commandArgs, {
      env: { PATH: process.env.PATH, ...libpqEnv(databaseUrl), BACKUP_DIR: backupDir, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

async function sql<T extends pg.QueryResultRow>(text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

const dumps = () => readdirSync(backupDir).sort();
/** A fingerprint of everything the test tables hold, and where the sequence stands. */
const snapshot = async () => ({
  articles: await sql("SELECT id, title, body, tags FROM articles ORDER BY id"),
  revisions: await sql("SELECT article_id, version FROM revisions ORDER BY article_id, version"),
  nextId: (await sql<{ last_value: string }>("SELECT last_value FROM articles_id_seq"))[0]!.last_value,
});

describe("backup and restore scripts", () => {
  beforeAll(async () => {
    await sql(`
      CREATE TABLE articles (id bigserial PRIMARY KEY, title text NOT NULL, body text, tags jsonb NOT NULL DEFAULT '[]');
      CREATE TABLE revisions (article_id bigint REFERENCES articles ON DELETE CASCADE, version int, PRIMARY KEY (article_id, version));
      INSERT INTO articles (title, body, tags)
        SELECT 'Article ' || n, repeat('text ', n), jsonb_build_array('tag' || (n % 3)) FROM generate_series(1, 200) AS n;
      INSERT INTO revisions SELECT id, v FROM articles, generate_series(1, 3) AS v;
    `);
  });

  it("when the backup script runs, then it writes one complete dump with a timestamped name and no leftovers", async () => {
    const result = await run("backup.sh");
    expect(result.code, result.stderr).toBe(0);
    expect(dumps()).toEqual([expect.stringMatching(/^folio-\d{8}T\d{6}Z\.dump$/)]);
    expect(result.stdout).toContain(`wrote ${dumps()[0]}`);
  });

  it("when rows are deleted and a table dropped after a backup, then restoring that backup brings everything back", async () => {
    expect((await run("backup.sh")).code).toBe(0);
    const before = await snapshot();
    await sql("DELETE FROM articles WHERE id % 2 = 0; UPDATE articles SET title = 'changed'; DROP TABLE revisions; SELECT nextval('articles_id_seq')");

    const result = await run("restore.sh", {}, [join(backupDir, dumps()[0]!)]);
    expect(result.code, result.stderr).toBe(0);
    expect(await snapshot()).toEqual(before);
  });

  it("when restore.sh is given no file, then it restores the newest dump in BACKUP_DIR", async () => {
    expect((await run("backup.sh")).code).toBe(0);
    const before = await snapshot();
    await sql("TRUNCATE articles CASCADE");
    const result = await run("restore.sh");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`restoring ${join(backupDir, dumps()[0]!)}`);
    expect(await snapshot()).toEqual(before);
  });

  it("when there are more dumps than BACKUP_KEEP, then the oldest are deleted after a successful dump", async () => {
    const old = ["folio-20250101T010000Z.dump", "folio-20250102T010000Z.dump", "folio-20250103T010000Z.dump"];
    for (const name of old) writeFileSync(join(backupDir, name), "old");
    writeFileSync(join(backupDir, "notes.txt"), "not a dump: never deleted");
    const result = await run("backup.sh", { BACKUP_KEEP: "2" });
    expect(result.code, result.stderr).toBe(0);
    const remaining = dumps();
    expect(remaining).toHaveLength(3);
    expect(remaining).toContain("folio-20250103T010000Z.dump");
    expect(remaining).toContain("notes.txt");
    expect(result.stdout).toContain("deleted folio-20250101T010000Z.dump");
  });

  it("when the database is unreachable, then the backup fails, leaves no partial file and deletes no old dump", async () => {
    writeFileSync(join(backupDir, "folio-20250101T010000Z.dump"), "old");
    const result = await run("backup.sh", { PGPORT: "1", BACKUP_KEEP: "1", PGCONNECT_TIMEOUT: "2", BACKUP_WAIT_SECONDS: "3" });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("did not accept connections within 3 s");
    expect(dumps()).toEqual(["folio-20250101T010000Z.dump"]);
  });

  it("when the database accepts connections only after a few seconds (restarting, or a new pod's network policy), then the backup waits and succeeds", async () => {
    // A proxy to the real server that starts listening 3 s from now, on a port reserved for it.
    const target = libpqEnv(databaseUrl);
    const reserve = createServer().listen(0, "127.0.0.1");
    await once(reserve, "listening");
    const port = (reserve.address() as AddressInfo).port;
    await new Promise((resolve) => reserve.close(resolve));
    const proxy = createServer((client) => {
      const upstream = connect(Number(target.PGPORT), target.PGHOST === "localhost" ? "127.0.0.1" : target.PGHOST);
      client.pipe(upstream).pipe(client);
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
    });
    const opening = setTimeout(() => proxy.listen(port, "127.0.0.1"), 3_000);
    try {
      const result = await run("backup.sh", { PGHOST: "127.0.0.1", PGPORT: String(port), BACKUP_WAIT_SECONDS: "30" });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/wrote folio-\d{8}T\d{6}Z\.dump/);
    } finally {
      clearTimeout(opening);
      proxy.close();
    }
  });

  it("when BACKUP_WAIT_SECONDS is not a number, then the backup exits 2", async () => {
    const result = await run("backup.sh", { BACKUP_WAIT_SECONDS: "soon" });
    expect(result.code).toBe(2);
  });

  it("when BACKUP_KEEP is not a positive number, then the backup exits 2 (which the CronJob does not retry)", async () => {
    const result = await run("backup.sh", { BACKUP_KEEP: "none" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("BACKUP_KEEP must be a positive whole number");
  });

  it("when the dump to restore does not exist, then restore fails and says so, changing nothing", async () => {
    const before = await snapshot();
    const result = await run("restore.sh", {}, [join(backupDir, "missing.dump")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("does not exist");
    expect(await snapshot()).toEqual(before);
  });
});

describe("backup-check script", () => {
  it("when the backups directory is writable, then the check writes and removes a file, prints the free space and exits 0", async () => {
    writeFileSync(join(backupDir, "folio-20250101T010000Z.dump"), "old");
    const result = await run("backup-check.sh");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^backup-check: ${backupDir} is writable by uid \\d+ gid \\d+; \\d+ MiB free of \\d+ MiB; 1 dump\\(s\\) there\\n$`));
    expect(dumps()).toEqual(["folio-20250101T010000Z.dump"]);
  });

  it("when the backup's user cannot write the backups directory, then the check exits 2 naming the directory and the user, and leaves nothing", async () => {
    // Owned by someone else and not writable by others: a volume the fsGroup did not reach.
    chmodSync(backupDir, 0o555);
    try {
      const result = await run("backup-check.sh", {}, [], { asBackupUser: true });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`cannot create a file in ${backupDir} as uid \\d+`));
    } finally {
      chmodSync(backupDir, 0o700);
    }
    expect(dumps()).toEqual([]);
  });

  it("when nothing is mounted at BACKUP_DIR, then the check exits 2 and says so", async () => {
    const result = await run("backup-check.sh", { BACKUP_DIR: join(backupDir, "missing") });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("is not a directory: is the backups volume mounted there?");
  });
});
