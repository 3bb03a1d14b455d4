import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["@folio/testkit/global-setup"],
    // Each file has its own database, bucket and Redis database number (test/harness.ts), so files run in parallel.
    testTimeout: 30_000,
    hookTimeout: 90_000,
  },
});
