import type { Request } from "express";
import type { PoolClient } from "pg";
import { z } from "zod";
import { articlesRepo, mediaRepo, type Article, type ArticleChanges, type Queryable } from "@folio/db";
import { AppError, problemWith, type ApiRouter, type RouteSpec } from "@folio/http-kit";
import type { AppDeps } from "../../deps.js";
import type { Idempotency } from "../../domain/idempotency.js";
import type { PublicCache } from "@folio/cache";
import { nextFreeSlug, slugify } from "../../domain/slugs.js";
import { etagFor, idempotencyKeyHeader, sendOutcome } from "./respond.js";
import { presentArticle, presentRevision, presentRevisionSummary } from "./presenters.js";
import {
  PG_INTEGER_MAX,
  articleSchema,
  cursorQuery,
  decimalUpTo,
  limitQuery,
  page,
  partialUpdate,
  revisionSchema,
  revisionSummarySchema,
  slugSchema,
  tagSchema,
  uuidParam,
  visibleText,
} from "./schemas.js";

const idParams = z.object({ id: uuidParam });

const ifMatchHeader = z.object({
  "if-match": z
    .string({ message: "required: send the ETag of the version you edited" })
    // One pattern, bound included (a refinement would be invisible in the OpenAPI document): versions are integers.
    .regex(new RegExp(`^"(?:${decimalUpTo(PG_INTEGER_MAX)})"$`), 'an ETag from this API, like "3"'),
});

const editableFields = {
  title: visibleText(200),
  slug: slugSchema,
  body: z.string().max(200_000),
  excerpt: z.string().max(500),
  coverMediaId: uuidParam.nullable(),
  tags: z.array(tagSchema).max(20).transform((tags) => [...new Set(tags)]),
};

const createBody = z.strictObject({
  title: editableFields.title,
  slug: editableFields.slug.optional(),
  body: editableFields.body.default(""),
  excerpt: editableFields.excerpt.default(""),
  coverMediaId: editableFields.coverMediaId.default(null),
  tags: editableFields.tags.default([]),
});

const updateBody = partialUpdate(
  z.strictObject({
    title: editableFields.title.optional(),
    slug: editableFields.slug.optional(),
    body: editableFields.body.optional(),
    excerpt: editableFields.excerpt.optional(),
    coverMediaId: editableFields.coverMediaId.optional(),
    tags: editableFields.tags.optional(),
  }),
);

/** Status changes: which states each action starts from and what it sets. */
const TRANSITIONS = {
  publish: { from: ["draft"], changes: { status: "published", publishedAt: "keep-or-now" } },
  unpublish: { from: ["published"], changes: { status: "draft" } },
  trash: { from: ["draft", "published"], changes: { status: "trashed", trashedAt: "now" } },
  restore: { from: ["trashed"], changes: { status: "draft", trashedAt: null } },
} as const satisfies Record<string, { from: readonly Article["status"][]; changes: ArticleChanges }>;

function expectedVersion(ifMatch: string): number {
  return Number(ifMatch.slice(1, -1));
}

async function assertCoverExists(db: Queryable, coverMediaId: string | null | undefined): Promise<void> {
  if (!coverMediaId) return;
  const media = await mediaRepo.findById(db, coverMediaId);
  if (!media || media.status === "deleted") {
    throw new AppError("validation", 400, "The cover image does not exist.", {
      errors: [{ in: "body", path: "coverMediaId", message: "no such media" }],
    });
  }
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  return (error as { code?: string; constraint?: string }).code === "23505" && (error as { constraint?: string }).constraint === constraint;
}

const slugTaken = (slug: string) =>
  new AppError("slug_taken", 409, `Another article already uses the slug "${slug}".`, {
    errors: [{ in: "body", path: "slug", message: "already in use" }],
  });

/** 412: the problem names the version the client missed, so it can show both and merge without another request. */
const versionMismatchProblem = problemWith({
  currentVersion: z.number().int().min(1).max(PG_INTEGER_MAX),
  yourVersion: z.number().int().min(1).max(PG_INTEGER_MAX),
  current: articleSchema,
}).meta({ id: "VersionMismatchProblem" });

const invalidTransitionProblem = problemWith({ currentStatus: articleSchema.shape.status }).meta({ id: "InvalidTransitionProblem" });

/**
 * What a client can do next with an article it was given: its id, and its ETag as If-Match for a change. As OpenAPI
 * links, so the document says so, and a fuzzer's stateful phase edits and publishes with the current version.
 */
const withTheArticle = Object.fromEntries(
  ["getArticle", "listRevisions", "updateArticle", "publishArticle", "unpublishArticle", "trashArticle", "restoreArticle"].map((operationId) => [
    operationId,
    {
      operationId,
      parameters: {
        id: "$response.body#/id",
        ...(operationId === "getArticle" || operationId === "listRevisions" ? {} : { "header.If-Match": "$response.header.ETag" }),
      },
    },
  ]),
);

