// `pnpm test` (turbo): the unit tests of the suite's helpers and report, no cluster needed.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/helpers/**/*.test.ts", "src/report/**/*.test.ts"],
  },
});
