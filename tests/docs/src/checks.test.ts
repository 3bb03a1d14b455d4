/**
 * The checks against a small repository made for the test, each with one thing right and one broken, so the
 * messages are shown to name the file, the line and what is broken.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCodePaths, checkLabFormat, checkLabObjects, checkLinks, checkPnpmCommands, wellFormedUrl } from "./checks.ts";
import { ObjectIndex } from "./objects.ts";
import { readWorkspace, ScriptOptions } from "./pnpm.ts";
import { readDocs, type DocFile } from "./repo.ts";

let root: string;
let files: DocFile[];

function write(path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "docs-checks-"));
  write("package.json", JSON.stringify({ scripts: { build: "turbo run build", e2e: "node scripts/e2e.ts" } }));
  write("pnpm-workspace.yaml", "packages:\n  - apps/*\n");
  write("apps/api/package.json", JSON.stringify({ name: "@folio/api", scripts: { bench: "node bench.js", test: "vitest run" } }));
  write("apps/api/README.md", "# API\n\nRun `scripts/local.ts` (its own folder) and `scripts/e2e.ts`.\n");
  write("apps/api/scripts/local.ts", "");
  // Prints its options the way scripts/lib/cli.ts's helpText does.
  write("scripts/e2e.ts", 'console.log("Usage: pnpm e2e [options]\\n\\nOptions:\\n  --keep          keep it\\n  --scenario P    only these\\n  --help          this text");\n');
  write(
    "README.md",
    [
      "# Folio", // 1
      "", // 2
      "## Quick start", // 3
      "", // 4
      "[ok](docs/guide.md#set-up) [missing](docs/gone.md) [bad anchor](docs/guide.md#nowhere) [here](#quick-start) [not here](#quick-stop)", // 5
      "[site](https://example.com/a) [broken](https://exa mple.com) [host](http://nohost/) [generated](e2e/.artifacts/report.html)", // 6
      "", // 7
      "Paths: `scripts/e2e.ts`, `scripts/gone.ts:12`, `docs/labs/NN-title/`, `apps/<name>/`, `dist/x.js`, `apps/api/dist/main.js`.", // 8
      "", // 9
      "```sh", // 10
      "pnpm install && pnpm e2e --keep --scenario 'node lost'", // 11
      "pnpm e2e --reuse", // 12
      "pnpm --filter @folio/api bench && pnpm --filter @folio/api bnech", // 13
      "pnpm --filter @folio/nope test; pnpm deploy:all; pnpm run build; pnpm turbo run build", // 14
      "```", // 15
      "", // 16
      "The pnpm workspace builds with pnpm build, and pnpm biuld is a typo.", // 17
    ].join("\n"),
  );
  write("docs/guide.md", "# Guide\n\n## Set up\n\nBack to the [README](../README.md#folio), and [up](../READ.md).\n");
  write("docs/labs/01-first/README.md", "# First\n\n```sh run retry=soon\nkubectl get deploy folio-api\n```\n");
  write(
    "docs/labs/02-second/README.md",
    [
      "# Second", // 1
      "", // 2
      "```sh run", // 3
      "kubectl get deploy/folio-api sts/folio-postgres && kubectl logs folio-postgres-0", // 4
      "kubectl logs folio-api-7d9c5b-x2x9z", // 5
      "kubectl get ds folio-agent", // 6
      "kubectl get pvc data-folio-postgres-1", // 7
      "kubectl create job backup-now --from=cronjob/folio-backup && kubectl logs job/backup-now", // 8
      "kubectl describe node folio-worker4", // 9
      "```", // 10
    ].join("\n"),
  );
  mkdirSync(join(root, "node_modules", ".bin"), { recursive: true });
  writeFileSync(join(root, "node_modules", ".bin", "turbo"), "");
  write("node_modules/some-package/README.md", "[broken](nowhere.md)\n");
  files = readDocs(root);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the docs checks", () => {
  it("when Markdown files are collected, then dependencies are left out", () => {
    expect(files.map((file) => file.path)).toEqual(["README.md", "apps/api/README.md", "docs/guide.md", "docs/labs/01-first/README.md", "docs/labs/02-second/README.md"]);
  });

  it("when links are broken, then each is named with its file and line", () => {
    expect(checkLinks(files, root)).toEqual([
      "README.md:5: docs/gone.md does not exist",
      'README.md:5: docs/guide.md#nowhere: docs/guide.md has no heading or anchor "#nowhere" (its anchors: guide, set-up)',
      'README.md:5: #quick-stop: README.md has no heading or anchor "#quick-stop" (its anchors: folio, quick-start)',
      "README.md:6: malformed URL https://exa", // a space ends a destination
      "README.md:6: malformed URL http://nohost/",
      "docs/guide.md:5: ../READ.md (READ.md) does not exist",
    ]);
  });

  it("when inline code names a path that does not exist, then it is named; placeholders and generated paths are not", () => {
    expect(checkCodePaths(files, root)).toEqual(["README.md:8: `scripts/gone.ts:12`: no such file or folder scripts/gone.ts"]);
  });

  it("when a pnpm script, package, package script or root-script option does not exist, then it is named", async () => {
    expect(await checkPnpmCommands(files, readWorkspace(root), new ScriptOptions(root))).toEqual([
      "README.md:12: `pnpm e2e --reuse`: pnpm e2e (scripts/e2e.ts) has no option --reuse; it has --keep, --scenario, --help",
      'README.md:13: `pnpm --filter @folio/api bnech`: @folio/api (apps/api/package.json) has no script "bnech"; it has bench, test',
      "README.md:14: `pnpm --filter @folio/nope test`: no workspace package @folio/nope",
      'README.md:14: `pnpm deploy:all`: "deploy:all" is neither a root script in package.json (build, e2e) nor a pnpm command',
      'README.md:17: "pnpm biuld": "biuld" is neither a root script in package.json nor a pnpm command',
    ]);
  });

  it("when a lab's metadata is malformed, then the problem is named as pnpm labs:check names it", () => {
    expect(checkLabFormat(root)).toEqual(['docs/labs/01-first/README.md:3: retry must be a whole number of seconds, like retry=60, not "soon"']);
  });

  it("when a lab names objects, then those that do not exist are named with a way to fix them", () => {
    const index = new ObjectIndex([
      { kind: "Deployment", name: "folio-api", namespace: "folio", source: "chart", spec: { selector: { matchLabels: { "app.kubernetes.io/component": "api" } } } },
      { kind: "StatefulSet", name: "folio-postgres", namespace: "folio", source: "chart", spec: { replicas: 1, volumeClaimTemplates: [{ metadata: { name: "data" } }] } },
      { kind: "DaemonSet", name: "folio-agent", namespace: "folio-agent", source: "chart" },
      { kind: "CronJob", name: "folio-backup", namespace: "folio", source: "chart" },
      { kind: "Node", name: "folio-worker", namespace: undefined, source: "scripts/kind/cluster.yaml" },
    ]);
    expect(checkLabObjects(files, index)).toEqual([
      "docs/labs/02-second/README.md:5: folio-api-7d9c5b-x2x9z: the pods of Deployment folio-api have generated names; write deploy/folio-api or select them with -l app.kubernetes.io/component=api",
      "docs/labs/02-second/README.md:6: ds folio-agent: no DaemonSet folio-agent in the namespace folio; it is in the namespace folio-agent (add -n folio-agent)",
      "docs/labs/02-second/README.md:7: pvc data-folio-postgres-1: no PersistentVolumeClaim data-folio-postgres-1 in the namespace folio in the chart as the labs deploy it (values-kind.yaml), the cluster's add-ons or nodes, nor created by the lab",
      "docs/labs/02-second/README.md:9: node folio-worker4: no Node folio-worker4 in the chart as the labs deploy it (values-kind.yaml), the cluster's add-ons or nodes, nor created by the lab",
    ]);
  });

  it("when a URL is checked, then it must parse, use http(s) and have a real host", () => {
    expect(wellFormedUrl("https://helm.sh/docs/intro/install/")).toBe(true);
    expect(wellFormedUrl("http://localhost:5173/editor")).toBe(true);
    expect(wellFormedUrl("https://github.com/x y")).toBe(false);
    expect(wellFormedUrl("https//github.com")).toBe(false);
  });
});
