// `pnpm e2e` runs this through scripts/e2e.ts, against the kind cluster it created: the scenarios in
// src/specs, one file at a time, in the order of their numbers (each leaves the cluster as it found it).
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { defineConfig } from "vitest/config";

/** In the order of the files' numbers, always: vitest would otherwise run the slowest or last-failed first. */
class ByFileName extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
  }
}

export default defineConfig({
  test: {
    include: ["src/specs/**/*.test.ts"],
    fileParallelism: false,
    sequence: { concurrent: false, shuffle: false, sequencer: ByFileName },
    // Scenarios wait for nodes to die and come back; their own named timeouts (src/helpers/timeouts.ts) are
    // the real bounds, these only catch a hang.
    testTimeout: 20 * 60_000,
    hookTimeout: 10 * 60_000,
    teardownTimeout: 5 * 60_000,
    reporters: ["default"],
    globalSetup: ["src/helpers/global-setup.ts"],
  },
});
