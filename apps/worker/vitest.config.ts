import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["@folio/testkit/global-setup"],
    // Integration files share one Redis and its queue; run them one at a time.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 90_000,
  },
});
