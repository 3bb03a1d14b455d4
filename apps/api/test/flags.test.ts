import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlagStore } from "../src/domain/flags.js";
import { createHarness, testLogger, type Harness } from "./harness.js";

let h: Harness;
let dir: string;
let file: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "folio-flags-"));
  file = join(dir, "flags.json");
  await writeFile(file, JSON.stringify({ newEditor: false, maxTags: 5 }));
  h = await createHarness({ env: { FLAGS_FILE: file, FLAGS_POLL_MS: "50" } });
});
afterAll(async () => {
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

const flags = async () => (await request(h.app).get("/v1/config/flags")).body;

describe("feature flags", () => {
  it("when the API starts, then the flags file is exposed read-only", async () => {
    expect(await flags()).toMatchObject({ flags: { newEditor: false, maxTags: 5 }, source: file, error: null });
    const write = await request(h.app).post("/v1/config/flags").send({});
    expect(write.status).toBe(405);
    expect(write.headers.allow).toBe("GET, HEAD, OPTIONS");
  });

  it("when the file is replaced the way a ConfigMap update does it, then the new flags are served without a restart", async () => {
    // The kubelet writes a new file and swaps it in atomically.
    const next = join(dir, "flags.json.tmp");
    await writeFile(next, JSON.stringify({ newEditor: true, maxTags: 5, banner: "hello" }));
    await rename(next, file);
    await expect.poll(async () => (await flags()).flags, { timeout: 5_000 }).toEqual({ newEditor: true, maxTags: 5, banner: "hello" });
  });

  it("when the file becomes invalid, then the last good flags stay and the error is reported", async () => {
    await writeFile(file, "{ not json");
    await expect.poll(async () => (await flags()).error, { timeout: 5_000 }).toMatch(/not valid JSON/);
    expect((await flags()).flags).toMatchObject({ newEditor: true });
    await writeFile(file, JSON.stringify({ newEditor: false }));
    await expect.poll(async () => (await flags()).error, { timeout: 5_000 }).toBeNull();
  });

  it("when the file is invalid at start, then starting fails with the problem", async () => {
    const bad = join(dir, "bad.json");
    await writeFile(bad, JSON.stringify({ "bad key!": { nested: true } }));
    const store = new FlagStore(bad, 50, testLogger);
    expect(() => store.start()).toThrow(/bad\.json/);
  });
});
