/**
 * The API's resources as the site uses them. They mirror the zod schemas in
 * apps/api/src/entry-points/http/schemas.ts (the OpenAPI document at GET /v1/openapi.json is generated from
 * them); the browser tests run against the real API, so a drift shows up there.
 */

export interface Page<T> {
  items: T[];
  /** Pass as ?cursor= for the next page; null on the last one. */
  nextCursor: string | null;
}

export type Role = "admin" | "editor";

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  createdAt: string;
  updatedAt: string;
}

export interface Variant {
  /** thumb, display, thumb-webp, display-webp */
  name: string;
  contentType: string;
  width: number;
  height: number;
  bytes: number;
  /** A path on the API. */
  url: string;
}

export type MediaStatus = "pending" | "ready" | "failed" | "deleted";

export interface Media {
  id: string;
  filename: string;
  contentType: string;
  sizeBytes: number;
  status: MediaStatus;
  width: number | null;
  height: number | null;
  failureReason: string | null;
  url: string;
  variants: Variant[];
  createdAt: string;
  updatedAt: string;
}

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
  publishedAt: string | null;
  trashedAt: string | null;
  authorId: string | null;
  /** Also the ETag; send it back as If-Match. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** The fields an editor changes (PATCH /v1/articles/:id takes any subset). */
export type ArticleFields = Pick<Article, "title" | "slug" | "body" | "excerpt" | "coverMediaId" | "tags">;

export interface Cover {
  id: string;
  status: string;
  url: string;
  variants: Variant[];
}

export interface PublicArticle {
  slug: string;
  title: string;
  excerpt: string;
  /** Markdown. */
  body: string;
  tags: string[];
  publishedAt: string;
  updatedAt: string;
  cover: Cover | null;
}

export type PublicSummary = Omit<PublicArticle, "body">;

export interface RevisionSummary {
  version: number;
  slug: string;
  title: string;
  status: ArticleStatus;
  editedBy: string | null;
  savedAt: string;
}

export interface Revision extends RevisionSummary {
  body: string;
  excerpt: string;
  coverMediaId: string | null;
  tags: string[];
}

export interface FlagsSnapshot {
  flags: Record<string, boolean | number | string>;
  source: string | null;
  loadedAt: string;
  error: string | null;
}

export interface LoginResult {
  token: string;
  expiresAt: string;
  user: User;
}

/** GET /v1/admin/nodes: a node agent's heartbeat (@folio/node-logs heartbeatSchema), with its age. */
export interface NodeHeartbeat {
  node: string;
  agentVersion: string;
  startedAt: string;
  /** When the agent wrote it, by the node's clock. */
  sentAt: string;
  lastShippedAt: string | null;
  filesTailed: number;
  lagBytes: number;
  /** False once its heartbeat key expired: the node or its agent stopped. */
  live: boolean;
  /** Seconds since sentAt, by the API's clock. */
  ageSeconds: number;
}

/** GET /v1/admin/logs: one line a Folio container printed, shipped by the agent of its node. */
export interface LogEntry {
  id: string;
  node: string;
  namespace: string;
  pod: string;
  container: string;
  stream: "stdout" | "stderr";
  time: string;
  level: string | null;
  message: string;
}
