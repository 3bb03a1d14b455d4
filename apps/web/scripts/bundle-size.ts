#!/usr/bin/env node
/**
 * How much JavaScript the public pages load, gzipped, against the budget. It follows the build's manifest
 * (dist/client/.vite/manifest.json) from the entry (index.html) through its static imports: that is what a reader
 * downloads for the home, article and tag pages. The editor and admin pages are dynamic imports, loaded only
 * when someone opens them, so they are left out, and it is an error if a static import pulls one in.
 *
 * Usage: pnpm --filter @folio/web size   (after `pnpm --filter @folio/web build`)
 * Exit code 1 when the total is over the budget or editor code is on the public path.
 * test/bundle-size.test.ts runs the same check in `pnpm test`; the browser tests measure what Chromium loads.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

/** 250 kB of gzipped JavaScript for the public pages. */
export const PUBLIC_JS_BUDGET_BYTES = 250_000;

interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}

export interface BundleReport {
  files: { file: string; bytes: number; gzipBytes: number }[];
  totalGzipBytes: number;
  /** Source modules of the editor or admin pages that the public pages load: should be empty. */
  privateSources: string[];
}

/** Modules only signed-in pages need. */
const PRIVATE_SOURCE = /(^|\/)src\/(editor\/|admin\/|api\/editor\.ts|api\/upload\.ts)/;

export function measurePublicBundle(clientDir: string): BundleReport {
  const manifest = JSON.parse(readFileSync(join(clientDir, ".vite", "manifest.json"), "utf8")) as Record<string, ManifestChunk>;
  const entry = Object.keys(manifest).find((key) => manifest[key]!.isEntry);
  if (!entry) throw new Error("the manifest has no entry chunk");

  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const imported of manifest[key]?.imports ?? []) visit(imported);
  };
  visit(entry);

  const chunks = [...seen].map((key) => manifest[key]!);
  const files = chunks
    .map((chunk) => {
      const source = readFileSync(join(clientDir, chunk.file));
      return { file: chunk.file, bytes: source.length, gzipBytes: gzipSync(source, { level: 9 }).length };
    })
    .sort((a, b) => b.gzipBytes - a.gzipBytes);
  // Which modules ended up in those chunks: from their source maps, so a module merged into a shared chunk counts.
  const sources = chunks.flatMap((chunk) => {
    const map = join(clientDir, `${chunk.file}.map`);
    return existsSync(map) ? (JSON.parse(readFileSync(map, "utf8")) as { sources: string[] }).sources : [chunk.src ?? ""];
  });
  return {
    files,
    totalGzipBytes: files.reduce((sum, file) => sum + file.gzipBytes, 0),
    privateSources: [...new Set(sources.filter((source) => PRIVATE_SOURCE.test(source)))],
  };
}

if (import.meta.main) {
  const clientDir = fileURLToPath(new URL("../dist/client", import.meta.url));
  const report = measurePublicBundle(clientDir);
  const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
  for (const file of report.files) console.log(`${kb(file.gzipBytes).padStart(10)} gzip  ${kb(file.bytes).padStart(10)} raw  ${file.file}`);
  console.log(`${kb(report.totalGzipBytes).padStart(10)} gzip  total for the public pages (budget ${kb(PUBLIC_JS_BUDGET_BYTES)})`);
  if (report.privateSources.length > 0) {
    console.error(`editor or admin code is loaded by the public pages: ${report.privateSources.join(", ")}`);
    process.exitCode = 1;
  }
  if (report.totalGzipBytes > PUBLIC_JS_BUDGET_BYTES) {
    console.error(`over budget by ${kb(report.totalGzipBytes - PUBLIC_JS_BUDGET_BYTES)}`);
    process.exitCode = 1;
  }
}