/** A status change's route: POST /v1/articles/:id/<action>, allowed from the statuses TRANSITIONS names. */
function transitionRoute<A extends keyof typeof TRANSITIONS>(action: A) {
  return {
    method: "post",
    path: `/v1/articles/:id/${action}`,
    operationId: `${action}Article`,
    summary: `${action[0]!.toUpperCase()}${action.slice(1)} an article (from ${TRANSITIONS[action].from.join(" or ")})`,
    tags: ["articles"],
    auth: "user",
    params: idParams,
    headers: ifMatchHeader,
    uses: ["postgres"],
    responses: {
      200: { description: "done; the ETag header holds the new version", schema: articleSchema, links: withTheArticle },
      404: { description: "no such article" },
      409: { description: "not allowed from the current status (invalid_transition)", schema: invalidTransitionProblem },
      412: { description: "stale version: someone else saved first (version_mismatch)", schema: versionMismatchProblem },
    },
  } as const satisfies RouteSpec;
}

/** The editor's article routes, as data: they drive validation and the OpenAPI document. */
export const articleRoutes = {
  listArticles: {
    method: "get",
    path: "/v1/articles",
    operationId: "listArticles",
    summary: "List articles for the editor, newest change first",
    tags: ["articles"],
    auth: "user",
    query: z.strictObject({
      status: z.enum(["draft", "published", "trashed"]).optional(),
      tag: tagSchema.optional(),
      q: z.string().trim().min(1).max(100).optional(),
      cursor: cursorQuery,
      limit: limitQuery,
    }),
    uses: ["postgres"],
    responses: { 200: { description: "a page of articles", schema: page(articleSchema, "ArticlePage") } },
  },
  createArticle: {
    method: "post",
    path: "/v1/articles",
    operationId: "createArticle",
    summary: "Create a draft article",
    tags: ["articles"],
    auth: "user",
    idempotent: true,
    headers: idempotencyKeyHeader,
    body: createBody,
    uses: ["postgres"],
    responses: {
      201: { description: "created; the ETag header holds its version", schema: articleSchema, links: withTheArticle },
      400: { description: "the cover image does not exist (validation)" },
      409: { description: "the slug is taken (slug_taken)" },
    },
  },
  getArticle: {
    method: "get",
    path: "/v1/articles/:id",
    operationId: "getArticle",
    summary: "One article, any status",
    tags: ["articles"],
    auth: "user",
    params: idParams,
    uses: ["postgres"],
    responses: {
      200: { description: "the article; the ETag header holds its version", schema: articleSchema, links: withTheArticle },
      404: { description: "no such article" },
    },
  },
  updateArticle: {
    method: "patch",
    path: "/v1/articles/:id",
    operationId: "updateArticle",
    summary: "Edit an article (If-Match required; the replaced version becomes a revision)",
    tags: ["articles"],
    auth: "user",
    params: idParams,
    headers: ifMatchHeader,
    body: updateBody,
    uses: ["postgres"],
    responses: {
      200: { description: "updated; the ETag header holds the new version", schema: articleSchema, links: withTheArticle },
      400: { description: "If-Match is missing, or the cover image does not exist (validation)" },
      404: { description: "no such article" },
      409: { description: "the slug is taken (slug_taken), or the article is trashed (article_trashed)" },
      412: { description: "stale version: someone else saved first (version_mismatch)", schema: versionMismatchProblem },
    },
  },
  publishArticle: transitionRoute("publish"),
  unpublishArticle: transitionRoute("unpublish"),
  trashArticle: transitionRoute("trash"),
  restoreArticle: transitionRoute("restore"),
  listRevisions: {
    method: "get",
    path: "/v1/articles/:id/revisions",
    operationId: "listRevisions",
    summary: "Earlier versions of an article, newest first",
    tags: ["articles"],
    auth: "user",
    params: idParams,
    uses: ["postgres"],
    responses: { 200: { description: "revisions", schema: z.object({ items: z.array(revisionSummarySchema) }) }, 404: { description: "no such article" } },
  },
  getRevision: {
    method: "get",
    path: "/v1/articles/:id/revisions/:version",
    operationId: "getRevision",
    summary: "One earlier version of an article",
    tags: ["articles"],
    auth: "user",
    params: z.object({ id: uuidParam, version: z.coerce.number().int().min(1).max(PG_INTEGER_MAX) }),
    uses: ["postgres"],
    responses: { 200: { description: "the revision", schema: revisionSchema }, 404: { description: "no such revision" } },
  },
} satisfies Record<string, RouteSpec>;

