import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { PUBLIC_JS_BUDGET_BYTES, measurePublicBundle } from "../scripts/bundle-size.ts";

const clientDir = fileURLToPath(new URL("../dist/client", import.meta.url));

describe("the production build", () => {
  it("exists (turbo builds before it tests)", () => {
    expect(existsSync(`${clientDir}/.vite/manifest.json`), "run `pnpm --filter @folio/web build` first").toBe(true);
  });

  it(`loads at most ${PUBLIC_JS_BUDGET_BYTES / 1000} kB of gzipped JavaScript on the public pages, and none of the editor's`, () => {
    const report = measurePublicBundle(clientDir);
    expect(report.privateSources).toEqual([]);
    expect(report.totalGzipBytes).toBeLessThanOrEqual(PUBLIC_JS_BUDGET_BYTES);
    // The editor's own modules exist as separate chunks, so code splitting did happen.
    expect(report.files.some((file) => /ArticleEditorPage/.test(file.file))).toBe(false);
  });
});
