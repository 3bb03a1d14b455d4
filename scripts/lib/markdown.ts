/**
 * Fenced code blocks of a Markdown file, with the line each starts on. `pnpm labs:check` runs the labs' blocks
 * and the docs test (tests/docs) reads every file's, so both see the same blocks. It follows CommonMark's fence
 * rules (https://spec.commonmark.org/0.31.2/#fenced-code-blocks) with one deliberate difference: a fence may be
 * indented by any amount, because the labs put blocks inside numbered steps (list items), and this scanner does
 * not track lists. Indented code blocks (four spaces, no fence) are not recognised; the repository uses none.
 */

export interface Fence {
  /** 1-based line of the opening fence. */
  line: number;
  /** 1-based line of the closing fence (the last line of the file when it is not closed). */
  endLine: number;
  /** The info string after the opening fence, trimmed: "sh run expect=\"ok\"". */
  info: string;
  /** Its first word: "sh" ("" when there is none). */
  lang: string;
  /** The lines between the fences, with the opening fence's indentation removed. */
  code: string;
  closed: boolean;
}

const OPENING = /^(\s*)(`{3,}|~{3,})(.*)$/;

export function fences(text: string): Fence[] {
  const lines = text.split(/\r?\n/);
  const found: Fence[] = [];
  for (let index = 0; index < lines.length; index++) {
    const match = OPENING.exec(lines[index]!);
    if (!match) continue;
    const [, indent, marker, rest] = match as unknown as [string, string, string, string];
    // A backtick fence's info string cannot contain a backtick (that line is inline code, not a fence).
    if (marker[0] === "`" && rest.includes("`")) continue;
    const closing = new RegExp(`^\\s*${marker[0] === "`" ? "`" : "~"}{${marker.length},}\\s*$`);
    const body: string[] = [];
    let end = index + 1;
    while (end < lines.length && !closing.test(lines[end]!)) {
      body.push(stripIndent(lines[end]!, indent.length));
      end++;
    }
    const info = rest.trim();
    found.push({
      line: index + 1,
      endLine: Math.min(end, lines.length - 1) + 1,
      info,
      lang: info.split(/\s+/)[0] ?? "",
      code: body.join("\n"),
      closed: end < lines.length,
    });
    index = end;
  }
  return found;
}

/** Removes up to `width` leading spaces, as CommonMark does for the content of an indented fence. */
function stripIndent(line: string, width: number): string {
  let cut = 0;
  while (cut < width && line[cut] === " ") cut++;
  return line.slice(cut);
}

/** The text with every fenced block's lines (fences included) blanked out; line breaks kept, so line numbers match. */
export function blankFences(text: string): string {
  const lines = text.split("\n");
  for (const fence of fences(text)) {
    for (let line = fence.line; line <= fence.endLine; line++) lines[line - 1] = "";
  }
  return lines.join("\n");
}

/**
 * The text with every fenced block and every HTML comment blanked out, line breaks kept, so offsets and line
 * numbers still match the original: what is left is prose, headings and tables.
 */
export function withoutCode(text: string): string {
  return blankFences(text).replace(/<!--[\s\S]*?-->/g, (comment) => comment.replace(/[^\n]/g, " "));
}

/** 1-based line of an offset in `text`. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let index = 0; index < offset && index < text.length; index++) if (text[index] === "\n") line++;
  return line;
}
