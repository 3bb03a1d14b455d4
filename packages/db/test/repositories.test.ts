import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@folio/logger";
import { createDatabase, useTestServices } from "@folio/testkit";
import {
  articlesRepo,
  createPool,
  idempotencyRepo,
  isDatabaseUnavailable,
  mediaRepo,
  migrationNames,
  pendingMigrations,
  runMigrations,
  usersRepo,
  withTransaction,
  type Pool,
} from "../src/index.js";

const logger = createLogger({ name: "test", level: "silent" }, new Writable({ write: (_c, _e, done) => done() }));
let pool: Pool;
let url: string;
let userId: string;

beforeAll(async () => {
  url = await createDatabase(useTestServices().databaseUrl);
  pool = createPool({ connectionString: url, max: 5, connectionTimeoutMs: 2000, statementTimeoutMs: 5000, applicationName: "db-test" }, logger);
});
afterAll(() => pool.end());

describe("migrations", () => {
  it("when several runners start at once, then each migration is applied exactly once and nothing is pending", async () => {
    expect(await pendingMigrations(pool)).toEqual(await migrationNames());
    const results = await Promise.all([runMigrations(url, logger), runMigrations(url, logger), runMigrations(url, logger)]);
    expect(results.flat().sort()).toEqual(await migrationNames());
    expect(await pendingMigrations(pool)).toEqual([]);
    const user = await usersRepo.create(pool, { email: "Writer@Folio.Test", name: "W", role: "editor", passwordHash: "x" });
    userId = user!.id;
    expect(user!.email).toBe("writer@folio.test");
  });
});

describe("articles repository", () => {
  it("when an update names a stale version, then nothing changes and the current row comes back", async () => {
    const article = await articlesRepo.create(pool, { slug: "repo-test", title: "T", body: "b", excerpt: "", coverMediaId: null, tags: [], authorId: userId });
    const ok = await articlesRepo.update(pool, article.id, 1, { title: "T2" }, userId);
    expect(ok).toMatchObject({ ok: true, article: { version: 2, title: "T2" } });
    const stale = await articlesRepo.update(pool, article.id, 1, { title: "T3" }, userId);
    expect(stale).toMatchObject({ ok: false, reason: "version_mismatch", current: { version: 2, title: "T2" } });
    expect(await articlesRepo.listRevisions(pool, article.id)).toHaveLength(1);
    const missing = await articlesRepo.update(pool, "00000000-0000-4000-8000-000000000000", 1, { title: "x" }, userId);
    expect(missing).toEqual({ ok: false, reason: "not_found" });
  });

  it("when rows share an updated_at to the microsecond, then keyset pages still see each row once", async () => {
    await pool.query(
      `INSERT INTO articles (slug, title, updated_at) SELECT 'same-time-' || n, 'Same time', '2026-01-01T00:00:00.000001Z' FROM generate_series(1, 5) n`,
    );
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await articlesRepo.list(pool, { q: "Same time", limit: 2, cursor });
      seen.push(...page.items.map((a) => a.slug));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen.sort()).toEqual(["same-time-1", "same-time-2", "same-time-3", "same-time-4", "same-time-5"]);
  });
});

describe("media repository", () => {
  it("when a job finishes twice, then only the first moves the row out of pending", async () => {
    const id = "5b0c2c1e-7a51-4f0e-9a4b-2a1f4c3d2e10";
    await mediaRepo.create(pool, { id, ownerId: userId, filename: "a.png", contentType: "image/png", sizeBytes: 10, originalKey: `media/${id}/original` });
    const variants = [{ name: "thumb", key: `media/${id}/thumb.webp`, contentType: "image/webp", width: 1, height: 1, bytes: 5 }];
    expect(await mediaRepo.markReady(pool, id, { variants, width: 1, height: 1 })).toBe(true);
    expect(await mediaRepo.markReady(pool, id, { variants, width: 1, height: 1 })).toBe(false);
    expect(await mediaRepo.markFailed(pool, id, "late failure")).toBe(false);
    expect((await mediaRepo.findById(pool, id))?.status).toBe("ready");
  });
});

