/** Database objects → API representations (dates as ISO strings, URLs for media). */
import type { Article, Media, Revision, User } from "@folio/db";

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export const mediaUrl = (id: string, variant: string) => `/v1/media/${id}/content/${variant}`;

export function presentUser(user: User) {
  return { id: user.id, email: user.email, name: user.name, role: user.role, createdAt: iso(user.createdAt)!, updatedAt: iso(user.updatedAt)! };
}

export function presentMedia(media: Media) {
  return {
    id: media.id,
    filename: media.filename,
    contentType: media.contentType,
    sizeBytes: media.sizeBytes,
    status: media.status,
    width: media.width,
    height: media.height,
    failureReason: media.failureReason,
    url: mediaUrl(media.id, "original"),
    variants: media.variants.map((variant) => ({
      name: variant.name,
      contentType: variant.contentType,
      width: variant.width,
      height: variant.height,
      bytes: variant.bytes,
      url: mediaUrl(media.id, variant.name),
    })),
    createdAt: iso(media.createdAt)!,
    updatedAt: iso(media.updatedAt)!,
  };
}

export function presentArticle(article: Article) {
  return {
    id: article.id,
    slug: article.slug,
    title: article.title,
    body: article.body,
    excerpt: article.excerpt,
    coverMediaId: article.coverMediaId,
    tags: article.tags,
    status: article.status,
    publishedAt: iso(article.publishedAt),
    trashedAt: iso(article.trashedAt),
    authorId: article.authorId,
    version: article.version,
    createdAt: iso(article.createdAt)!,
    updatedAt: iso(article.updatedAt)!,
  };
}

export function presentCover(media: Media | undefined) {
  if (!media || media.status === "deleted") return null;
  const { id, status, url, variants } = presentMedia(media);
  return { id, status, url, variants };
}

export function presentPublicArticle(article: Article, cover: Media | undefined) {
  return {
    slug: article.slug,
    title: article.title,
    excerpt: article.excerpt,
    body: article.body,
    tags: article.tags,
    publishedAt: iso(article.publishedAt)!,
    updatedAt: iso(article.updatedAt)!,
    cover: presentCover(cover),
  };
}

export function presentRevisionSummary(revision: Omit<Revision, "body">) {
  return {
    version: revision.version,
    slug: revision.slug,
    title: revision.title,
    status: revision.status,
    editedBy: revision.editedBy,
    savedAt: iso(revision.savedAt)!,
  };
}

export function presentRevision(revision: Revision) {
  return {
    ...presentRevisionSummary(revision),
    body: revision.body,
    excerpt: revision.excerpt,
    coverMediaId: revision.coverMediaId,
    tags: revision.tags,
  };
}
