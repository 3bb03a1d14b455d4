/**
 * Every `pnpm` command the docs give exists: a root script or one of pnpm's commands, the package a --filter
 * names and its script, and each --flag given to a root script that runs scripts/*.ts (read from the script's
 * own --help, so the docs and the scripts cannot drift apart).
 */
import { describe, expect, it } from "vitest";
import { checkPnpmCommands } from "../src/checks.ts";
import { readWorkspace, ScriptOptions } from "../src/pnpm.ts";
import { readDocs, repoRoot } from "../src/repo.ts";

describe("pnpm commands in the docs", () => {
  it("when the docs name a pnpm script, a package or an option of a root script, then it exists", async () => {
    expect(await checkPnpmCommands(readDocs(), readWorkspace(repoRoot), new ScriptOptions(repoRoot))).toEqual([]);
  });
});
