/**
 * Background load during a fault, as real clients would make it:
 *   - writers create articles with an Idempotency-Key and retry until they get an answer (the same key, so a
 *     retry can never create a second article), now and then edit one (If-Match) or publish it;
 *   - readers fetch the public site and the public API, without retrying (they measure availability);
 *   - uploaders send images with an Idempotency-Key and retry the same way.
 * Every request goes on the scenario's timeline; every acknowledged write goes into the ledger.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import sharp from "sharp";
import type { Article, FolioClient } from "./client.ts";
import { multipartFile } from "./client.ts";
import { Ledger, sha256 } from "./ledger.ts";

export interface LoadOptions {
  writers: number;
  readers: number;
  uploaders: number;
  /** Pause between one writer's operations (ms). */
  writerPauseMs: number;
  readerPauseMs: number;
  uploaderPauseMs: number;
  /** Every n-th created article is edited once, and every m-th published. */
  editEvery: number;
  publishEvery: number;
  /** Retries of one write: pauses grow from 200 ms to this (ms). */
  maxBackoffMs: number;
}

export const DEFAULT_LOAD: LoadOptions = {
  writers: 3,
  readers: 2,
  uploaders: 1,
  writerPauseMs: 100,
  readerPauseMs: 150,
  uploaderPauseMs: 1_500,
  editEvery: 4,
  publishEvery: 5,
  maxBackoffMs: 2_000,
};

/** Statuses worth retrying with the same key: the server may or may not have done the work. */
function retryable(status: number, code: string | undefined): boolean {
  return status === 0 || status >= 500 || status === 429 || (status === 409 && code === "idempotency_conflict");
}

const words = ["kubernetes", "node", "volume", "replica", "quorum", "ledger", "failover", "taint", "probe", "ingress", "backup", "restore"];
function text(length: number): string {
  const out: string[] = [];
  while (out.join(" ").length < length) out.push(words[randomBytes(1)[0]! % words.length]!);
  return `${out.join(" ")} ${randomUUID()}`;
}

export class Load {
  readonly ledger: Ledger;
  private running = false;
  /** After stop(): retries of writes already sent may go on until this time (epoch ms). */
  private drainUntil = Number.POSITIVE_INFINITY;
  private workers: Promise<void>[] = [];
  private readonly published: string[] = [];

  private readonly client: FolioClient;
  readonly options: LoadOptions;

  constructor(client: FolioClient, tag: string, options: LoadOptions = DEFAULT_LOAD) {
    this.client = client;
    this.options = options;
    this.ledger = new Ledger(tag);
  }

  start(): this {
    this.running = true;
    for (let i = 0; i < this.options.writers; i++) this.workers.push(this.loop(() => this.write(), this.options.writerPauseMs));
    for (let i = 0; i < this.options.readers; i++) this.workers.push(this.loop(() => this.read(), this.options.readerPauseMs));
    for (let i = 0; i < this.options.uploaders; i++) this.workers.push(this.loop(() => this.upload(), this.options.uploaderPauseMs));
    return this;
  }

  /**
   * Stops starting new operations. A write already sent keeps retrying for up to `drainMs`, so that it ends
   * acknowledged or is known not to be; verification only counts acknowledged writes either way.
   */
  async stop(drainMs = 60_000): Promise<void> {
    this.running = false;
    this.drainUntil = Date.now() + drainMs;
    await Promise.all(this.workers);
    this.workers = [];
  }

  private async loop(operation: () => Promise<void>, pauseMs: number): Promise<void> {
    while (this.running) {
      try {
        await operation();
      } catch (error) {
        this.ledger.unexpected.push(error instanceof Error ? error.message : String(error));
      }
      await sleep(pauseMs);
    }
  }

  /** Sends until the answer is final; returns it, or undefined when the drain deadline passed first. */
  private async untilAnswered(send: () => Promise<{ status: number; problemCode?: string }>): Promise<{ status: number; problemCode?: string } | undefined> {
    let pause = 200;
    for (;;) {
      const answer = await send().catch(() => ({ status: 0, problemCode: undefined }));
      if (!retryable(answer.status, answer.problemCode)) return answer;
      if (Date.now() > this.drainUntil) return undefined;
      await sleep(pause + Math.random() * pause);
      pause = Math.min(pause * 2, this.options.maxBackoffMs);
    }
  }

  private async write(): Promise<void> {
    const key = randomUUID();
    this.ledger.attemptedKeys.add(key);
    const title = this.ledger.titleFor(key);
    const body = text(300);
    let created: Article | undefined;
    const answer = await this.untilAnswered(async () => {
      const response = await this.client.request("write", "POST", "/v1/articles", {
        body: JSON.stringify({ title, body }),
        headers: { "content-type": "application/json", "idempotency-key": key },
      });
      if (response.status === 201) created = response.json<Article>();
      return response;
    });
    if (!answer) return; // never acknowledged: it may or may not exist, at most once
    if (answer.status !== 201 || !created) {
      this.ledger.unexpected.push(`create answered ${answer.status} ${answer.problemCode ?? ""}`);
      return;
    }
    this.ledger.ackArticle(created, key);
    const count = this.ledger.articles.size;
    if (count % this.options.editEvery === 0) await this.edit(created);
    if (count % this.options.publishEvery === 0) await this.publish(created.id);
  }

