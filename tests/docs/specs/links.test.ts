/**
 * Every link in the repository's Markdown resolves: relative links to a file or folder that exists, #anchors to a
 * heading (GitHub's slug) or an explicit anchor of the file they point into, reference links to a definition.
 * External links are not fetched (the tests run offline) but must be well-formed.
 */
import { describe, expect, it } from "vitest";
import { checkLinks } from "../src/checks.ts";
import { readDocs, repoRoot } from "../src/repo.ts";

const files = readDocs();

describe("links in the docs", () => {
  it("when the repository's Markdown is read, then every file the test must cover is among it", () => {
    const paths = files.map((file) => file.path);
    for (const expected of ["README.md", "docs/architecture.md", "docs/labs/README.md", "e2e/README.md", "charts/folio/README.md", "apps/api/README.md", "packages/testkit/README.md", "tests/docs/README.md"]) {
      expect(paths).toContain(expected);
    }
    expect(paths.filter((path) => path.includes("node_modules") || path.includes("/dist/"))).toEqual([]);
  });

  it("when a link points into the repository, then its file exists and its #anchor is a heading or an anchor there", () => {
    expect(checkLinks(files, repoRoot)).toEqual([]);
  });
});
