/**
 * The repository as the docs test reads it: every Markdown file (parsed once), and what counts as a path of the
 * repository in a code span.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseMarkdown, type MarkdownDocument } from "./markdown.ts";

export const repoRoot = fileURLToPath(new URL("../../..", import.meta.url)).replace(/\/$/, "");

/** Folders never searched for Markdown: dependencies, build output, caches, and run state. */
const SKIPPED_DIRS = new Set(["node_modules", "dist", ".git", ".turbo", ".folio", ".artifacts", "coverage", "test-results", ".venv", "__pycache__"]);

export interface DocFile {
  /** Repository-relative: "docs/labs/README.md". */
  path: string;
  text: string;
  doc: MarkdownDocument;
}

export function markdownPaths(root: string = repoRoot, dir = ""): string[] {
  const paths: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      // charts/folio/charts holds packed copies of the subcharts (helm dependency build), READMEs included.
      if (!SKIPPED_DIRS.has(entry.name) && path !== "charts/folio/charts") paths.push(...markdownPaths(root, path));
    } else if (entry.name.endsWith(".md")) {
      paths.push(path);
    }
  }
  return paths.sort();
}

export function readDocs(root: string = repoRoot): DocFile[] {
  return markdownPaths(root).map((path) => {
    const text = readFileSync(join(root, path), "utf8");
    return { path, text, doc: parseMarkdown(text) };
  });
}

/**
 * Paths the docs may name although a fresh clone lacks them: each is made by a command the docs describe, and
 * is git-ignored.
 */
export const GENERATED_PATHS: { pattern: RegExp; reason: string }[] = [
  { pattern: /(^|\/)dist(\/|$)/, reason: "compiled output of `pnpm build` (every package's dist/)" },
  { pattern: /(^|\/)node_modules(\/|$)/, reason: "installed by `pnpm install`" },
  { pattern: /^e2e\/\.artifacts(\/|$)/, reason: "written by `pnpm e2e`: timings.json, report.html, diagnostics/" },
  { pattern: /^\.folio(\/|$)/, reason: "the scripts' state: kind configs, shared volumes, diagnostics (`pnpm cluster:up`, `pnpm logs`)" },
  { pattern: /^charts\/folio\/charts(\/|$)/, reason: "the subcharts packed by `helm dependency build charts/folio`" },
];

export function generated(path: string): boolean {
  return GENERATED_PATHS.some(({ pattern }) => pattern.test(path));
}

/** Files at the root that the docs name without a folder. */
const ROOT_FILES = new Set(["package.json", "Dockerfile", "turbo.json", "pnpm-workspace.yaml", "pnpm-lock.yaml", "eslint.config.js", ".nvmrc", ".npmrc", ".dockerignore", ".gitignore", "README.md"]);

/** The repository's top-level folders (not dependencies, not run state): apps, charts, docs, e2e, .ci, … */
export function topLevelDirs(root: string = repoRoot): Set<string> {
  return new Set(
    readdirSync(root, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !SKIPPED_DIRS.has(entry.name) && (!entry.name.startsWith(".") || entry.name === ".ci" || entry.name === ".github"))
      .map((entry) => entry.name),
  );
}

/**
 * The repository path a code span names, or undefined when it names none: it must start with a top-level
 * folder (or be a known root file), hold no spaces, and be no placeholder (<name>, *, {a,b}, NN, $VAR, …).
 * A trailing :line (or :line:column) and #anchor are not part of the path.
 */
export function repoPathIn(span: string, topDirs: Set<string>): string | undefined {
  const text = span.trim().replace(/^\.\//, "");
  if (text === "" || /\s/.test(text) || /[<>*{}$…|]|\.\.\.|(^|[/-])N{2,}\b|\bX{2,}\b/.test(text) || /^[a-z]+:\/\//i.test(text)) return undefined;
  const path = text.replace(/#.*$/, "").replace(/(:\d+)+(-\d+)?$/, "");
  if (ROOT_FILES.has(path)) return path;
  const first = path.split("/")[0]!;
  if (!path.includes("/") || !topDirs.has(first)) return undefined;
  return path;
}

export function pathExists(root: string, path: string): boolean {
  return existsSync(join(root, path));
}
