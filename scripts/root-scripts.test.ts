/**
 * The root package.json's scripts run files from scripts/ with plain Node, which strips the types and does
 * nothing else. Two ways such a script can work in every working copy and still fail on a fresh clone or at its
 * first real run, both of which this file catches without a fresh clone:
 *   - a static import of a workspace package, which loads its dist/ before the script could build it
 *     (`pnpm dev` did this: ERR_MODULE_NOT_FOUND for packages/testkit/dist on a fresh clone);
 *   - TypeScript that Node cannot strip (parameter properties, enums), which vitest's own transform accepts,
 *     so unit tests of the same code pass.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./lib/prerequisites.ts";

const root = repoRoot();
const rootScripts = Object.entries(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts as Record<string, string>)
  .map(([name, command]) => ({ name, file: /^node (scripts\/[\w-]+\.ts)\b/.exec(command)?.[1] }))
  .filter((script): script is { name: string; file: string } => script.file !== undefined);

const sources = ["scripts", "scripts/lib"].flatMap((dir) =>
  readdirSync(join(root, dir))
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts"))
    .map((file) => `${dir}/${file}`),
);

describe("the root scripts", () => {
  it("when a script file is read, then it imports no workspace package's code at the top (types only; code after building)", () => {
    // `import type` is erased; anything else from @folio/* (except the scripts package itself) needs a dist/.
    const staticImport = /^(?:import|export)\s+(?!type\s)[^;]*?\sfrom\s+["']@folio\/(?!scripts\/)[^"']+["']/gm;
    const offenders = sources.flatMap((file) => (readFileSync(join(root, file), "utf8").match(staticImport) ?? []).map((line) => `${file}: ${line}`));
    expect(offenders).toEqual([]);
  });

  // Loading a script takes a few hundred milliseconds, and several seconds on a loaded 2-core machine (7.7 s seen),
  // past vitest's default 5 s: the process's own timeout is the bound.
  it.each(rootScripts.map(({ name, file }) => [name, file]))(
    "when `pnpm %s --help` runs under plain Node, then it loads and prints its usage",
    (_name, file) => {
      const result = spawnSync(process.execPath, [file, "--help"], { cwd: root, encoding: "utf8", timeout: 60_000 });
      expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
      expect(result.stdout).toMatch(/usage/i);
    },
    70_000,
  );
});
