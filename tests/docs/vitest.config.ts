import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["specs/**/*.test.ts", "src/**/*.test.ts"],
    // Rendering the chart and loading each root script for its --help take a few seconds on a loaded machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
