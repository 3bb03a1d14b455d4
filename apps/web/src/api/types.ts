/**
 * The API's resources as the site uses them: names for the types generated from the API's OpenAPI document
 * (schema.gen.ts, written by scripts/api-types.ts from the API's route declarations). A change to the API's schemas
 * changes them, and the typecheck shows every place that must follow; scripts/api-types.test.ts fails while the
 * generated file is stale.
 */
import type { components, operations } from "./schema.gen.ts";

type Schemas = components["schemas"];

/** The JSON body of an operation's 200 answer, by operationId: for the small wrappers that have no name. */
export type Ok<Operation extends keyof operations> = operations[Operation]["responses"] extends { 200: { content: { "application/json": infer Body } } }
  ? Body
  : never;

/** A page of a list (ArticlePage, MediaPage, PublicSummaryPage): pass nextCursor as ?cursor=; null on the last. */
export type Page<T> = Omit<Schemas["PublicSummaryPage"], "items"> & { items: T[] };

export type User = Schemas["User"];
export type Role = User["role"];

/** thumb, display, thumb-webp, display-webp; `url` is a path on the API. */
export type Variant = Schemas["Variant"];
export type Media = Schemas["Media"];
export type MediaStatus = Media["status"];

/** `version` is also the ETag: send it back as If-Match. */
export type Article = Schemas["Article"];
export type ArticleStatus = Article["status"];
/** The fields an editor changes (PATCH /v1/articles/:id takes any non-empty subset). */
export type ArticleFields = Pick<Article, "title" | "slug" | "body" | "excerpt" | "coverMediaId" | "tags">;

export type Cover = Schemas["Cover"];
/** `body` is Markdown. */
export type PublicArticle = Schemas["PublicArticle"];
export type PublicSummary = Schemas["PublicSummary"];

export type RevisionSummary = Schemas["RevisionSummary"];
export type Revision = Schemas["Revision"];

export type FlagsSnapshot = Schemas["FlagsSnapshot"];
export type LoginResult = Schemas["LoginResult"];

/** GET /v1/admin/nodes: a node agent's heartbeat, with its age by the API's clock. */
export type NodeHeartbeat = Schemas["NodeHeartbeat"];
/** GET /v1/admin/logs: one line a Folio container printed, shipped by the agent of its node. */
export type LogEntry = Schemas["LogEntry"];
