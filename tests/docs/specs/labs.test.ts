/**
 * The labs (docs/labs/NN-title/README.md), without a cluster: their blocks' metadata parses under the rules
 * `pnpm labs:check` applies, and every Kubernetes object a lab names with kubectl exists on a lab cluster: in the
 * chart rendered as the labs install it (charts/folio/values-kind.yaml), among the add-ons scripts/kind/*.yaml,
 * the nodes of scripts/kind/cluster.yaml or what kind itself creates (src/objects.ts), or created by the lab.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseLab, runnableBlocks } from "@folio/scripts/lib/labs.ts";
import { checkLabFormat, checkLabObjects } from "../src/checks.ts";
import { parseMarkdown } from "../src/markdown.ts";
import { labClusterObjects, type ObjectIndex } from "../src/objects.ts";
import { readDocs, repoRoot } from "../src/repo.ts";

let index: ObjectIndex;
beforeAll(async () => {
  index = await labClusterObjects(repoRoot);
});

describe("the labs", () => {
  it("when the chart is rendered as the labs install it, then the objects the labs rely on are there", () => {
    const names = index.objects.map((object) => `${object.kind}/${object.name}@${object.namespace ?? ""}`);
    expect(names).toEqual(expect.arrayContaining(["Deployment/folio-api@folio", "StatefulSet/folio-postgres@folio", "Pod/folio-postgres-0@folio", "DaemonSet/folio-agent@folio-agent", "Node/folio-worker3@", "StorageClass/shared@"]));
  });

  it("when a lab's README is parsed as pnpm labs:check does, then its format holds", () => {
    expect(checkLabFormat(repoRoot)).toEqual([]);
  });

  it("when a lab names a Kubernetes object with kubectl, then it exists on the lab cluster or the lab creates it", () => {
    expect(checkLabObjects(readDocs(), index)).toEqual([]);
  });

  it("when the example lab in docs/labs/README.md is read as a lab, then it parses, runs blocks, and names existing objects", () => {
    const path = "docs/labs/README.md";
    const example = parseMarkdown(readFileSync(join(repoRoot, path), "utf8")).fences.find((fence) => fence.lang === "markdown");
    expect(example, "the example lab, in a ````markdown block").toBeDefined();
    const lab = parseLab(example!.code, "docs/labs/00-example/README.md", "00-example");
    expect(runnableBlocks(lab).map((block) => block.mode)).toEqual(["run", "break", "run", "run", "undo"]);
    const asFile = { path: "docs/labs/00-example/README.md", text: example!.code, doc: parseMarkdown(example!.code) };
    expect(checkLabObjects([asFile], index)).toEqual([]);
  });
});
