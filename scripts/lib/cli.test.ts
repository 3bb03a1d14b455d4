import { describe, expect, it } from "vitest";
import { formatSeconds, helpText, parseOptions, portOption, timingTable, UsageError, type CliSpec } from "./cli.ts";

const spec: CliSpec = {
  usage: "pnpm thing [options]",
  summary: "Does the thing.",
  options: [
    { name: "cluster", type: "string", value: "NAME", description: "cluster name", default: "folio" },
    { name: "values", type: "string", value: "FILE", description: "values file", repeatable: true },
    { name: "keep", type: "boolean", description: "keep it" },
    { name: "http-port", type: "string", value: "PORT", description: "port" },
  ],
};

describe("parseOptions", () => {
  it("when options are given, then strings, repeatable lists and booleans come back typed", () => {
    const options = parseOptions(spec, ["--cluster", "x", "--values", "a.yaml", "--values=b.yaml", "--keep"]);
    expect(options).toMatchObject({ cluster: "x", values: ["a.yaml", "b.yaml"], keep: true, verbose: false, help: false });
  });

  it("when an option is absent, then a string is undefined and a boolean is false", () => {
    const options = parseOptions(spec, []);
    expect(options.cluster).toBeUndefined();
    expect(options.keep).toBe(false);
  });

  it("when an unknown option is given, then a UsageError names it", () => {
    expect(() => parseOptions(spec, ["--clustr", "x"])).toThrow(new UsageError("unknown option --clustr"));
    expect(() => parseOptions(spec, ["-x"])).toThrow(/unknown option -x/);
  });

  it("when a positional argument is given, then it is refused", () => {
    expect(() => parseOptions(spec, ["up"])).toThrow(/unexpected argument up/);
  });

  it("when a string option has no value, then it is refused", () => {
    expect(() => parseOptions(spec, ["--cluster"])).toThrow(/--cluster needs a value/);
  });

  it("when a non-repeatable option is repeated, then it is refused", () => {
    expect(() => parseOptions(spec, ["--cluster", "a", "--cluster", "b"])).toThrow(/may be given once/);
  });

  it("when -h is given, then help is set", () => {
    expect(parseOptions(spec, ["-h"]).help).toBe(true);
  });
});

describe("portOption", () => {
  it("when the value is a port, then it is a number; otherwise a UsageError", () => {
    expect(portOption({ "http-port": "8080" }, "http-port", 80)).toBe(8080);
    expect(portOption({}, "http-port", 80)).toBe(80);
    expect(() => portOption({ "http-port": "http" }, "http-port", 80)).toThrow(/--http-port must be a port number/);
    expect(() => portOption({ "http-port": "70000" }, "http-port", 80)).toThrow(UsageError);
  });
});

describe("helpText", () => {
  it("lists every option with its value, default and the common ones", () => {
    const help = helpText(spec);
    expect(help).toContain("Usage: pnpm thing [options]");
    expect(help).toMatch(/--cluster NAME\s+cluster name \(default: folio\)/);
    expect(help).toMatch(/--values FILE\s+values file \(repeatable\)/);
    expect(help).toContain("--verbose");
    expect(help).toContain("--help");
  });
});

describe("timingTable", () => {
  it("shows each step's time, marks steps over their budget and adds the total", () => {
    const table = timingTable(
      [
        { title: "cluster up", seconds: 95.4, ok: true },
        { title: "images built and loaded", seconds: 300, ok: true },
        { title: "suite", seconds: 12, ok: false },
      ],
      { "cluster up": 180, "images built and loaded": 240 },
    );
    const lines = table.split("\n");
    expect(lines[0]).toMatch(/^cluster up\s+1 min 35 s\s+ok\s+within 3 min 0 s$/);
    expect(lines[1]).toMatch(/images built and loaded\s+5 min 0 s\s+ok\s+OVER 4 min 0 s/);
    expect(lines[2]).toMatch(/suite\s+12.0 s\s+failed/);
    expect(lines[3]).toMatch(/^total\s+6 min 47 s/);
  });

  it("indents nested steps under their parent and leaves them out of the total", () => {
    const table = timingTable([
      { title: "images", seconds: 100, ok: true, depth: 0 },
      { title: "build", seconds: 60, ok: true, depth: 1 },
      { title: "load", seconds: 40, ok: true, depth: 1 },
    ]);
    expect(table.split("\n").map((line) => line.replace(/\s+/g, " ").trim())).toEqual(["images 1 min 40 s ok", "build 1 min 0 s ok", "load 40.0 s ok", "total 1 min 40 s"]);
    expect(table.split("\n")[1]).toMatch(/^ {2}build/);
  });

  it("formats seconds below a minute with a decimal", () => {
    expect(formatSeconds(4.25)).toBe("4.3 s");
    expect(formatSeconds(61)).toBe("1 min 1 s");
  });
});
