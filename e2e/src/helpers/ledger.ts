/**
 * What the load acknowledged: every write the API answered with success, and what it contained. After a fault,
 * `verifyLedger` reads everything back through the API and reports each acknowledged write that is missing or
 * changed, and anything written twice. Content is compared by checksum, never by counting.
 */
import { createHash } from "node:crypto";
import { eventually } from "@folio/scripts/lib/eventually.ts";
import type { Article, FolioClient, Media } from "./client.ts";

export const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
export const articleChecksum = (title: string, body: string) => sha256(`${title}\u0000${body}`);

export interface AckedArticle {
  id: string;
  key: string;
  slug: string;
  /** Checksum of every acknowledged version's title and body, by version number. */
  versions: Map<number, string>;
  published: boolean;
}

export interface AckedMedia {
  id: string;
  key: string;
  filename: string;
  sha256: string;
}

export class Ledger {
  readonly articles = new Map<string, AckedArticle>();
  readonly media = new Map<string, AckedMedia>();
  /** Idempotency keys sent, acknowledged or not: each may exist at most once afterwards. */
  readonly attemptedKeys = new Set<string>();
  /** Answers that no retry should have produced (a 4xx on a valid request): each one fails the scenario. */
  readonly unexpected: string[] = [];
  acknowledgedWrites = 0;
  readonly tag: string;

  constructor(tag: string) {
    this.tag = tag;
  }

  titleFor(key: string): string {
    return `${this.tag} ${key}`;
  }

  keyOf(title: string): string | undefined {
    return title.startsWith(`${this.tag} `) ? title.slice(this.tag.length + 1).split(" ")[0] : undefined;
  }

  ackArticle(article: Pick<Article, "id" | "slug" | "title" | "body" | "version">, key: string): void {
    this.articles.set(article.id, { id: article.id, key, slug: article.slug, versions: new Map([[article.version, articleChecksum(article.title, article.body)]]), published: false });
    this.acknowledgedWrites++;
  }

  ackVersion(id: string, version: number, title: string, body: string): void {
    this.articles.get(id)?.versions.set(version, articleChecksum(title, body));
    this.acknowledgedWrites++;
  }

  ackPublished(id: string, version: number, title: string, body: string): void {
    const article = this.articles.get(id);
    if (!article) return;
    article.published = true;
    article.versions.set(version, articleChecksum(title, body));
    this.acknowledgedWrites++;
  }

  ackMedia(media: AckedMedia): void {
    this.media.set(media.id, media);
    this.acknowledgedWrites++;
  }

  latestVersion(article: AckedArticle): number {
    return Math.max(...article.versions.keys());
  }
}

export interface Verification {
  articles: number;
  versions: number;
  media: number;
  problems: string[];
}

const VARIANTS = ["display", "display-webp", "thumb", "thumb-webp"];

/** Reads every acknowledged write back and lists what is wrong; an empty `problems` is the property we keep. */
export async function verifyLedger(client: FolioClient, ledger: Ledger, options: { mediaTimeout: number }): Promise<Verification> {
  const problems: string[] = [...ledger.unexpected.map((message) => `unexpected answer during the load: ${message}`)];
  let versions = 0;

  const stored = await client.allArticles(ledger.tag);
  const byKey = new Map<string, Article[]>();
  for (const article of stored) {
    const key = ledger.keyOf(article.title);
    if (key) byKey.set(key, [...(byKey.get(key) ?? []), article]);
  }
  for (const [key, copies] of byKey) {
    if (copies.length > 1) problems.push(`article key ${key} exists ${copies.length} times: ${copies.map((copy) => copy.id).join(", ")}`);
    if (!ledger.attemptedKeys.has(key)) problems.push(`article key ${key} was never sent by this load`);
  }
  const byId = new Map(stored.map((article) => [article.id, article]));
  for (const acked of ledger.articles.values()) {
    const current = byId.get(acked.id);
    if (!current) {
      problems.push(`acknowledged article ${acked.id} (key ${acked.key}) is missing`);
      continue;
    }
    for (const [version, checksum] of acked.versions) {
      versions++;
      if (version === current.version) {
        if (articleChecksum(current.title, current.body) !== checksum) problems.push(`article ${acked.id} version ${version} changed`);
      } else if (version < current.version) {
        const revision = await client.getRevision(acked.id, version).catch(() => undefined);
        if (!revision) problems.push(`article ${acked.id}: acknowledged version ${version} has no revision`);
        else if (articleChecksum(revision.title, revision.body) !== checksum) problems.push(`article ${acked.id}: revision ${version} changed`);
      } else {
        problems.push(`article ${acked.id}: acknowledged version ${version} is newer than the stored ${current.version} (a lost update)`);
      }
    }
    if (acked.published && current.status !== "published") problems.push(`article ${acked.id} was acknowledged published but is ${current.status}`);
  }

  if (ledger.media.size > 0 || [...ledger.attemptedKeys].some((key) => key.startsWith("media-"))) {
    const all = (await client.allMedia()).filter((media) => media.filename.startsWith(ledger.tag));
    const mediaByKey = new Map<string, Media[]>();
    for (const media of all) {
      const key = media.filename.slice(ledger.tag.length + 1).replace(/\.jpg$/, "");
      mediaByKey.set(key, [...(mediaByKey.get(key) ?? []), media]);
    }
    for (const [key, copies] of mediaByKey) {
      if (copies.length > 1) problems.push(`upload ${key} exists ${copies.length} times: ${copies.map((copy) => copy.id).join(", ")}`);
    }
    for (const acked of ledger.media.values()) {
      if (!all.some((media) => media.id === acked.id)) {
        problems.push(`acknowledged upload ${acked.id} (${acked.filename}) is missing`);
        continue;
      }
      const media = await eventually(() => client.getMedia(acked.id), {
        timeout: options.mediaTimeout,
        interval: 2_000,
        description: `upload ${acked.id} to be processed`,
        until: (value) => value.status !== "pending",
      }).catch((error: Error) => {
        problems.push(error.message);
        return undefined;
      });
      if (!media) continue;
      if (media.status !== "ready") problems.push(`upload ${acked.id} ended ${media.status}: ${media.failureReason ?? ""}`);
      const names = media.variants.map((variant) => variant.name).sort();
      if (media.status === "ready" && JSON.stringify(names) !== JSON.stringify(VARIANTS)) problems.push(`upload ${acked.id} has variants ${names.join(", ")}`);
      const original = await client.mediaContent(acked.id, "original").catch((error: Error) => error);
      if (original instanceof Error) problems.push(`upload ${acked.id}: original unreadable: ${original.message}`);
      else if (sha256(original) !== acked.sha256) problems.push(`upload ${acked.id}: original's bytes changed`);
    }
  }
  return { articles: ledger.articles.size, versions, media: ledger.media.size, problems };
}
