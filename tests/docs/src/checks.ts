/**
 * The docs checks over a set of Markdown files. Each returns its problems as "file:line: what is broken", so a
 * failing test lists every one of them at once.
 */
import { join, normalize, posix } from "node:path";
import { discoverLabs, LabFormatError } from "@folio/scripts/lib/labs.ts";
import { kindTable, kubectlObjects, type ObjectRef } from "./kubectl.ts";
import { LAB_OBJECTS, type ObjectIndex } from "./objects.ts";
import { pnpmCall, pnpmProblems, PNPM_COMMANDS, type ScriptOptions, type Workspace } from "./pnpm.ts";
import { generated, pathExists, repoPathIn, topLevelDirs, type DocFile } from "./repo.ts";
import { simpleCommands, type SimpleCommand } from "./shell.ts";
import { headingSlugs } from "./slug.ts";

/** Languages of fenced blocks whose commands are checked as shell. */
export const SHELL_LANGUAGES = new Set(["sh", "bash", "shell", "zsh", "console", "dockerfile", "Dockerfile"]);

/** A heading's anchors and explicit ids, per file. */
export function anchorsOf(file: DocFile): Set<string> {
  return new Set([...headingSlugs(file.doc.headings.map((heading) => heading.text)), ...file.doc.anchors]);
}

/** An http(s) URL a browser can follow: it parses, has a host with a dot (or is localhost), and no spaces. */
export function wellFormedUrl(url: string): boolean {
  if (/\s/.test(url)) return false;
  try {
    const parsed = new URL(url);
    return (parsed.protocol === "http:" || parsed.protocol === "https:") && (parsed.hostname.includes(".") || parsed.hostname === "localhost");
  } catch {
    return false;
  }
}

export function checkLinks(files: DocFile[], root: string): string[] {
  const byPath = new Map(files.map((file) => [file.path, file]));
  const anchors = new Map<string, Set<string>>();
  const anchorSet = (file: DocFile) => {
    if (!anchors.has(file.path)) anchors.set(file.path, anchorsOf(file));
    return anchors.get(file.path)!;
  };
  const problems: string[] = [];
  for (const file of files) {
    for (const reference of file.doc.undefinedReferences) problems.push(`${file.path}:${reference.line}: [${reference.text}] is used as a link reference but never defined`);
    for (const link of file.doc.links) {
      const where = `${file.path}:${link.line}`;
      const url = link.url;
      if (url === "") {
        problems.push(`${where}: a link with no destination`);
      } else if (/^[a-z][a-z0-9+.-]*:/i.test(url)) {
        if (/^https?:/i.test(url) && !wellFormedUrl(url)) problems.push(`${where}: malformed URL ${url}`);
      } else {
        const [target = "", anchor] = url.split("#", 2) as [string, string | undefined];
        let path: string;
        try {
          path = decodeURIComponent(target.replace(/\?.*$/, ""));
        } catch {
          problems.push(`${where}: ${url} is not a valid URL path`);
          continue;
        }
        const resolved = path === "" ? file.path : path.startsWith("/") ? path.slice(1) : posix.normalize(posix.join(posix.dirname(file.path), path));
        if (resolved.startsWith("../")) {
          problems.push(`${where}: ${url} points outside the repository`);
          continue;
        }
        const normalized = resolved.replace(/\/$/, "") || ".";
        if (!generated(normalized) && !pathExists(root, normalized)) {
          problems.push(`${where}: ${url}${target === normalized ? "" : ` (${normalized})`} does not exist`);
          continue;
        }
        if (anchor === undefined) continue;
        if (anchor === "") {
          problems.push(`${where}: ${url} has an empty #anchor`);
          continue;
        }
        const targetFile = byPath.get(normalized);
        if (targetFile && !anchorSet(targetFile).has(decodeURIComponent(anchor))) {
          problems.push(`${where}: ${url}: ${normalized} has no heading or anchor "#${anchor}" (its anchors: ${[...anchorSet(targetFile)].slice(0, 12).join(", ")}${anchorSet(targetFile).size > 12 ? ", …" : ""})`);
        }
      }
    }
  }
  return problems;
}

/**
 * Paths the docs name on purpose although they do not exist, by file: each says why. (Generated paths are in
 * src/repo.ts.)
 */
export const NAMED_ON_PURPOSE: { file: string; path: string; reason: string }[] = [
  { file: "docs/adr/0002-migrations-node-pg-migrate-sql.md", path: "apps/migrate", reason: "the separate migrations app the ADR considered and rejected" },
];

