/**
 * What the docs test needs from a Markdown file, each with its 1-based line: headings, explicit anchors, links,
 * inline code spans, fenced blocks and the prose between them. A small scanner rather than a full parser: it
 * follows CommonMark where the repository's files depend on it (code spans of any backtick length that may wrap
 * a line, link destinations with parentheses or in <…>, reference definitions, fences of any length) and
 * nothing else. Headings are ATX (`## Title`) only; the repository uses no setext headings.
 */
import { fences, withoutCode, type Fence } from "@folio/scripts/lib/markdown.ts";

export interface Located {
  text: string;
  line: number;
}

export interface Link {
  /** The destination as written, e.g. "../scripts/lib/cli.ts#L10" or "https://…". */
  url: string;
  line: number;
  /** How it was written: [text](url), ![alt](src), <https://…>, [label]: url, or an HTML attribute. */
  form: "inline" | "image" | "autolink" | "definition" | "html";
}

export interface MarkdownDocument {
  headings: Located[];
  /** Explicit anchors: <a id="…">, <a name="…">, any HTML id="…". */
  anchors: string[];
  links: Link[];
  /** `[text][label]` references whose label is not defined in the file. */
  undefinedReferences: Located[];
  codeSpans: Located[];
  fences: Fence[];
  /** The file with fenced blocks, HTML comments and code spans blanked out (line breaks kept). */
  prose: string;
}

/** Offsets to 1-based lines, by binary search over the starts of the lines. */
export function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let index = 0; index < text.length; index++) if (text[index] === "\n") starts.push(index + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  };
}

/** Blanks a range, keeping line breaks so offsets and lines still match. */
function blank(text: string, start: number, end: number): string {
  return text.slice(0, start) + text.slice(start, end).replace(/[^\n]/g, " ") + text.slice(end);
}

/**
 * Code spans as CommonMark finds them: a run of n backticks up to the next run of exactly n, within one
 * paragraph (a blank line ends the search); line breaks inside become spaces, and one space is stripped from
 * each end when both ends have one. A backslash-escaped backtick opens nothing.
 */
export function codeSpans(text: string): { content: string; start: number; end: number }[] {
  const spans: { content: string; start: number; end: number }[] = [];
  let index = 0;
  while (index < text.length) {
    if (text[index] === "\\") {
      index += 2;
      continue;
    }
    if (text[index] !== "`") {
      index++;
      continue;
    }
    const open = /^`+/.exec(text.slice(index))![0].length;
    let cursor = index + open;
    let close = -1;
    while (cursor < text.length) {
      if (text[cursor] === "`") {
        const run = /^`+/.exec(text.slice(cursor))![0].length;
        if (run === open) {
          close = cursor;
          break;
        }
        cursor += run;
      } else if (text[cursor] === "\n" && /^\n[ \t]*\n/.test(text.slice(cursor, cursor + 200))) {
        break;
      } else {
        cursor++;
      }
    }
    if (close < 0) {
      index += open;
      continue;
    }
    let content = text.slice(index + open, close).replace(/\n/g, " ");
    if (content.length > 2 && content.startsWith(" ") && content.endsWith(" ") && content.trim() !== "") content = content.slice(1, -1);
    spans.push({ content, start: index, end: close + open });
    index = close + open;
  }
  return spans;
}

/** The end of a bracketed text starting at `start` (a "["), with nesting and escapes; -1 when it does not close. */
function closingBracket(text: string, start: number): number {
  let depth = 0;
  for (let index = start; index < text.length; index++) {
    const char = text[index];
    if (char === "\\") index++;
    else if (char === "[") depth++;
    else if (char === "]" && --depth === 0) return index;
    else if (char === "\n" && text[index + 1] === "\n") return -1;
  }
  return -1;
}

/** An inline link's destination after "(" at `start`: <…> or a run without spaces and with balanced parentheses. */
function destination(text: string, start: number): { url: string; end: number } | undefined {
  let index = start;
  while (text[index] === " " || text[index] === "\n") index++;
  if (text[index] === "<") {
    const close = text.indexOf(">", index);
    if (close < 0) return undefined;
    return { url: text.slice(index + 1, close), end: close + 1 };
  }
  let depth = 0;
  let end = index;
  for (; end < text.length; end++) {
    const char = text[end]!;
    if (char === "\\") end++;
    else if (/\s/.test(char)) break;
    else if (char === "(") depth++;
    else if (char === ")") {
      if (depth === 0) break;
      depth--;
    }
  }
  return { url: text.slice(index, end), end };
}

const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/gm;
const DEFINITION = /^ {0,3}\[([^\]\n]+)\]:[ \t]*(<[^>\n]*>|\S+)/gm;

export function parseMarkdown(source: string): MarkdownDocument {
  const text = source.replace(/\r\n/g, "\n");
  // Every offset below is into outsideCode (or prose, of the same length), whose line breaks are the file's.
  const outsideCode = withoutCode(text);
  const lineOf = lineIndex(outsideCode);

  const headings: Located[] = [];
  for (const match of outsideCode.matchAll(HEADING)) headings.push({ text: (match[2] ?? "").trim(), line: lineOf(match.index) });

  const spans = codeSpans(outsideCode);
  let prose = outsideCode;
  for (const span of spans) prose = blank(prose, span.start, span.end);

  // <a id="…"> and <a name="…"> (and any element's id) are anchors too.
  const anchors = [...new Set([...prose.matchAll(/<(?:a\s[^>]*\bname|[a-z][^>]*\sid)\s*=\s*["']([^"']+)["']/gi)].map((match) => match[1]!))];

  const links: Link[] = [];
  const definitions = new Set<string>();
  for (const match of prose.matchAll(DEFINITION)) {
    definitions.add(match[1]!.toLowerCase());
    links.push({ url: match[2]!.replace(/^<|>$/g, ""), line: lineOf(match.index), form: "definition" });
  }
  const undefinedReferences: Located[] = [];
  for (let index = 0; index < prose.length; index++) {
    const char = prose[index];
    if (char === "\\") {
      index++;
      continue;
    }
    if (char !== "[") continue;
    const close = closingBracket(prose, index);
    if (close < 0) continue;
    const image = prose[index - 1] === "!";
    if (prose[close + 1] === "(") {
      const target = destination(prose, close + 2);
      if (target) links.push({ url: target.url, line: lineOf(index), form: image ? "image" : "inline" });
    } else if (prose[close + 1] === "[") {
      const labelEnd = prose.indexOf("]", close + 2);
      if (labelEnd < 0) continue;
      const label = (prose.slice(close + 2, labelEnd) || prose.slice(index + 1, close)).toLowerCase();
      // A definition's own "[label]:" line is not a reference.
      if (!definitions.has(label)) undefinedReferences.push({ text: label, line: lineOf(index) });
    }
  }
  for (const match of prose.matchAll(/<(https?:\/\/[^>\s]*)>/g)) links.push({ url: match[1]!, line: lineOf(match.index), form: "autolink" });
  for (const match of prose.matchAll(/<(?:a|img)\s[^>]*\b(?:href|src)\s*=\s*["']([^"']*)["']/gi)) links.push({ url: match[1]!, line: lineOf(match.index), form: "html" });

  return {
    headings,
    anchors,
    links,
    undefinedReferences,
    codeSpans: spans.map((span) => ({ text: span.content, line: lineOf(span.start) })),
    fences: fences(text),
    prose,
  };
}
