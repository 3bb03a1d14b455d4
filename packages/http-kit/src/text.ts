/**
 * Strings no text column can hold, rejected where requests are parsed so that no route can pass one to PostgreSQL:
 *   - U+0000 (NUL): PostgreSQL's text types cannot store it and refuse the whole statement
 *     (https://www.postgresql.org/docs/current/datatype-character.html), which the API would answer with a 500;
 *   - a lone UTF-16 surrogate (JSON allows the escape "\ud800"): not Unicode at all; the driver would store it as
 *     U+FFFD, so the text read back would differ from the text sent.
 * Checked on the raw request parts, before the schemas: every string field of every route is covered, including
 * those a schema forgets.
 */
import type { FieldProblem } from "./errors.js";

/** With the u flag a surrogate pair is one code point, so \p{Cs} matches only the lone halves. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Why `text` cannot be stored, or undefined when it can. */
export function unstorableText(text: string): string | undefined {
  if (text.includes("\u0000")) return "contains a NUL character (U+0000), which text cannot hold";
  if (LONE_SURROGATE.test(text)) return "contains a lone UTF-16 surrogate, which is not valid Unicode";
  return undefined;
}

/**
 * Every string inside `value` (objects, arrays, nested) that cannot be stored, with its dotted path. Iterative, so
 * a deeply nested JSON body cannot overflow the stack; the schemas reject such bodies afterwards.
 */
export function findUnstorableText(where: string, value: unknown): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const pending: [path: string, value: unknown][] = [["", value]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [path, item] = next;
    if (typeof item === "string") {
      const problem = unstorableText(item);
      if (problem) problems.push({ in: where, path, message: problem });
    } else if (item && typeof item === "object") {
      for (const [key, inner] of Object.entries(item)) pending.push([path ? `${path}.${key}` : key, inner]);
    }
  }
  return problems.reverse();
}
