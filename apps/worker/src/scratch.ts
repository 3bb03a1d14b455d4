/**
 * Scratch space for originals on their way from S3 to sharp. Originals go to disk rather than memory so that a
 * 20 MB upload costs 20 MB of disk, not of the container's memory limit; in Kubernetes the directory is an
 * emptyDir volume, because the root filesystem is read-only.
 */
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { join } from "node:path";

/**
 * Creates the directory when missing and deletes whatever is in it: files a killed process left behind.
 * The directory itself stays, since it may be a mount point.
 */
export async function prepareScratchDir(root: string): Promise<void> {
  await mkdir(root, { recursive: true });
  const entries = await readdir(root);
  await Promise.all(entries.map((entry) => rm(join(root, entry), { recursive: true, force: true })));
}

/** Runs `work` with a new directory of its own inside `root`, and deletes that directory afterwards, whatever happens. */
export async function withScratchDir<T>(root: string, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(root, "job-"));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
