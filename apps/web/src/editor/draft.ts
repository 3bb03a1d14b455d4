/**
 * The article form's state and what to send: the fields as typed (a draft), the fields as the API has them,
 * and the pure functions that compare them. Conflict handling is built from these (see ArticleEditor.tsx).
 *
 * A save sends only the fields the user changed since the version they started from (the base), with
 * If-Match: "<base version>". When someone else saved first, the API answers 412 with the current article
 * ("theirs"); "keep mine" then re-applies the same changed fields on top of theirs and saves again with the
 * current version, so their changes to other fields are kept too.
 */
import type { Article, ArticleFields } from "../api/types.ts";

/** What the form holds: like ArticleFields, but tags as the text the user types. */
export interface Draft {
  title: string;
  slug: string;
  body: string;
  excerpt: string;
  coverMediaId: string | null;
  tagsText: string;
}

export const FIELD_NAMES = ["title", "slug", "excerpt", "tags", "coverMediaId", "body"] as const satisfies readonly (keyof ArticleFields)[];
export type FieldName = (typeof FIELD_NAMES)[number];

export const FIELD_LABELS: Record<FieldName, string> = {
  title: "Title",
  slug: "Address (slug)",
  excerpt: "Excerpt",
  tags: "Tags",
  coverMediaId: "Cover image",
  body: "Text",
};

export function fieldsOf(article: Article | ArticleFields): ArticleFields {
  const { title, slug, body, excerpt, coverMediaId, tags } = article;
  return { title, slug, body, excerpt, coverMediaId, tags };
}

export function draftOf(fields: ArticleFields): Draft {
  const { title, slug, body, excerpt, coverMediaId, tags } = fields;
  return { title, slug, body, excerpt, coverMediaId, tagsText: tags.join(", ") };
}

/** The draft as the API would store it (it trims titles, and lowercases and de-duplicates tags). */
export function normalise(draft: Draft): ArticleFields {
  const tags = draft.tagsText
    .split(",")
    .map((tag) => tag.trim().toLowerCase())
    .filter(Boolean);
  return {
    title: draft.title.trim(),
    slug: draft.slug.trim(),
    body: draft.body,
    excerpt: draft.excerpt,
    coverMediaId: draft.coverMediaId,
    tags: [...new Set(tags)],
  };
}

export function sameValue(a: ArticleFields[FieldName], b: ArticleFields[FieldName]): boolean {
  return Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((item, index) => item === b[index]) : a === b;
}

/** The fields of `draft` that differ from `base`: the body of a PATCH. */
export function changedFields(base: ArticleFields, draft: ArticleFields): Partial<ArticleFields> {
  const changes: Partial<ArticleFields> = {};
  for (const name of FIELD_NAMES) {
    if (!sameValue(base[name], draft[name])) Object.assign(changes, { [name]: draft[name] });
  }
  return changes;
}

/** "Keep mine": their version with my changed fields on top. */
export function reapply(mine: Partial<ArticleFields>, theirs: ArticleFields): ArticleFields {
  return { ...theirs, ...mine };
}

/** True when theirs already holds every change of mine: typically my own save, whose answer was lost. */
export function alreadyApplied(mine: Partial<ArticleFields>, theirs: ArticleFields): boolean {
  return (Object.keys(mine) as FieldName[]).every((name) => sameValue(mine[name]!, theirs[name]));
}

/** Fields both sides changed, to different values: where "keep mine" overwrites their change. */
export function overlapping(base: ArticleFields, mine: Partial<ArticleFields>, theirs: ArticleFields): FieldName[] {
  return (Object.keys(mine) as FieldName[]).filter((name) => !sameValue(base[name], theirs[name]) && !sameValue(mine[name]!, theirs[name]));
}