export function checkCodePaths(files: DocFile[], root: string): string[] {
  const topDirs = topLevelDirs(root);
  const problems: string[] = [];
  for (const file of files) {
    for (const span of file.doc.codeSpans) {
      const path = repoPathIn(span.text, topDirs);
      if (!path || generated(path) || NAMED_ON_PURPOSE.some((entry) => entry.file === file.path && entry.path === path)) continue;
      // A package's README names its own files from its folder (apps/web's `scripts/api-types.ts`).
      if (pathExists(root, normalize(path)) || pathExists(root, posix.join(posix.dirname(file.path), path))) continue;
      problems.push(`${file.path}:${span.line}: \`${span.text}\`: no such file or folder ${path}`);
    }
  }
  return problems;
}

/** Words that follow "pnpm" in English prose without being a command: "the pnpm workspace". */
const PROSE_WORDS = new Set(["workspace", "workspaces", "catalog", "catalogs", "lockfile", "version", "versions", "command", "commands", "script", "scripts", "package", "packages", "option", "options", "itself", "and", "or", "is", "as", "to", "with", "through"]);

interface Located<T> {
  value: T;
  line: number;
}

/** Every shell command of a file: in shell blocks and in inline code, each with its line. */
export function shellCommands(file: DocFile): Located<SimpleCommand>[] {
  const found: Located<SimpleCommand>[] = [];
  for (const fence of file.doc.fences) {
    if (!SHELL_LANGUAGES.has(fence.lang)) continue;
    // A console block's commands follow a "$ " prompt.
    const code = fence.lang === "console" ? fence.code.split("\n").map((line) => (line.startsWith("$ ") ? line.slice(2) : "")).join("\n") : fence.code;
    for (const command of simpleCommands(code)) found.push({ value: command, line: fence.line + command.line });
  }
  for (const span of file.doc.codeSpans) for (const command of simpleCommands(span.text)) found.push({ value: command, line: span.line });
  return found;
}

export async function checkPnpmCommands(files: DocFile[], workspace: Workspace, options: ScriptOptions): Promise<string[]> {
  const problems: string[] = [];
  // All at once: each root script's --help then loads once, concurrently with the others.
  const calls = files.flatMap((file) => shellCommands(file).map(({ value, line }) => ({ where: `${file.path}:${line}`, call: pnpmCall(value) })));
  const answers = await Promise.all(calls.map(({ call }) => (call ? pnpmProblems(call, workspace, options) : [])));
  calls.forEach(({ where }, index) => problems.push(...answers[index]!.map((problem) => `${where}: ${problem}`)));
  for (const file of files) {
    // Prose, and blocks of plain text (the README's tree), name scripts too: "run pnpm e2e". Only the name is checked.
    const texts = [{ text: file.doc.prose, offset: 0 }, ...file.doc.fences.filter((fence) => fence.lang === "").map((fence) => ({ text: fence.code, offset: fence.line }))];
    for (const { text, offset } of texts) {
      for (const match of text.matchAll(/(^|[^\w@/.-])pnpm[ \t]+([a-z][\w:-]*)/gm)) {
        const name = match[2]!.replace(/[:-]+$/, "");
        if (PROSE_WORDS.has(name) || name in workspace.scripts || PNPM_COMMANDS.has(name)) continue;
        const line = offset + text.slice(0, match.index).split("\n").length;
        problems.push(`${file.path}:${line}: "pnpm ${name}": "${name}" is neither a root script in package.json nor a pnpm command`);
      }
    }
  }
  return problems;
}

/** The labs' Markdown: docs/labs/**. */
export function labFiles(files: DocFile[]): DocFile[] {
  return files.filter((file) => file.path.startsWith("docs/labs/"));
}

export function checkLabObjects(files: DocFile[], index: ObjectIndex): string[] {
  const kinds = kindTable(index.objects.map((object) => object.kind));
  const problems: string[] = [];
  for (const file of labFiles(files)) {
    const uses: Located<ObjectRef>[] = [];
    const created: ObjectRef[] = LAB_OBJECTS.filter((entry) => file.path.startsWith(`docs/labs/${entry.lab}/`)).map((entry) => ({ ...entry, anyNamespace: false, written: entry.name }));
    for (const fence of file.doc.fences) {
      if (!SHELL_LANGUAGES.has(fence.lang)) continue;
      const commands = simpleCommands(fence.code);
      const stdin = commands.flatMap((command) => command.heredocs).join("\n---\n");
      for (const command of commands) {
        const objects = kubectlObjects(command, kinds, stdin);
        created.push(...objects.creates);
        uses.push(...objects.uses.map((ref) => ({ value: ref, line: fence.line + command.line })));
      }
    }
    for (const { value, line } of uses) {
      const problem = index.problem(value, created);
      if (problem) problems.push(`${file.path}:${line}: ${problem}`);
    }
  }
  return problems;
}

/** The labs' READMEs parse under `pnpm labs:check`'s rules (scripts/lib/labs.ts). */
export function checkLabFormat(root: string): string[] {
  try {
    discoverLabs(join(root, "docs", "labs"), root);
    return [];
  } catch (error) {
    if (error instanceof LabFormatError) return error.problems;
    throw error;
  }
}
