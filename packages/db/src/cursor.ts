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

/** Returns undefined for anything that is not a cursor this module made. */
export function decodeCursor(cursor: string): CursorKey | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === "string" && typeof value[1] === "string") {
      if (Number.isNaN(Date.parse(value[0])) || !/^[0-9a-f-]{36}$/.test(value[1])) return undefined;
      return { at: value[0], id: value[1] };
    }
  } catch {
    // fall through
  }
  return undefined;
}

/** SQL expression giving a timestamptz column's full-precision text, for cursors. */
export const cursorText = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
