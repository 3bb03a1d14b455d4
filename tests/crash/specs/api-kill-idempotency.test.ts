/**
 * Kill the API (SIGKILL) while clients are in the middle of POSTs that carry an Idempotency-Key, restart it,
 * and let the clients retry with the same key, as a client would after a timeout or a node failure.
 * Each key must end as exactly one article, whatever moment the kill hit.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStack, login, step, waitReady, type Stack } from "../src/processes.js";

let stack: Stack;
beforeAll(async () => {
  stack = await createStack();
  stack.api.start();
  await waitReady(stack.apiUrl, stack.api);
});
afterAll(() => stack?.dispose());

describe("when the API is killed mid-request and clients retry with the same Idempotency-Key", () => {
  it("then each key ends as exactly one article", async () => {
    let token = await login(stack.apiUrl, stack.admin);
    const keys = Array.from({ length: 800 }, () => randomUUID());
    const done = new Map<string, string>(); // key → article id from the 201
    let attempts = 0;
    let networkErrors = 0;

    async function client(mine: string[]) {
      for (const key of mine) {
        for (;;) {
          attempts++;
          try {
            const res = await fetch(`${stack.apiUrl}/v1/articles`, {
              method: "POST",
              headers: { "content-type": "application/json", authorization: token, "idempotency-key": key },
              body: JSON.stringify({ title: `idem-${key}`, body: "x".repeat(2000) }),
              signal: AbortSignal.timeout(5_000),
            });
            if (res.status === 201) {
              done.set(key, ((await res.json()) as { id: string }).id);
              break;
            }
            // 503 while Postgres connections are re-established, 409 while a twin is in flight: retry.
          } catch {
            networkErrors++;
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    }

    const clients = [0, 1, 2, 3, 4, 5].map((i) => client(keys.filter((_, k) => k % 6 === i)));
    for (let round = 1; round <= 4 && done.size < keys.length; round++) {
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 150));
      step(`round ${round}: ${done.size}/${keys.length} keys done; killing the API`);
      await stack.api.kill();
      await new Promise((resolve) => setTimeout(resolve, 300));
      stack.api.start();
      await waitReady(stack.apiUrl, stack.api);
      token = await login(stack.apiUrl, stack.admin); // same JWT secret: old tokens work too, this proves login still does
    }
    await Promise.all(clients);
    step(`all ${keys.length} keys done after ${attempts} attempts (${networkErrors} network errors)`);

    const db = new pg.Client({ connectionString: stack.env.DATABASE_URL });
    await db.connect();
    const { rows } = await db.query<{ title: string; n: string; ids: string[] }>(
      "SELECT title, count(*) AS n, array_agg(id::text) AS ids FROM articles WHERE title LIKE 'idem-%' GROUP BY title",
    );
    await db.end();
    const counts = new Map(rows.map((row) => [row.title.slice(5), Number(row.n)]));
    const duplicated = keys.filter((key) => (counts.get(key) ?? 0) > 1);
    const missing = keys.filter((key) => !counts.has(key));
    expect(networkErrors, "the kills hit requests in flight").toBeGreaterThan(0);
    expect(duplicated, "keys with more than one article").toEqual([]);
    expect(missing, "keys with no article").toEqual([]);
    for (const row of rows) expect(row.ids).toEqual([done.get(row.title.slice(5))]);
  });
});
