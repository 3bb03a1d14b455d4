import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["specs/**/*.test.ts"],
    // Checks that helm is installed and packs the folio chart's subcharts once, before any test renders it.
    globalSetup: ["./src/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
