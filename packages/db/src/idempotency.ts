import type { Queryable } from "./pool.js";

export interface StoredResponse {
  userId: string;
  key: string;
  method: string;
  path: string;
  requestHash: string;
  status: number;
  body: unknown;
  headers: Record<string, string>;
  createdAt: Date;
}

interface Row {
  user_id: string;
  key: string;
  method: string;
  path: string;
  request_hash: string;
  response_status: number;
  response_body: unknown;
  response_headers: Record<string, string>;
  created_at: Date;
}

const toStored = (row: Row): StoredResponse => ({
  userId: row.user_id,
  key: row.key,
  method: row.method,
  path: row.path,
  requestHash: row.request_hash,
  status: row.response_status,
  body: row.response_body,
  headers: row.response_headers,
  createdAt: row.created_at,
});

export const idempotencyRepo = {
  async find(db: Queryable, userId: string, key: string): Promise<StoredResponse | undefined> {
    const { rows } = await db.query<Row>(
      "SELECT * FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND expires_at > now()",
      [userId, key],
    );
    return rows[0] && toStored(rows[0]);
  },

  /**
   * Inserts the response; returns false when the key already exists (a concurrent request with the same key
   * committed first). The primary key makes the second inserter wait for the first transaction, so exactly
   * one of two racing requests commits its change. An expired row is replaced.
   */
  async save(db: Queryable, response: Omit<StoredResponse, "createdAt">, ttlSeconds: number): Promise<boolean> {
    const { rowCount } = await db.query(
      `INSERT INTO idempotency_keys (user_id, key, method, path, request_hash, response_status, response_body, response_headers, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() + make_interval(secs => $9))
       ON CONFLICT (user_id, key) DO UPDATE SET
         method = EXCLUDED.method, path = EXCLUDED.path, request_hash = EXCLUDED.request_hash,
         response_status = EXCLUDED.response_status, response_body = EXCLUDED.response_body,
         response_headers = EXCLUDED.response_headers, created_at = now(), expires_at = EXCLUDED.expires_at
       WHERE idempotency_keys.expires_at <= now()`,
      [
        response.userId,
        response.key,
        response.method,
        response.path,
        response.requestHash,
        response.status,
        JSON.stringify(response.body ?? null),
        JSON.stringify(response.headers),
        ttlSeconds,
      ],
    );
    return (rowCount ?? 0) > 0;
  },

  async purgeExpired(db: Queryable, limit: number): Promise<number> {
    const { rowCount } = await db.query(
      `DELETE FROM idempotency_keys WHERE ctid IN (SELECT ctid FROM idempotency_keys WHERE expires_at <= now() LIMIT $1)`,
      [limit],
    );
    return rowCount ?? 0;
  },
};
