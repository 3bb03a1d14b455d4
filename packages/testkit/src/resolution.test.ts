import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { startPostgres } from "./postgres.js";
import { startRedis } from "./redis.js";
import { startS3 } from "./s3.js";
import { useTestServices } from "./vitest.js";

describe("where the servers come from", () => {
  it("when the global setup has run, then the shared database, Redis and S3 all answer", async () => {
    const { databaseUrl, redisUrl, s3 } = useTestServices();

    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const { rows } = await client.query("SELECT current_user AS user");
    await client.end();
    expect(rows).toEqual([{ user: "postgres" }]);
    expect(redisUrl).toMatch(/^redis:\/\//);
    expect((await fetch(s3.endpoint)).status).toBe(403); // answers, and wants a signature
  });

  it("when FOLIO_TEST_DATABASE_URL is set, then startPostgres uses that server and refuses to stop it", async () => {
    const { databaseUrl } = useTestServices();
    vi.stubEnv("FOLIO_TEST_DATABASE_URL", databaseUrl);

    const server = await startPostgres();

    expect(server).toMatchObject({ url: databaseUrl, source: "environment", controllable: false, running: true });
    await expect(server.stop()).rejects.toThrow(/cannot stop an external server \(the one in FOLIO_TEST_DATABASE_URL\)/);
    await expect(server.kill()).rejects.toThrow(/cannot kill an external server/);
    await server.dispose(); // a no-op: not ours
  });

  it("when FOLIO_TEST_REDIS_URL is set, then startRedis uses that server", async () => {
    const { redisUrl } = useTestServices();
    vi.stubEnv("FOLIO_TEST_REDIS_URL", redisUrl);

    expect(await startRedis()).toMatchObject({ url: redisUrl, source: "environment", controllable: false });
  });

  it("when the FOLIO_TEST_S3_* variables are set, then startS3 uses that server and its keys", async () => {
    const { s3 } = useTestServices();
    vi.stubEnv("FOLIO_TEST_S3_ENDPOINT", s3.endpoint);
    vi.stubEnv("FOLIO_TEST_S3_ACCESS_KEY_ID", s3.accessKeyId);
    vi.stubEnv("FOLIO_TEST_S3_SECRET_ACCESS_KEY", s3.secretAccessKey);
    vi.stubEnv("FOLIO_TEST_S3_REGION", "eu-west-1");

    expect(await startS3()).toMatchObject({ ...s3, region: "eu-west-1", source: "environment" });
  });

  it("when the S3 endpoint is set without keys, then the error names the missing variables", async () => {
    vi.stubEnv("FOLIO_TEST_S3_ENDPOINT", "http://127.0.0.1:9");
    vi.stubEnv("FOLIO_TEST_S3_ACCESS_KEY_ID", "");
    vi.stubEnv("FOLIO_TEST_S3_SECRET_ACCESS_KEY", "");

    await expect(startS3()).rejects.toThrow(
      "FOLIO_TEST_S3_ENDPOINT is set but FOLIO_TEST_S3_ACCESS_KEY_ID and FOLIO_TEST_S3_SECRET_ACCESS_KEY is not",
    );
  });

  it("when an external server is set but a test asks for its own, then the test gets a server it controls", async () => {
    vi.stubEnv("FOLIO_TEST_REDIS_URL", "redis://127.0.0.1:9");

    const server = await startRedis({ allowExternal: false });

    expect(server).toMatchObject({ source: "local", controllable: true });
    await server.dispose();
  });

  it("when no server binaries are installed and containers are off, then the error says what to install", async () => {
    const empty = mkdtempSync(join(tmpdir(), "folio-empty-"));
    onTestFinished(() => rmSync(empty, { recursive: true }));
    vi.stubEnv("PATH", empty);
    vi.stubEnv("HOME", empty);
    vi.stubEnv("FOLIO_TOOLS_DIR", empty);
    vi.stubEnv("FOLIO_TEST_CONTAINERS", "0");

    await expect(startRedis({ allowExternal: false })).rejects.toThrow(
      /^No Redis server for tests: .*apt-get install redis-server.*set FOLIO_TEST_REDIS_URL; or start Docker\.$/,
    );
    await expect(startS3({ allowExternal: false })).rejects.toThrow(
      /^No S3 server for tests: .*bash scripts\/ci\/install-versitygw\.sh.*set FOLIO_TEST_S3_ENDPOINT.*start Docker\.$/,
    );
  });
});
