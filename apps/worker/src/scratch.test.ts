import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { prepareScratchDir, withScratchDir } from "./scratch.js";

const roots: string[] = [];
async function newRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "folio-scratch-test-"));
  roots.push(root);
  return root;
}
afterEach(async () => {
  await Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
});

describe("scratch directory", () => {
  it("when a killed process left files behind, then prepare empties the directory but keeps it", async () => {
    const root = await newRoot();
    await mkdir(join(root, "job-abc"));
    await writeFile(join(root, "job-abc", "original"), "bytes");
    await writeFile(join(root, "stray"), "bytes");

    await prepareScratchDir(root);

    expect(await readdir(root)).toEqual([]);
  });

  it("when the directory does not exist, then prepare creates it", async () => {
    const root = join(await newRoot(), "nested", "scratch");

    await prepareScratchDir(root);

    expect(await readdir(root)).toEqual([]);
  });

  it("when the work fails, then its directory is deleted all the same", async () => {
    const root = await newRoot();

    const failure = withScratchDir(root, async (dir) => {
      await writeFile(join(dir, "original"), "bytes");
      throw new Error("boom");
    });

    await expect(failure).rejects.toThrow("boom");
    expect(await readdir(root)).toEqual([]);
  });
});
