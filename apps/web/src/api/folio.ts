/**
 * The one API client of the site, and the public endpoints. The editor's endpoints live in api/editor.ts,
 * which only the editor's lazily loaded pages import, so the public bundle stays small.
 */
import { runtimeConfig } from "../runtime-config.ts";
import { clearSession, getSession } from "../session.ts";
import { createApiClient, type ApiClient } from "./client.ts";
import type { Page, PublicArticle, PublicSummary } from "./types.ts";

let client: ApiClient | undefined;

export function api(): ApiClient {
  client ??= createApiClient({
    baseUrl: runtimeConfig().apiUrl,
    getToken: () => getSession()?.token,
    onUnauthorized: clearSession,
  });
  return client;
}

export const PUBLIC_PAGE_SIZE = 10;

export async function listPublicArticles(query: { tag?: string; cursor?: string }, signal?: AbortSignal): Promise<Page<PublicSummary>> {
  const res = await api()<Page<PublicSummary>>({ path: "/v1/public/articles", query: { ...query, limit: PUBLIC_PAGE_SIZE }, signal, anonymous: true });
  return res.data;
}

export async function getPublicArticle(slug: string, signal?: AbortSignal): Promise<PublicArticle> {
  const res = await api()<PublicArticle>({ path: `/v1/public/articles/${encodeURIComponent(slug)}`, signal, anonymous: true });
  return res.data;
}
