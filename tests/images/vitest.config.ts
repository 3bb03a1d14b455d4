import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["specs/**/*.test.ts"],
    // Builds the images once (scripts/images.ts) before any file runs, and removes them afterwards.
    globalSetup: ["./src/global-setup.ts"],
    // The files share one Docker engine on a 2-core machine: one at a time keeps timings meaningful.
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 180_000,
  },
});