export function registerArticleRoutes(api: ApiRouter, deps: AppDeps, idempotency: Idempotency, cache: PublicCache): void {
  const { pool } = deps;

  async function createArticle(tx: PoolClient, body: z.output<typeof createBody>, authorId: string): Promise<Article> {
    await assertCoverExists(tx, body.coverMediaId);
    const fields = { title: body.title, body: body.body, excerpt: body.excerpt, coverMediaId: body.coverMediaId, tags: body.tags, authorId };
    if (body.slug) {
      try {
        return await articlesRepo.create(tx, { ...fields, slug: body.slug });
      } catch (error) {
        if (isUniqueViolation(error, "articles_slug_key")) throw slugTaken(body.slug);
        throw error;
      }
    }
    // A generated slug: pick the next free one; serialise on the base so two racing creations differ.
    const base = slugify(body.title);
    await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`folio:slug:${base}`]);
    const slug = nextFreeSlug(base, await articlesRepo.slugsLike(tx, base));
    return articlesRepo.create(tx, { ...fields, slug });
  }

  async function change(req: Request, id: string, ifMatch: string, changes: ArticleChanges, allowedFrom?: readonly string[]) {
    const version = expectedVersion(ifMatch);
    const current = await articlesRepo.findById(pool, id);
    if (!current) throw new AppError("not_found", 404, "No such article.");
    if (allowedFrom && !allowedFrom.includes(current.status)) {
      throw new AppError("invalid_transition", 409, `An article that is ${current.status} cannot do that.`, {
        extra: { currentStatus: current.status },
      });
    }
    if (!allowedFrom && current.status === "trashed") {
      throw new AppError("article_trashed", 409, "Restore the article before editing it.");
    }
    if (changes.coverMediaId) await assertCoverExists(pool, changes.coverMediaId);
    let result;
    try {
      result = await articlesRepo.update(pool, id, version, changes, req.user!.id);
    } catch (error) {
      if (isUniqueViolation(error, "articles_slug_key")) throw slugTaken(changes.slug ?? "");
      throw error;
    }
    if (!result.ok && result.reason === "not_found") throw new AppError("not_found", 404, "No such article.");
    if (!result.ok) {
      throw new AppError("version_mismatch", 412, "Someone else saved this article since you loaded it. Reload it, then apply your change again.", {
        headers: { etag: etagFor(result.current.version) },
        extra: { currentVersion: result.current.version, yourVersion: version, current: presentArticle(result.current) },
      });
    }
    // Drafts are invisible to the public API, but a slug or status change can move an article in or out of it.
    if (current.status === "published" || result.article.status === "published") await cache.invalidate();
    return result.article;
  }

  api.add(
    articleRoutes.listArticles,
    async ({ query }, _req, res) => {
      const result = await articlesRepo.list(pool, query);
      res.json({ items: result.items.map(presentArticle), nextCursor: result.nextCursor });
    },
  );

  api.add(
    articleRoutes.createArticle,
    async ({ body, headers }, req, res) => {
      const result = await idempotency.run(
        { userId: req.user!.id, key: headers["idempotency-key"], method: req.method, path: req.path, body },
        async (tx) => {
          const article = await createArticle(tx, body, req.user!.id);
          return { status: 201, body: presentArticle(article), headers: { location: `/v1/articles/${article.id}`, etag: etagFor(article.version) } };
        },
      );
      sendOutcome(res, result);
    },
  );

  api.add(
    articleRoutes.getArticle,
    async ({ params }, _req, res) => {
      const article = await articlesRepo.findById(pool, params.id);
      if (!article) throw new AppError("not_found", 404, "No such article.");
      res.setHeader("etag", etagFor(article.version)).json(presentArticle(article));
    },
  );

  api.add(
    articleRoutes.updateArticle,
    async ({ params, headers, body }, req, res) => {
      const article = await change(req, params.id, headers["if-match"], body);
      res.setHeader("etag", etagFor(article.version)).json(presentArticle(article));
    },
  );

  for (const action of Object.keys(TRANSITIONS) as (keyof typeof TRANSITIONS)[]) {
    const transition = TRANSITIONS[action];
    api.add(
      articleRoutes[`${action}Article`],
      async ({ params, headers }, req, res) => {
        const article = await change(req, params.id, headers["if-match"], transition.changes, transition.from);
        res.setHeader("etag", etagFor(article.version)).json(presentArticle(article));
      },
    );
  }

  api.add(
    articleRoutes.listRevisions,
    async ({ params }, _req, res) => {
      if (!(await articlesRepo.findById(pool, params.id))) throw new AppError("not_found", 404, "No such article.");
      res.json({ items: (await articlesRepo.listRevisions(pool, params.id)).map(presentRevisionSummary) });
    },
  );

  api.add(
    articleRoutes.getRevision,
    async ({ params }, _req, res) => {
      const revision = await articlesRepo.getRevision(pool, params.id, params.version);
      if (!revision) throw new AppError("not_found", 404, "No such revision.");
      res.json(presentRevision(revision));
    },
  );
}
