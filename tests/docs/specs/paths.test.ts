/**
 * Every repository path named in inline code exists: `scripts/lib/cli.ts`, `charts/folio/values-kind.yaml:12`,
 * `docs/labs/`. Placeholders (`apps/<name>/`, `docs/adr/NNNN-title.md`, `scripts/kind/*.yaml`) are not paths, and
 * generated paths (dist/, e2e/.artifacts/, .folio/, …) are allowed: src/repo.ts lists them with the reason.
 */
import { describe, expect, it } from "vitest";
import { checkCodePaths } from "../src/checks.ts";
import { readDocs, repoRoot } from "../src/repo.ts";

describe("paths in the docs' inline code", () => {
  it("when inline code names a path of the repository, then it exists", () => {
    expect(checkCodePaths(readDocs(), repoRoot)).toEqual([]);
  });
});
