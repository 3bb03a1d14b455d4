/**
 * Keyset pagination cursors: an opaque, URL-safe encoding of the last row's sort key and id.
 * The sort key is carried as Postgres's own text form of the timestamp, because a JavaScript Date
 * keeps milliseconds while timestamptz keeps microseconds, and a rounded key would skip or repeat rows.
 */
export interface CursorKey {
  at: string;
  id: string;
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify([key.at, key.id])).toString("base64url");
}

/** The text cursorText() gives: UTC, microseconds, years 0001 to 9999 (to_char's YYYY is four digits). */
const CURSOR_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z$/;
/** PostgreSQL's text form of a uuid: lower-case hex, 8-4-4-4-12. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A real calendar instant (no 2026-02-30, no 24:00), written as cursorText() writes it. */
function isCursorTime(text: string): boolean {
  const match = CURSOR_TIME.exec(text);
  if (!match) return false;
  const [, year, month, day, hour, minute, second] = match.map(Number) as [number, number, number, number, number, number, number];
  if (year < 1) return false; // PostgreSQL has no year 0
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls 2026-02-30 over to March: a changed field means the text was not a real instant.
  // (setUTCFullYear, because Date.UTC reads years 0–99 as 1900–1999.)
  date.setUTCFullYear(year);
  return (
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second
  );
}

/**
 * Returns undefined for anything that is not a cursor this module made. Strict on purpose: the values go to
 * PostgreSQL as parameters, and one it refuses ("1" as a timestamp, a malformed uuid) would fail the query with a
 * 500 instead of the client's cursor being rejected with a 400, on the public list too.
 */
export function decodeCursor(cursor: string): CursorKey | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [at, id] = value as unknown[];
  if (typeof at !== "string" || typeof id !== "string" || !isCursorTime(at) || !UUID.test(id)) return undefined;
  const key = { at, id };
  // Only the exact bytes encodeCursor makes: no padding, no other JSON spacing, no second spelling of one cursor.
  return encodeCursor(key) === cursor ? key : undefined;
}

/** SQL expression giving a timestamptz column's full-precision text, for cursors. */
export const cursorText = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
