import { cursorText, decodeCursor, encodeCursor, type Page } from "./cursor.js";
import type { Queryable } from "./pool.js";

export type MediaStatus = "pending" | "ready" | "failed" | "deleted";

export interface MediaVariant {
  /** thumb, display, thumb-webp, display-webp, … */
  name: string;
  key: string;
  contentType: string;
  width: number;
  height: number;
  bytes: number;
}

export interface Media {
  id: string;
  ownerId: string | null;
  filename: string;
  contentType: string;
  sizeBytes: number;
  originalKey: string;
  status: MediaStatus;
  variants: MediaVariant[];
  width: number | null;
  height: number | null;
  failureReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

interface MediaRow {
  id: string;
  owner_id: string | null;
  filename: string;
  content_type: string;
  size_bytes: string;
  original_key: string;
  status: MediaStatus;
  variants: MediaVariant[];
  width: number | null;
  height: number | null;
  failure_reason: string | null;
  created_at: Date;
  updated_at: Date;
  cursor_at?: string;
}

const toMedia = (row: MediaRow): Media => ({
  id: row.id,
  ownerId: row.owner_id,
  filename: row.filename,
  contentType: row.content_type,
  sizeBytes: Number(row.size_bytes),
  originalKey: row.original_key,
  status: row.status,
  variants: row.variants,
  width: row.width,
  height: row.height,
  failureReason: row.failure_reason,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export const mediaRepo = {
  async create(
    db: Queryable,
    media: Pick<Media, "id" | "ownerId" | "filename" | "contentType" | "sizeBytes" | "originalKey">,
  ): Promise<Media> {
    const { rows } = await db.query<MediaRow>(
      `INSERT INTO media (id, owner_id, filename, content_type, size_bytes, original_key)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [media.id, media.ownerId, media.filename, media.contentType, media.sizeBytes, media.originalKey],
    );
    return toMedia(rows[0]!);
  },

  async findById(db: Queryable, id: string): Promise<Media | undefined> {
    const { rows } = await db.query<MediaRow>("SELECT * FROM media WHERE id = $1", [id]);
    return rows[0] && toMedia(rows[0]);
  },

  async findByIds(db: Queryable, ids: string[]): Promise<Media[]> {
    if (ids.length === 0) return [];
    const { rows } = await db.query<MediaRow>("SELECT * FROM media WHERE id = ANY ($1::uuid[])", [ids]);
    return rows.map(toMedia);
  },

  async list(db: Queryable, options: { status?: MediaStatus; cursor?: string; limit: number }): Promise<Page<Media>> {
    const key = options.cursor ? decodeCursor(options.cursor) : undefined;
    const { rows } = await db.query<MediaRow>(
      `SELECT *, ${cursorText("created_at")} AS cursor_at FROM media
       WHERE (CASE WHEN $1::media_status IS NULL THEN status <> 'deleted' ELSE status = $1 END)
         AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3::uuid))
       ORDER BY created_at DESC, id DESC LIMIT $4`,
      [options.status ?? null, key?.at ?? null, key?.id ?? null, options.limit + 1],
    );
    const items = rows.slice(0, options.limit).map(toMedia);
    const last = rows[options.limit - 1];
    return {
      items,
      nextCursor: rows.length > options.limit && last ? encodeCursor({ at: last.cursor_at!, id: last.id }) : null,
    };
  },

  /** Soft delete: the row stays (articles may still point at it) and cleanup removes objects and row later. */
  async markDeleted(db: Queryable, id: string): Promise<Media | undefined> {
    const { rows } = await db.query<MediaRow>(
      "UPDATE media SET status = 'deleted', updated_at = now() WHERE id = $1 AND status <> 'deleted' RETURNING *",
      [id],
    );
    return rows[0] && toMedia(rows[0]);
  },

  /** Worker: the variants exist in storage; only a pending row moves, so a duplicate job changes nothing. */
  async markReady(
    db: Queryable,
    id: string,
    result: { variants: MediaVariant[]; width: number; height: number },
  ): Promise<boolean> {
    const { rowCount } = await db.query(
      `UPDATE media SET status = 'ready', variants = $2, width = $3, height = $4, failure_reason = NULL, updated_at = now()
       WHERE id = $1 AND status = 'pending'`,
      [id, JSON.stringify(result.variants), result.width, result.height],
    );
    return (rowCount ?? 0) > 0;
  },

  async markFailed(db: Queryable, id: string, reason: string): Promise<boolean> {
    const { rowCount } = await db.query(
      "UPDATE media SET status = 'failed', failure_reason = $2, updated_at = now() WHERE id = $1 AND status = 'pending'",
      [id, reason.slice(0, 500)],
    );
    return (rowCount ?? 0) > 0;
  },

  /** Reconciler: media still pending after `olderThanMs`, oldest first. */
  async listStalePending(db: Queryable, olderThanMs: number, limit: number): Promise<Media[]> {
    const { rows } = await db.query<MediaRow>(
      `SELECT * FROM media WHERE status = 'pending' AND updated_at < now() - make_interval(secs => $1 / 1000.0)
       ORDER BY updated_at LIMIT $2`,
      [olderThanMs, limit],
    );
    return rows.map(toMedia);
  },
};
