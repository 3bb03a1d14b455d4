import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["@folio/testkit/global-setup"],
    testTimeout: 30_000,
    hookTimeout: 90_000,
  },
});
