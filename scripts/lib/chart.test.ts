import { describe, expect, it } from "vitest";
import { chartValueArgs, KIND_VALUES } from "./chart.ts";

describe("chartValueArgs", () => {
  it("installs with the kind values, then the given files, then the image tag of every app", () => {
    const args = chartValueArgs({ httpPort: 80 }, { imageTag: "abc123", valuesFiles: ["/tmp/e2e.yaml"] });
    expect(args.slice(0, 4)).toEqual(["--values", KIND_VALUES, "--values", "/tmp/e2e.yaml"]);
    for (const app of ["api", "web", "worker", "cleanup", "agent"]) expect(args).toContain(`${app}.image.tag=abc123`);
    expect(args.join(" ")).not.toContain("publicPort");
  });

  it("when the ingress is on another host port, then browsers are told it, as a number", () => {
    const args = chartValueArgs({ httpPort: 8080 }, {});
    expect(args.slice(-2)).toEqual(["--set", "ingress.publicPort=8080"]);
  });

  it("when another image prefix is given, then every app's repository uses it, and --set pairs come last among strings", () => {
    const args = chartValueArgs({ httpPort: 80 }, { imagePrefix: "registry.example.com/folio", set: { logLevel: "debug" } });
    expect(args).toContain("api.image.repository=registry.example.com/folio/api");
    expect(args.at(-1)).toBe("logLevel=debug");
  });
});
