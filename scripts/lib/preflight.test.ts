import { describe, expect, it } from "vitest";
import { atLeast, clustersVerdict, formatResults, inotifyVerdict, memoryVerdict, parseVersion, portVerdict, versionVerdict, MINIMUMS } from "./preflight.ts";

describe("parseVersion", () => {
  it("reads the versions the tools print", () => {
    expect(parseVersion("kind v0.31.0 go1.25.5 linux/amd64")).toEqual([0, 31, 0]);
    expect(parseVersion("v3.18.4+gd80839c")).toEqual([3, 18, 4]);
    expect(parseVersion("Client Version: v1.34.2\nKustomize Version: v5.7.1")).toEqual([1, 34, 2]);
    expect(parseVersion("v24.21.0")).toEqual([24, 21, 0]);
    expect(parseVersion("no version here")).toBeUndefined();
  });

  it("compares versions part by part", () => {
    expect(atLeast([0, 31, 0], MINIMUMS.kind)).toBe(true);
    expect(atLeast([0, 30, 9], MINIMUMS.kind)).toBe(false);
    expect(atLeast([1, 0, 0], MINIMUMS.kind)).toBe(true);
    expect(atLeast([4, 1, 0], MINIMUMS.helm)).toBe(true);
  });
});

describe("verdicts", () => {
  it("when a tool is missing or too old, then it fails with the install link", () => {
    expect(versionVerdict("kind", undefined, MINIMUMS.kind, "install kind")).toMatchObject({ verdict: "fail", detail: "not found on PATH", fix: "install kind" });
    expect(versionVerdict("helm", "v3.12.0", MINIMUMS.helm, "install helm")).toMatchObject({ verdict: "fail", detail: "3.12.0 is older than 3.18.0" });
    expect(versionVerdict("helm", "v4.1.0+g1", MINIMUMS.helm, "x")).toMatchObject({ verdict: "ok", detail: "4.1.0" });
  });

  it("when Docker has little memory, then it fails below 6 GiB and warns below 8", () => {
    expect(memoryVerdict(4 * 1024 ** 3).verdict).toBe("fail");
    expect(memoryVerdict(7 * 1024 ** 3).verdict).toBe("warn");
    expect(memoryVerdict(24 * 1024 ** 3)).toMatchObject({ verdict: "ok", detail: "24.0 GiB" });
  });

  it("when a port is taken by something else, then it fails with how to find it and the option to move", () => {
    const taken = portVerdict(80, false, false, "--http-port 8080");
    expect(taken.verdict).toBe("fail");
    expect(taken.fix).toContain("--http-port 8080");
    expect(portVerdict(80, false, true, "x").verdict).toBe("ok");
  });

  it("when other kind clusters exist, then it warns with the command that deletes each", () => {
    const result = clustersVerdict(["folio", "old", "demo"], "folio");
    expect(result.verdict).toBe("warn");
    expect(result.fix).toBe("Delete the ones you do not need: kind delete cluster --name old; kind delete cluster --name demo");
    expect(clustersVerdict(["folio"], "folio")).toMatchObject({ verdict: "ok" });
  });

  it("when inotify limits are Linux's defaults, then it warns with the sysctl line", () => {
    expect(inotifyVerdict(128, 8192)).toMatchObject({ verdict: "warn", fix: expect.stringContaining("sysctl fs.inotify.max_user_instances=512") });
    expect(inotifyVerdict(512, 524288).verdict).toBe("ok");
  });

  it("prints the fix under each problem only", () => {
    const text = formatResults([
      { name: "Docker", verdict: "ok", detail: "28.2" },
      { name: "kind", verdict: "fail", detail: "not found", fix: "install it" },
    ]);
    expect(text.split("\n")).toEqual(["OK    Docker  28.2", "FAIL  kind    not found", "              fix: install it"]);
  });
});
