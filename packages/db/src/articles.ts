import { cursorText, decodeCursor, encodeCursor, type Page } from "./cursor.js";
import type { Queryable } from "./pool.js";

export type ArticleStatus = "draft" | "published" | "trashed";

export interface Article {
  id: string;
  slug: string;
  title: string;
  body: string;
  excerpt: string;
  coverMediaId: string | null;
  tags: string[];
  status: ArticleStatus;
  publishedAt: Date | null;
  trashedAt: Date | null;
  authorId: string | null;
  updatedBy: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface Revision {
  articleId: string;
  version: number;
  slug: string;
  title: string;
  body: string;
  excerpt: string;
  coverMediaId: string | null;
  tags: string[];
  status: ArticleStatus;
  editedBy: string | null;
  savedAt: Date;
}

interface ArticleRow {
  id: string;
  slug: string;
  title: string;
  body: string;
  excerpt: string;
  cover_media_id: string | null;
  tags: string[];
  status: ArticleStatus;
  published_at: Date | null;
  trashed_at: Date | null;
  author_id: string | null;
  updated_by: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  cursor_at?: string;
}

const toArticle = (row: ArticleRow): Article => ({
  id: row.id,
  slug: row.slug,
  title: row.title,
  body: row.body,
  excerpt: row.excerpt,
  coverMediaId: row.cover_media_id,
  tags: row.tags,
  status: row.status,
  publishedAt: row.published_at,
  trashedAt: row.trashed_at,
  authorId: row.author_id,
  updatedBy: row.updated_by,
  version: row.version,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Fields an edit may change; status changes go through the same path so they are versioned too. */
export interface ArticleChanges {
  slug?: string;
  title?: string;
  body?: string;
  excerpt?: string;
  coverMediaId?: string | null;
  tags?: string[];
  status?: ArticleStatus;
  /** "now" stamps the current time; "keep-or-now" keeps an earlier publication date. */
  publishedAt?: "now" | "keep-or-now" | null;
  trashedAt?: "now" | null;
}

const COLUMNS: Record<Exclude<keyof ArticleChanges, "publishedAt" | "trashedAt">, string> = {
  slug: "slug",
  title: "title",
  body: "body",
  excerpt: "excerpt",
  coverMediaId: "cover_media_id",
  tags: "tags",
  status: "status",
};

export type UpdateResult =
  | { ok: true; article: Article }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "version_mismatch"; current: Article };

export interface ListOptions {
  status?: ArticleStatus;
  tag?: string;
  /** Case-insensitive match on the title. */
  q?: string;
  cursor?: string;
  limit: number;
}

function page(rows: ArticleRow[], limit: number): Page<Article> {
  const items = rows.slice(0, limit).map(toArticle);
  const last = rows[limit - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor({ at: last.cursor_at!, id: last.id }) : null };
}

export const articlesRepo = {
  async create(
    db: Queryable,
    article: Pick<Article, "slug" | "title" | "body" | "excerpt" | "coverMediaId" | "tags" | "authorId">,
  ): Promise<Article> {
    const { rows } = await db.query<ArticleRow>(
      `INSERT INTO articles (slug, title, body, excerpt, cover_media_id, tags, author_id, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING *`,
      [article.slug, article.title, article.body, article.excerpt, article.coverMediaId, article.tags, article.authorId],
    );
    return toArticle(rows[0]!);
  },

  async findById(db: Queryable, id: string): Promise<Article | undefined> {
    const { rows } = await db.query<ArticleRow>("SELECT * FROM articles WHERE id = $1", [id]);
    return rows[0] && toArticle(rows[0]);
  },

  async findPublishedBySlug(db: Queryable, slug: string): Promise<Article | undefined> {
    const { rows } = await db.query<ArticleRow>("SELECT * FROM articles WHERE slug = $1 AND status = 'published'", [slug]);
    return rows[0] && toArticle(rows[0]);
  },

  /** True when a published article shows this media item as its cover, that is when the public API shows it. */
  async isPublishedCover(db: Queryable, mediaId: string): Promise<boolean> {
    const { rows } = await db.query<{ shown: boolean }>(
      "SELECT EXISTS (SELECT 1 FROM articles WHERE cover_media_id = $1 AND status = 'published') AS shown",
      [mediaId],
    );
    return rows[0]?.shown ?? false;
  },

  /** Slugs equal to `base` or `base-N`, to pick the next free one. */
  async slugsLike(db: Queryable, base: string): Promise<string[]> {
    const { rows } = await db.query<{ slug: string }>(
      "SELECT slug FROM articles WHERE slug = $1 OR (slug LIKE $1 || '-%' AND substr(slug, length($1) + 2) ~ '^[0-9]+$')",
      [base],
    );
    return rows.map((row) => row.slug);
  },

  async list(db: Queryable, options: ListOptions): Promise<Page<Article>> {
    const key = options.cursor ? decodeCursor(options.cursor) : undefined;
    const { rows } = await db.query<ArticleRow>(
      `SELECT *, ${cursorText("updated_at")} AS cursor_at FROM articles
       WHERE ($1::article_status IS NULL OR status = $1)
         AND ($2::text IS NULL OR $2 = ANY (tags))
         AND ($3::text IS NULL OR title ILIKE '%' || $3 || '%')
         AND ($4::timestamptz IS NULL OR (updated_at, id) < ($4, $5::uuid))
       ORDER BY updated_at DESC, id DESC
       LIMIT $6`,
      [options.status ?? null, options.tag ?? null, options.q ?? null, key?.at ?? null, key?.id ?? null, options.limit + 1],
    );
    return page(rows, options.limit);
  },

  async listPublished(db: Queryable, options: Omit<ListOptions, "status" | "q">): Promise<Page<Article>> {
    const key = options.cursor ? decodeCursor(options.cursor) : undefined;
    const { rows } = await db.query<ArticleRow>(
      `SELECT *, ${cursorText("published_at")} AS cursor_at FROM articles
       WHERE status = 'published'
         AND ($1::text IS NULL OR $1 = ANY (tags))
         AND ($2::timestamptz IS NULL OR (published_at, id) < ($2, $3::uuid))
       ORDER BY published_at DESC, id DESC
       LIMIT $4`,
      [options.tag ?? null, key?.at ?? null, key?.id ?? null, options.limit + 1],
    );
    return page(rows, options.limit);
  },

  /**
   * Applies `changes` if the row is still at `expectedVersion`, keeping the replaced version as a revision.
   * One statement, so the check, the revision and the update are atomic without an explicit transaction.
   */
  async update(
    db: Queryable,
    id: string,
    expectedVersion: number,
    changes: ArticleChanges,
    editorId: string,
  ): Promise<UpdateResult> {
    const params: unknown[] = [id, expectedVersion, editorId];
    const sets: string[] = [];
    for (const [field, column] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, string][]) {
      if (changes[field] !== undefined) {
        params.push(changes[field]);
        sets.push(`${column} = $${params.length}`);
      }
    }
    if (changes.publishedAt === "now") sets.push("published_at = now()");
    if (changes.publishedAt === "keep-or-now") sets.push("published_at = COALESCE(a.published_at, now())");
    if (changes.publishedAt === null) sets.push("published_at = NULL");
    if (changes.trashedAt === "now") sets.push("trashed_at = now()");
    if (changes.trashedAt === null) sets.push("trashed_at = NULL");
    const { rows } = await db.query<ArticleRow>(
      `WITH previous AS (
         SELECT * FROM articles WHERE id = $1 AND version = $2 FOR UPDATE
       ), kept AS (
         INSERT INTO article_revisions (article_id, version, slug, title, body, excerpt, cover_media_id, tags, status, edited_by, saved_at)
         SELECT id, version, slug, title, body, excerpt, cover_media_id, tags, status, updated_by, updated_at FROM previous
       )
       UPDATE articles a SET ${[...sets, "version = a.version + 1", "updated_at = now()", "updated_by = $3"].join(", ")}
       FROM previous WHERE a.id = previous.id
       RETURNING a.*`,
      params,
    );
    if (rows[0]) return { ok: true, article: toArticle(rows[0]) };
    const current = await articlesRepo.findById(db, id);
    return current ? { ok: false, reason: "version_mismatch", current } : { ok: false, reason: "not_found" };
  },

  async listRevisions(db: Queryable, articleId: string): Promise<Omit<Revision, "body">[]> {
    const { rows } = await db.query(
      `SELECT article_id, version, slug, title, excerpt, cover_media_id, tags, status, edited_by, saved_at
       FROM article_revisions WHERE article_id = $1 ORDER BY version DESC`,
      [articleId],
    );
    return rows.map((row) => toRevision({ ...row, body: "" })).map(({ body: _body, ...rest }) => rest);
  },

  async getRevision(db: Queryable, articleId: string, version: number): Promise<Revision | undefined> {
    const { rows } = await db.query("SELECT * FROM article_revisions WHERE article_id = $1 AND version = $2", [
      articleId,
      version,
    ]);
    return rows[0] && toRevision(rows[0]);
  },
};

function toRevision(row: Record<string, unknown>): Revision {
  return {
    articleId: row.article_id as string,
    version: row.version as number,
    slug: row.slug as string,
    title: row.title as string,
    body: row.body as string,
    excerpt: row.excerpt as string,
    coverMediaId: (row.cover_media_id as string | null) ?? null,
    tags: row.tags as string[],
    status: row.status as ArticleStatus,
    editedBy: (row.edited_by as string | null) ?? null,
    savedAt: row.saved_at as Date,
  };
}
