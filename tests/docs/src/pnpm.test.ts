import { describe, expect, it } from "vitest";
import { helpText } from "@folio/scripts/lib/cli.ts";
import { helpOptions, pnpmCall } from "./pnpm.ts";
import { simpleCommands } from "./shell.ts";

const call = (code: string) => pnpmCall(simpleCommands(code)[0]!);

describe("pnpmCall", () => {
  it("when pnpm is given options before its command, then filters are kept and the command found", () => {
    expect(call("pnpm --filter @folio/api --filter=@folio/web -r test --bail")).toEqual({ filters: ["@folio/api", "@folio/web"], command: "test", args: ["--bail"] });
    expect(call("BENCH_LOG_LEVEL=warn pnpm bench:api --rounds 1")).toEqual({ filters: [], command: "bench:api", args: ["--rounds", "1"] });
    expect(call("pnpm -C apps/api run migrate")).toEqual({ filters: [], command: "run", args: ["migrate"] });
    expect(call("pnpm --version")).toEqual({ filters: [], command: undefined, args: [] });
    expect(call("npm install")).toBeUndefined();
  });
});

describe("helpOptions", () => {
  it("when a script's help is read, then its options are those scripts/lib/cli.ts prints, with -h", () => {
    const help = helpText({ usage: "pnpm x", summary: "x", options: [{ name: "lab", type: "string", value: "N", description: "a lab", repeatable: true }, { name: "list", type: "boolean", description: "list" }] });
    expect([...helpOptions(help)].sort()).toEqual(["--help", "--lab", "--list", "--verbose", "-h"]);
  });
});