  /** One edit with If-Match. A retry that meets 412 reads the article: if it holds our edit, the first try won. */
  private async edit(article: Article): Promise<void> {
    const body = text(400);
    let result: Article | undefined;
    const answer = await this.untilAnswered(async () => {
      const response = await this.client.request("write", "PATCH", `/v1/articles/${article.id}`, {
        body: JSON.stringify({ body }),
        headers: { "content-type": "application/json", "if-match": `"${article.version}"` },
      });
      if (response.status === 200) result = response.json<Article>();
      if (response.status === 412) {
        const settled = await this.settle(article.id, (current) => current.body === body);
        if (settled.article) result = settled.article;
        return settled.answer ?? response;
      }
      return response;
    });
    if (!answer) return;
    if (answer.status !== 200 || !result) {
      this.ledger.unexpected.push(`edit of ${article.id} answered ${answer.status} ${answer.problemCode ?? ""}`);
      return;
    }
    this.ledger.ackVersion(article.id, result.version, result.title, result.body);
    Object.assign(article, result);
  }

  /**
   * After a conflict on a retry, reads the article: when it already holds what this step wanted, the first try won
   * (answer 200 with the article); when the read meets the fault too, there is no verdict and the step is retried
   * (its answer); otherwise the conflict stands (no answer).
   */
  private async settle(id: string, holds: (current: Article) => boolean): Promise<{ answer?: { status: number; problemCode?: string }; article?: Article }> {
    const current = await this.client.request("write", "GET", `/v1/articles/${id}`);
    if (retryable(current.status, current.problemCode)) return { answer: current };
    if (current.status === 200 && holds(current.json<Article>())) return { answer: { status: 200 }, article: current.json<Article>() };
    return {};
  }

  private async publish(id: string): Promise<void> {
    const acked = this.ledger.articles.get(id)!;
    const version = this.ledger.latestVersion(acked);
    let result: Article | undefined;
    const answer = await this.untilAnswered(async () => {
      const response = await this.client.request("write", "POST", `/v1/articles/${id}/publish`, { headers: { "if-match": `"${version}"` } });
      if (response.status === 200) result = response.json<Article>();
      if (response.status === 412 || response.status === 409) {
        const settled = await this.settle(id, (current) => current.status === "published");
        if (settled.article) result = settled.article;
        return settled.answer ?? response;
      }
      return response;
    });
    if (!answer) return;
    if (answer.status !== 200 || !result) {
      this.ledger.unexpected.push(`publish of ${id} answered ${answer.status} ${answer.problemCode ?? ""}`);
      return;
    }
    this.ledger.ackPublished(id, result.version, result.title, result.body);
    this.published.push(result.slug);
  }

  private async read(): Promise<void> {
    const pick = Math.random();
    if (pick < 0.4) {
      await this.client.request("read", "GET", "/v1/public/articles?limit=10").catch(() => undefined);
    } else if (pick < 0.7 && this.published.length > 0) {
      const slug = this.published[Math.floor(Math.random() * this.published.length)]!;
      await this.client.request("read", "GET", `/v1/public/articles/${slug}`).catch(() => undefined);
    } else {
      await this.client.request("read", "GET", "/", { host: "web" }).catch(() => undefined);
    }
  }

  private async upload(): Promise<void> {
    const key = randomUUID();
    this.ledger.attemptedKeys.add(`media-${key}`);
    const image = await randomJpeg();
    const filename = `${this.ledger.tag}-${key}.jpg`;
    const { body, contentType } = multipartFile(filename, "image/jpeg", image);
    let created: { id: string } | undefined;
    const answer = await this.untilAnswered(async () => {
      const response = await this.client.request("upload", "POST", "/v1/media", { body, headers: { "content-type": contentType, "idempotency-key": key }, timeout: 30_000 });
      if (response.status === 201) created = response.json<{ id: string }>();
      return response;
    });
    if (!answer) return;
    if (answer.status !== 201 || !created) {
      this.ledger.unexpected.push(`upload answered ${answer.status} ${answer.problemCode ?? ""}`);
      return;
    }
    this.ledger.ackMedia({ id: created.id, key, filename, sha256: sha256(image) });
  }
}

/** A small JPEG of random noise: every upload's bytes differ, so a checksum identifies it. */
export async function randomJpeg(width = 320, height = 240): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: "#336699", noise: { type: "gaussian", mean: 128, sigma: 40 } } })
    .jpeg({ quality: 80 })
    .toBuffer();
}
