/**
 * Queries of the cleanup job (apps/cleanup). Each purge is a pair: `list…` finds the next batch of candidates
 * in keyset order, and `delete…` removes exactly those rows in one statement, checking the condition again, so
 * that a row changed in between (an article restored from the trash) is left alone.
 *
 * Sweeps page by `after` rather than always taking the first rows: a candidate that is kept (a pending upload
 * whose original does exist) must not be found again and again.
 */
import { cursorText, type CursorKey } from "./cursor.js";
import type { Queryable } from "./pool.js";

/** Where a sweep has got to: the last row's sort key, as Postgres's full-precision text, and its id. */
export type SweepKey = CursorKey;

export interface SweepItem {
  id: string;
  key: SweepKey;
}

export interface PendingUpload extends SweepItem {
  originalKey: string;
}

interface KeyRow {
  id: string;
  at: string;
}

const toItem = (row: KeyRow): SweepItem => ({ id: row.id, key: { at: row.at, id: row.id } });

export const cleanupRepo = {
  /** Articles in the trash since before `trashedBefore`, oldest first. */
  async listExpiredTrash(db: Queryable, trashedBefore: Date, after: SweepKey | undefined, limit: number): Promise<SweepItem[]> {
    const { rows } = await db.query<KeyRow>(
      `SELECT id, ${cursorText("trashed_at")} AS at FROM articles
       WHERE status = 'trashed' AND trashed_at < $1
         AND ($2::timestamptz IS NULL OR (trashed_at, id) > ($2, $3::uuid))
       ORDER BY trashed_at, id LIMIT $4`,
      [trashedBefore, after?.at ?? null, after?.id ?? null, limit],
    );
    return rows.map(toItem);
  },

  /** Deletes those of `ids` still in the trash since before `trashedBefore`; revisions go with them (cascade). */
  async deleteExpiredTrash(db: Queryable, ids: string[], trashedBefore: Date): Promise<string[]> {
    const { rows } = await db.query<{ id: string }>(
      "DELETE FROM articles WHERE id = ANY ($1::uuid[]) AND status = 'trashed' AND trashed_at < $2 RETURNING id",
      [ids, trashedBefore],
    );
    return rows.map((row) => row.id);
  },

  /** Media marked deleted, in the order they were deleted. */
  async listDeletedMedia(db: Queryable, after: SweepKey | undefined, limit: number): Promise<SweepItem[]> {
    const { rows } = await db.query<KeyRow>(
      `SELECT id, ${cursorText("updated_at")} AS at FROM media
       WHERE status = 'deleted' AND ($1::timestamptz IS NULL OR (updated_at, id) > ($1, $2::uuid))
       ORDER BY updated_at, id LIMIT $3`,
      [after?.at ?? null, after?.id ?? null, limit],
    );
    return rows.map(toItem);
  },

  /** Deletes the rows of `ids` that are marked deleted. Articles using one as a cover lose it (ON DELETE SET NULL). */
  async deleteDeletedMedia(db: Queryable, ids: string[]): Promise<string[]> {
    const { rows } = await db.query<{ id: string }>(
      "DELETE FROM media WHERE id = ANY ($1::uuid[]) AND status = 'deleted' RETURNING id",
      [ids],
    );
    return rows.map((row) => row.id);
  },

  /** Media still pending and unchanged since before `updatedBefore`, oldest first. */
  async listStalePendingUploads(db: Queryable, updatedBefore: Date, after: SweepKey | undefined, limit: number): Promise<PendingUpload[]> {
    const { rows } = await db.query<KeyRow & { original_key: string }>(
      `SELECT id, original_key, ${cursorText("updated_at")} AS at FROM media
       WHERE status = 'pending' AND updated_at < $1
         AND ($2::timestamptz IS NULL OR (updated_at, id) > ($2, $3::uuid))
       ORDER BY updated_at, id LIMIT $4`,
      [updatedBefore, after?.at ?? null, after?.id ?? null, limit],
    );
    return rows.map((row) => ({ ...toItem(row), originalKey: row.original_key }));
  },

  /** Deletes the rows of `ids` that are still pending and unchanged since before `updatedBefore`. */
  async deleteStalePendingUploads(db: Queryable, ids: string[], updatedBefore: Date): Promise<string[]> {
    const { rows } = await db.query<{ id: string }>(
      "DELETE FROM media WHERE id = ANY ($1::uuid[]) AND status = 'pending' AND updated_at < $2 RETURNING id",
      [ids, updatedBefore],
    );
    return rows.map((row) => row.id);
  },

  /** Which of `ids` have a media row, whatever its status. Strings that are not UUIDs cannot have one. */
  async existingMediaIds(db: Queryable, ids: string[]): Promise<Set<string>> {
    const candidates = ids.filter((id) => UUID.test(id));
    if (candidates.length === 0) return new Set();
    const { rows } = await db.query<{ id: string }>("SELECT id FROM media WHERE id = ANY ($1::uuid[])", [candidates]);
    return new Set(rows.map((row) => row.id));
  },

  /** What `idempotencyRepo.purgeExpired` would delete, for a dry run. */
  async countExpiredIdempotencyKeys(db: Queryable): Promise<number> {
    const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM idempotency_keys WHERE expires_at <= now()");
    return rows[0]?.n ?? 0;
  },
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
