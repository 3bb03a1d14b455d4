/**
 * Idempotency-Key support for POST requests (draft-ietf-httpapi-idempotency-key-header).
 *
 * The response is stored in the same transaction as the change it describes. So after a crash, a timeout or a
 * node failure, a retry with the same key either finds the stored response (the change committed) or finds
 * nothing and redoes the whole change (it did not). Two concurrent requests with one key race on the table's
 * primary key: the second waits for the first to commit, then rolls back its own change and replays the first.
 */
import { createHash } from "node:crypto";
import type { Pool, PoolClient } from "pg";
import { idempotencyRepo, withTransaction, type StoredResponse } from "@folio/db";
import { AppError } from "@folio/http-kit";

/** What an Idempotency-Key may be: 1–200 visible ASCII characters (the HTTP layer validates it). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

export interface Outcome {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface IdempotentRequest {
  userId: string;
  key: string | undefined;
  method: string;
  path: string;
  body: unknown;
}

export interface IdempotentResult extends Outcome {
  replayed: boolean;
}

class ConcurrentDuplicate extends Error {}

export function fingerprint(request: Pick<IdempotentRequest, "method" | "path" | "body">): string {
  return createHash("sha256").update(`${request.method} ${request.path}\n${JSON.stringify(request.body ?? null)}`).digest("hex");
}

export class Idempotency {
  constructor(
    private readonly pool: Pool,
    private readonly ttlSeconds: number,
  ) {}

  /** A stored response for this key, checked against the request; undefined when there is none. */
  async lookup(request: IdempotentRequest): Promise<IdempotentResult | undefined> {
    if (!request.key) return undefined;
    const stored = await idempotencyRepo.find(this.pool, request.userId, request.key);
    return stored && this.replay(stored, request);
  }

  /** Runs `work` in a transaction, storing its outcome under the key when there is one. */
  async run(request: IdempotentRequest, work: (tx: PoolClient) => Promise<Outcome>): Promise<IdempotentResult> {
    const earlier = await this.lookup(request);
    if (earlier) return earlier;
    try {
      const outcome = await withTransaction(this.pool, async (tx) => {
        const result = await work(tx);
        if (request.key) {
          const saved = await idempotencyRepo.save(
            tx,
            {
              userId: request.userId,
              key: request.key,
              method: request.method,
              path: request.path,
              requestHash: fingerprint(request),
              status: result.status,
              body: result.body,
              headers: result.headers ?? {},
            },
            this.ttlSeconds,
          );
          if (!saved) throw new ConcurrentDuplicate();
        }
        return result;
      });
      return { ...outcome, replayed: false };
    } catch (error) {
      if (!(error instanceof ConcurrentDuplicate)) throw error;
      const winner = await this.lookup(request);
      if (!winner) throw new AppError("idempotency_conflict", 409, "A request with this Idempotency-Key is in progress; retry shortly.");
      return winner;
    }
  }

  private replay(stored: StoredResponse, request: IdempotentRequest): IdempotentResult {
    if (stored.requestHash !== fingerprint(request)) {
      throw new AppError(
        "idempotency_key_reused",
        422,
        "This Idempotency-Key was already used for a different request; use a new key for a new request.",
      );
    }
    return { status: stored.status, body: stored.body, headers: stored.headers, replayed: true };
  }
}
