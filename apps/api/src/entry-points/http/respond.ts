import type { Response } from "express";
import { z } from "zod";
import { validateKey, type IdempotentResult } from "../../domain/idempotency.js";

/** The Idempotency-Key header, validated (1–200 visible ASCII characters). */
export const idempotencyKeyHeader = z.object({
  "idempotency-key": z
    .string()
    .optional()
    .transform((key) => validateKey(key)),
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
