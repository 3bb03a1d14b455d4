import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        // Components and browser-side logic, in jsdom; beside the code they test.
        plugins: [react()],
        test: {
          name: "unit",
          include: ["src/**/*.test.{ts,tsx}"],
          environment: "jsdom",
          setupFiles: ["src/test-setup.ts"],
        },
      },
      {
        // The Node server, beside its code.
        test: { name: "server", include: ["server/**/*.test.ts"], environment: "node" },
      },
      {
        // Build scripts: the generated API types are checked against the API's document here.
        test: { name: "scripts", include: ["scripts/**/*.test.ts"], environment: "node" },
      },
      {
        // The built site in Chromium against the real API, worker, PostgreSQL, Redis and S3; and the bundle budget.
        test: {
          name: "browser",
          include: ["test/**/*.test.ts"],
          environment: "node",
          globalSetup: ["@folio/testkit/global-setup"],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // After the fast projects: this one starts servers and a browser on a 2-core machine.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
