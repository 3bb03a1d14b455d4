import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { fillTemplate } from "./template.ts";
import { repoRoot } from "./prerequisites.ts";
import { addonImages } from "./images.ts";

describe("fillTemplate", () => {
  it("fills every placeholder and leaves shell variables alone", () => {
    expect(fillTemplate('image: ${IMAGE}\nrun: mkdir "$VOL_DIR"', { IMAGE: "busybox:1" })).toBe('image: busybox:1\nrun: mkdir "$VOL_DIR"');
  });

  it("when a placeholder has no value, or a value no placeholder, then it names it", () => {
    expect(() => fillTemplate("${A} ${B}", { A: "1" }, "x.yaml")).toThrow("x.yaml: no value for ${B}");
    expect(() => fillTemplate("${A}", { A: "1", C: "2" })).toThrow("no placeholder for ${C}");
  });

  it("fills the repository's add-on manifests into valid YAML with no placeholder left", () => {
    const dir = join(repoRoot(), "scripts", "kind");
    const images = addonImages({});
    const manifests = [
      fillTemplate(readFileSync(join(dir, "traefik.yaml"), "utf8"), { TRAEFIK_IMAGE: images.TRAEFIK_IMAGE }),
      fillTemplate(readFileSync(join(dir, "metrics-server.yaml"), "utf8"), { METRICS_SERVER_IMAGE: images.METRICS_SERVER_IMAGE }),
      fillTemplate(readFileSync(join(dir, "metrics-server-apiservice.yaml"), "utf8"), {}),
      fillTemplate(readFileSync(join(dir, "shared-storage.yaml"), "utf8"), { PROVISIONER_IMAGE: "p:1", HELPER_IMAGE: "h:1" }),
    ];
    for (const manifest of manifests) {
      expect(manifest).not.toContain("${");
      for (const document of parseAllDocuments(manifest)) expect(document.errors).toEqual([]);
    }
  });
});
