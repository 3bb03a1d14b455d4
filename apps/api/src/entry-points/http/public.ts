/**
 * The public read API: published articles only, cached in Redis (see domain/public-cache.ts).
 * Responses carry X-Cache (hit, miss, bypass) so the cache's behaviour is visible in a workshop.
 */
import type { Response } from "express";
import { z } from "zod";
import { articlesRepo, mediaRepo, type Article } from "@folio/db";
import { AppError, type ApiRouter, type RouteSpec } from "@folio/http-kit";
import type { AppDeps } from "../../deps.js";
import type { PublicCache } from "@folio/cache";
import { presentPublicArticle } from "./presenters.js";
import { cursorQuery, limitQuery, page, publicArticleSchema, publicSummarySchema, slugSchema, tagSchema } from "./schemas.js";

/** Sends cached JSON bytes as they are: Express neither parses the content type nor encodes a string. */
function send(res: Response, body: Buffer, source: string): void {
  res.setHeader("x-cache", source);
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.send(body);
}

/** The public read API's routes, as data: they drive validation and the OpenAPI document. */
export const publicRoutes = {
  listPublicArticles: {
    method: "get",
    path: "/v1/public/articles",
    operationId: "listPublicArticles",
    summary: "Published articles, newest first",
    tags: ["public"],
    auth: "public",
    query: z.strictObject({ tag: tagSchema.optional(), cursor: cursorQuery, limit: limitQuery }),
    // Redis is not a dependency here: the cache falls back to PostgreSQL (see @folio/cache).
    uses: ["postgres"],
    responses: { 200: { description: "a page of published articles (no bodies)", schema: page(publicSummarySchema, "PublicSummaryPage") } },
  },
  getPublicArticle: {
    method: "get",
    path: "/v1/public/articles/:slug",
    operationId: "getPublicArticle",
    summary: "One published article by slug",
    tags: ["public"],
    auth: "public",
    params: z.object({ slug: slugSchema }),
    uses: ["postgres"],
    responses: { 200: { description: "the article", schema: publicArticleSchema }, 404: { description: "no published article has this slug" } },
  },
} satisfies Record<string, RouteSpec>;

export function registerPublicRoutes(api: ApiRouter, deps: AppDeps, cache: PublicCache): void {
  const { pool } = deps;

  async function withCovers(articles: Article[]) {
    const ids = articles.map((article) => article.coverMediaId).filter((id): id is string => Boolean(id));
    const covers = new Map((await mediaRepo.findByIds(pool, ids)).map((media) => [media.id, media]));
    return articles.map((article) => presentPublicArticle(article, article.coverMediaId ? covers.get(article.coverMediaId) : undefined));
  }

  api.add(
    publicRoutes.listPublicArticles,
    async ({ query }, _req, res) => {
      const key = `list:${query.limit}:${query.tag ?? ""}:${query.cursor ?? ""}`;
      const { body, source } = await cache.read(key, async () => {
        const result = await articlesRepo.listPublished(pool, query);
        const items = (await withCovers(result.items)).map(({ body: _body, ...summary }) => summary);
        return JSON.stringify({ items, nextCursor: result.nextCursor });
      });
      send(res, body!, source); // the loader never returns undefined here
    },
  );

  api.add(
    publicRoutes.getPublicArticle,
    async ({ params }, _req, res) => {
      const { body, source } = await cache.read(`article:${params.slug}`, async () => {
        const article = await articlesRepo.findPublishedBySlug(pool, params.slug);
        if (!article) return undefined;
        const [presented] = await withCovers([article]);
        return JSON.stringify(presented);
      });
      if (body === undefined) throw new AppError("not_found", 404, "No published article has this slug.");
      send(res, body, source);
    },
  );
}
