import type { Response } from "express";
import { z } from "zod";
import { IDEMPOTENCY_KEY_PATTERN, type IdempotentResult } from "../../domain/idempotency.js";

/**
 * The Idempotency-Key header: 1–200 visible ASCII characters. A pattern rather than a refinement, so that the
 * OpenAPI document states the same rule the server applies.
 */
export const idempotencyKeyHeader = z.object({
  "idempotency-key": z
    .string()
    .regex(IDEMPOTENCY_KEY_PATTERN, "1 to 200 visible ASCII characters")
    .optional()
    .meta({ description: "Retry safely: a repeated request with the same key replays the first response." }),
});

export function sendOutcome(res: Response, result: IdempotentResult): void {
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
  if (result.replayed) res.setHeader("idempotent-replayed", "true");
  res.status(result.status);
  if (result.body === undefined || result.body === null) res.end();
  else res.json(result.body);
}

/** Strong ETag from an article's version. */
export const etagFor = (version: number) => `"${version}"`;
