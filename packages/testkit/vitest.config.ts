import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The testkit's own global setup, from source, so that useTestServices() is tested as packages use it.
    globalSetup: ["./src/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    unstubEnvs: true,
  },
});
