/**
 * Before any test: Docker must answer (the error says how to fix it), and the images are built by the same
 * script as `pnpm images`, under a tag of this run's own, so the teardown removes exactly what the run added
 * (an image that `pnpm images` also tagged keeps its other tag). The layer cache is left alone: the next run,
 * and the next `pnpm images`, reuse it.
 *
 * FOLIO_TEST_IMAGE_TAG=<tag> tests images that are already built (`pnpm images` prints the tag) instead, and
 * leaves them in place.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { assertDockerReachable, docker } from "./docker.js";
import { APPS, imageName, repoRoot } from "./images.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The tag of the images under test: folio/<app>:<imageTag>. */
    imageTag: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  await assertDockerReachable();

  const given = process.env.FOLIO_TEST_IMAGE_TAG;
  if (given) {
    project.provide("imageTag", given);
    return undefined;
  }

  const tag = `image-test-${randomBytes(3).toString("hex")}`;
  const removeImages = async () => {
    await docker(["image", "rm", ...APPS.map((app) => imageName(app, tag))]).catch(() => undefined);
  };
  try {
    await buildImages(tag);
  } catch (error) {
    await removeImages(); // the ones built before the failure
    throw error;
  }
  project.provide("imageTag", tag);
  return removeImages;
}

/** `node scripts/images.ts --tag <tag>`, its output shown as it runs (a first build takes minutes). */
function buildImages(tag: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["scripts/images.ts", "--tag", tag], { cwd: repoRoot, stdio: "inherit" });
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`pnpm images (scripts/images.ts --tag ${tag}) failed with ${signal ?? `exit code ${code}`}; its output is above`));
    });
  });
}
