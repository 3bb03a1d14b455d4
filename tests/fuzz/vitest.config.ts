import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["specs/**/*.test.ts"],
    globalSetup: ["@folio/testkit/global-setup"],
    // Schemathesis' time budget is 150 s (schemathesis.toml); the rest is starting the API and logging in.
    testTimeout: 240_000,
    hookTimeout: 120_000,
  },
});
