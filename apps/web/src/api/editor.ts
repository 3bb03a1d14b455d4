/** The signed-in endpoints: login, articles, revisions, media, users, flags and the operations view. */
import { api } from "./folio.ts";
import type { Article, ArticleFields, ArticleStatus, FlagsSnapshot, LogEntry, LoginResult, Media, NodeHeartbeat, Ok, Page, Revision, RevisionSummary, Role, User } from "./types.ts";

export async function login(email: string, password: string): Promise<LoginResult> {
  return (await api()<LoginResult>({ method: "POST", path: "/v1/auth/login", body: { email, password } })).data;
}

export async function listArticles(query: { status?: ArticleStatus; q?: string; cursor?: string }, signal?: AbortSignal) {
  return (await api()<Page<Article>>({ path: "/v1/articles", query: { ...query, limit: 20 }, signal })).data;
}

export async function getArticle(id: string, signal?: AbortSignal): Promise<Article> {
  return (await api()<Article>({ path: `/v1/articles/${id}`, signal })).data;
}

/** `idempotencyKey`: one per "create" the user asked for, so a retried request creates one article. */
export async function createArticle(fields: Partial<ArticleFields> & { title: string }, idempotencyKey: string): Promise<Article> {
  return (await api()<Article>({ method: "POST", path: "/v1/articles", body: fields, idempotencyKey })).data;
}

/** Saves `changes` on top of `version`; a newer version on the server answers 412 (see conflicts.ts). */
export async function updateArticle(id: string, version: number, changes: Partial<ArticleFields>): Promise<Article> {
  return (await api()<Article>({ method: "PATCH", path: `/v1/articles/${id}`, body: changes, ifMatch: version })).data;
}

export type Transition = "publish" | "unpublish" | "trash" | "restore";

export async function transitionArticle(id: string, version: number, action: Transition): Promise<Article> {
  return (await api()<Article>({ method: "POST", path: `/v1/articles/${id}/${action}`, ifMatch: version })).data;
}

export async function listRevisions(id: string, signal?: AbortSignal): Promise<RevisionSummary[]> {
  return (await api()<Ok<"listRevisions">>({ path: `/v1/articles/${id}/revisions`, signal })).data.items;
}

export async function getRevision(id: string, version: number, signal?: AbortSignal): Promise<Revision> {
  return (await api()<Revision>({ path: `/v1/articles/${id}/revisions/${version}`, signal })).data;
}

export async function listMedia(query: { cursor?: string }, signal?: AbortSignal): Promise<Page<Media>> {
  return (await api()<Page<Media>>({ path: "/v1/media", query: { ...query, limit: 24 }, signal })).data;
}

export async function getMedia(id: string, signal?: AbortSignal): Promise<Media> {
  return (await api()<Media>({ path: `/v1/media/${id}`, signal })).data;
}

export async function listUsers(signal?: AbortSignal): Promise<User[]> {
  return (await api()<Ok<"listUsers">>({ path: "/v1/users", signal })).data.items;
}

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  password: string;
}

export async function createUser(user: NewUser, idempotencyKey: string): Promise<User> {
  return (await api()<User>({ method: "POST", path: "/v1/users", body: user, idempotencyKey })).data;
}

export async function updateUser(id: string, changes: Partial<Pick<User, "name" | "role">>): Promise<User> {
  return (await api()<User>({ method: "PATCH", path: `/v1/users/${id}`, body: changes })).data;
}

export async function deleteUser(id: string): Promise<void> {
  await api()({ method: "DELETE", path: `/v1/users/${id}` });
}

export async function getFlags(signal?: AbortSignal): Promise<FlagsSnapshot> {
  return (await api()<FlagsSnapshot>({ path: "/v1/config/flags", signal })).data;
}

/** Nodes whose agent sent a heartbeat within its TTL (apps/api/src/entry-points/http/admin.ts). */
export async function listNodes(signal?: AbortSignal): Promise<NodeHeartbeat[]> {
  return (await api()<Ok<"listNodes">>({ path: "/v1/admin/nodes", signal })).data.items;
}

export async function listLogs(query: { node?: string; app?: string; limit?: number }, signal?: AbortSignal): Promise<LogEntry[]> {
  return (await api()<Ok<"listLogs">>({ path: "/v1/admin/logs", query, signal })).data.items;
}
