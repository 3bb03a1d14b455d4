/**
 * Response and shared request schemas. They drive both validation and the OpenAPI document. Response schemas are
 * named with .meta({ id }), which makes them components of the document and named types in the web app's
 * generated client types (apps/web/src/api/schema.gen.ts).
 */
import { z } from "zod";
import { decodeCursor } from "@folio/db";
import { SLUG_MAX, SLUG_PATTERN } from "../../domain/slugs.js";

export const uuidParam = z.uuid({ message: "expected a UUID" });

/** PostgreSQL's `integer` (versions, revision numbers): a larger number in a query is an error, not a miss. */
export const PG_INTEGER_MAX = 2_147_483_647;

/**
 * A regular expression (source, unanchored) for the decimal numbers 1 to `max`, without leading zeros: a bound a
 * pattern can state where a string is parsed as a number, so that the OpenAPI document states it too.
 * decimalUpTo(2147483647) = [1-9]\d{0,8}|1\d{9}|20\d{8}|…|214748364[0-7]
 */
export function decimalUpTo(max: number): string {
  const digits = String(max);
  const alternatives = digits.length > 1 ? [`[1-9]\\d{0,${digits.length - 2}}`] : [];
  for (let i = 0; i < digits.length; i++) {
    const digit = Number(digits[i]);
    const lowest = i === 0 ? 1 : 0;
    const rest = digits.length - i - 1;
    const last = i === digits.length - 1;
    // Below the bound at position i, anything after it; at the last position, the bound's digit itself too.
    const top = last ? digit : digit - 1;
    if (top < lowest) continue;
    const range = top === lowest ? String(lowest) : `[${lowest}-${top}]`;
    alternatives.push(`${digits.slice(0, i)}${range}${rest > 0 ? `\\d{${rest}}` : ""}`);
  }
  return alternatives.join("|");
}

/**
 * At least one character that draws something: not white space, a control, a format character (U+200B and the
 * other zero-width ones), a default-ignorable code point (U+3164 HANGUL FILLER, …) or a combining mark on its own.
 * String.prototype.trim removes only white space.
 */
const VISIBLE = /[^\p{White_Space}\p{Cc}\p{Cf}\p{M}\p{Default_Ignorable_Code_Point}]/u;
export const hasVisibleCharacter = (text: string) => VISIBLE.test(text);
/**
 * Nearly the same rule as a pattern the OpenAPI document can carry and fuzzers can draw from (they cannot build
 * strings for \p{Default_Ignorable_Code_Point}): a letter, digit, punctuation mark or symbol. What it lets through
 * and VISIBLE does not is a text whose only letters are the four Hangul fillers, which draw nothing.
 */
const DRAWN = /[\p{L}\p{N}\p{P}\p{S}]/u;
const NOT_VISIBLE = "must contain a visible character";

/**
 * Text people must see and tell apart (a title, a name): at least one visible character, stored trimmed. Checked as
 * sent, before trimming, and with patterns where it can be: the OpenAPI document then states the rule.
 */
export const visibleText = (max: number) =>
  z.string().max(max).regex(DRAWN, { message: NOT_VISIBLE, abort: true }).refine(hasVisibleCharacter, NOT_VISIBLE).trim();

export const slugSchema = z.string().max(SLUG_MAX).regex(SLUG_PATTERN, "lowercase letters, digits and single hyphens");

/** Checked as sent (as visibleText is), then trimmed and lower-cased. Marks may follow a letter: "é" can come as e + U+0301. */
export const tagSchema = z
  .string()
  .max(40)
  .regex(/^[\p{L}\p{N}][\p{L}\p{M}\p{N} _-]*$/u, { message: "letters, digits, spaces, hyphens and underscores", abort: true })
  .refine(hasVisibleCharacter, NOT_VISIBLE) // a tag of Hangul fillers
  .trim()
  .toLowerCase();

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
  version: z.number().int().min(1).max(PG_INTEGER_MAX).meta({ description: "also sent as the ETag" }),
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
  version: z.number().int().min(1).max(PG_INTEGER_MAX),
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