describe("idempotency repository", () => {
  it("when two transactions save the same key, then the second waits for the first and reports a conflict", async () => {
    const response = { userId, key: "k1", method: "POST", path: "/x", requestHash: "h", status: 201, body: { a: 1 }, headers: {} };
    const results = await Promise.all([
      withTransaction(pool, (tx) => idempotencyRepo.save(tx, response, 60)),
      withTransaction(pool, (tx) => idempotencyRepo.save(tx, response, 60)),
    ]);
    expect(results.sort()).toEqual([false, true]);
    expect((await idempotencyRepo.find(pool, userId, "k1"))?.body).toEqual({ a: 1 });
  });

  it("when a key has expired, then it is not found, can be reused, and is purged", async () => {
    const response = { userId, key: "old", method: "POST", path: "/x", requestHash: "h", status: 201, body: null, headers: {} };
    await idempotencyRepo.save(pool, response, 60);
    await pool.query("UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'old'");
    expect(await idempotencyRepo.find(pool, userId, "old")).toBeUndefined();
    expect(await idempotencyRepo.purgeExpired(pool, 100)).toBe(1);
    expect(await idempotencyRepo.save(pool, response, 60)).toBe(true);
  });
});

describe("isDatabaseUnavailable", () => {
  it("when the server refuses connections, then the error is classified as unavailable", async () => {
    const dead = createPool({ connectionString: "postgres://x@127.0.0.1:1/x", max: 1, connectionTimeoutMs: 500, statementTimeoutMs: 1000, applicationName: "t" }, logger);
    const error = await dead.query("SELECT 1").catch((e: unknown) => e);
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(isDatabaseUnavailable(new Error("syntax error"))).toBe(false);
    await dead.end();
  });

  it("when the database's host or network is unreachable (its node is gone), then the error is classified as unavailable", () => {
    // What pg's connect rejects with on a cluster whose PostgreSQL node died: no route to the pod's address.
    for (const code of ["EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ENOTFOUND"]) {
      expect(isDatabaseUnavailable(Object.assign(new Error(`connect ${code} 10.244.2.17:5432`), { code, errno: -113, syscall: "connect" })), code).toBe(true);
    }
    expect(isDatabaseUnavailable(new AggregateError([Object.assign(new Error("connect EHOSTUNREACH"), { code: "EHOSTUNREACH" })]))).toBe(true);
  });

  it("when PostgreSQL refuses a value (invalid input, out of range), then it is not an outage", () => {
    for (const code of ["22P02", "22003", "22021", "23505"]) {
      expect(isDatabaseUnavailable(Object.assign(new Error("rejected"), { code })), code).toBe(false);
    }
  });
});

describe("withTransaction", () => {
  it("when the connection is killed in the middle of a transaction, then the caller gets the error and the process survives", async () => {
    const errorsBefore = process.listenerCount("uncaughtException");
    const outcome = withTransaction(pool, async (tx) => {
      const { rows } = await tx.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      // Another session terminates this one, as a Postgres restart would.
      const killer = createPool({ connectionString: url, max: 1, connectionTimeoutMs: 2000, statementTimeoutMs: 5000, applicationName: "killer" }, logger);
      await killer.query("SELECT pg_terminate_backend($1)", [rows[0]!.pid]);
      await killer.end();
      await new Promise((resolve) => setTimeout(resolve, 100)); // let the client notice before its next query
      await tx.query("SELECT 1");
    });
    await expect(outcome).rejects.toThrow();
    expect(process.listenerCount("uncaughtException")).toBe(errorsBefore);
    // The pool still works: the broken client was destroyed, not returned.
    expect((await pool.query("SELECT 1 AS one")).rows[0].one).toBe(1);
  });
});
