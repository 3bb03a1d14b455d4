/**
 * Response and shared request schemas. They drive both validation and the OpenAPI document. Response schemas are
 * named with .meta({ id }), which makes them components of the document and named types in the web app's
 * generated client types (apps/web/src/api/schema.gen.ts).
 */
import { z } from "zod";
import { decodeCursor } from "@folio/db";
import { SLUG_MAX, SLUG_PATTERN } from "../../domain/slugs.js";

export const uuidParam = z.uuid({ message: "expected a UUID" });

export const slugSchema = z.string().max(SLUG_MAX).regex(SLUG_PATTERN, "lowercase letters, digits and single hyphens");

export const tagSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(40)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _-]*$/u, "letters, digits, spaces, hyphens and underscores");

export const limitQuery = z.coerce.number().int().min(1).max(100).default(20);
export const cursorQuery = z
  .string()
  .max(200)
  .refine((cursor) => decodeCursor(cursor) !== undefined, "not a cursor from this API")
  .optional();

export const page = <T extends z.ZodType>(item: T, id: string) =>
  z
    .object({ items: z.array(item), nextCursor: z.string().nullable().meta({ description: "pass as ?cursor= for the next page" }) })
    .meta({ id });

/**
 * A partial update: every field optional, at least one present. The refinement is what the server checks;
 * minProperties says the same in the document, where a refinement cannot be seen.
 */
export const partialUpdate = <T extends z.ZodObject>(fields: T, message = "send at least one field to change") =>
  fields.refine((value) => Object.keys(value).length > 0, message).meta({ minProperties: 1 });

export const userSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: z.enum(["admin", "editor"]),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
}).meta({ id: "User" });

export const variantSchema = z.object({
  name: z.string(),
  contentType: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  bytes: z.number().int(),
  url: z.string(),
}).meta({ id: "Variant" });

export const mediaSchema = z.object({
  id: z.uuid(),
  filename: z.string(),
  contentType: z.string(),
  sizeBytes: z.number().int(),
  status: z.enum(["pending", "ready", "failed", "deleted"]),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  failureReason: z.string().nullable(),
  url: z.string().meta({ description: "the original file" }),
  variants: z.array(variantSchema),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
}).meta({ id: "Media" });

export const articleSchema = z.object({
  id: z.uuid(),
  slug: z.string(),
  title: z.string(),
  body: z.string(),
  excerpt: z.string(),
  coverMediaId: z.uuid().nullable(),
  tags: z.array(z.string()),
  status: z.enum(["draft", "published", "trashed"]),
  publishedAt: z.iso.datetime().nullable(),
  trashedAt: z.iso.datetime().nullable(),
  authorId: z.uuid().nullable(),
  version: z.number().int().meta({ description: "also sent as the ETag" }),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
}).meta({ id: "Article" });

export const coverSchema = z
  .object({ id: z.uuid(), status: z.string(), url: z.string(), variants: z.array(variantSchema) })
  .meta({ id: "Cover" })
  .nullable();

export const publicArticleSchema = z.object({
  slug: z.string(),
  title: z.string(),
  excerpt: z.string(),
  body: z.string().meta({ description: "Markdown" }),
  tags: z.array(z.string()),
  publishedAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  cover: coverSchema,
}).meta({ id: "PublicArticle" });

export const publicSummarySchema = publicArticleSchema.omit({ body: true }).meta({ id: "PublicSummary" });

export const revisionSummarySchema = z.object({
  version: z.number().int(),
  slug: z.string(),
  title: z.string(),
  status: z.enum(["draft", "published", "trashed"]),
  editedBy: z.uuid().nullable(),
  savedAt: z.iso.datetime(),
}).meta({ id: "RevisionSummary" });

export const revisionSchema = revisionSummarySchema.extend({
  body: z.string(),
  excerpt: z.string(),
  coverMediaId: z.uuid().nullable(),
  tags: z.array(z.string()),
}).meta({ id: "Revision" });
