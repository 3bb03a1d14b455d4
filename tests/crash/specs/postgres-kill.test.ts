/**
 * Kill PostgreSQL (SIGKILL, every process of it) in the middle of a stream of article writes.
 * Every write the API acknowledged with a 2xx must be there after Postgres restarts, and the API must
 * recover on its own, without being restarted.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@folio/testkit";
import { createStack, login, step, waitReady, type Stack } from "../src/processes.js";

let stack: Stack;
beforeAll(async () => {
  stack = await createStack();
  stack.api.start();
  await waitReady(stack.apiUrl, stack.api);
});
afterAll(() => stack?.dispose());

describe("when Postgres is killed during a stream of writes", () => {
  it("then every acknowledged write survives and the API recovers without a restart", async () => {
    const token = await login(stack.apiUrl, stack.admin);
    const acknowledged = new Set<string>();
    const outcomes = new Map<string, number>();
    let stop = false;
    let sequence = 0;

    async function writer(id: number) {
      while (!stop) {
        const title = `w${id}-${sequence++}`;
        try {
          const res = await fetch(`${stack.apiUrl}/v1/articles`, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: token },
            body: JSON.stringify({ title }),
            signal: AbortSignal.timeout(10_000),
          });
          outcomes.set(String(res.status), (outcomes.get(String(res.status)) ?? 0) + 1);
          if (res.status === 201) acknowledged.add(title);
        } catch {
          outcomes.set("network", (outcomes.get("network") ?? 0) + 1);
        }
      }
    }

    const writers = Array.from({ length: 4 }, (_, i) => writer(i));
    // A number of writes rather than a time: how many fit in a second depends on how busy the machine is.
    await waitFor(() => acknowledged.size > 10, { timeoutMs: 60_000, description: "more than 10 acknowledged writes" });
    const beforeKill = acknowledged.size;
    step(`${beforeKill} writes acknowledged; killing postgres`);
    await stack.postgres.kill();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    step(`postgres down for 1 s; outcomes so far ${JSON.stringify(Object.fromEntries(outcomes))}; restarting it`);
    await stack.postgres.start();
    const restartedAt = Date.now();
    // Writes resume by themselves once the pool reconnects.
    const atRestart = acknowledged.size;
    while (acknowledged.size === atRestart && Date.now() - restartedAt < 20_000) await new Promise((resolve) => setTimeout(resolve, 50));
    step(`first acknowledged write ${Date.now() - restartedAt} ms after the restart`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    stop = true;
    await Promise.all(writers);
    step(`outcomes ${JSON.stringify(Object.fromEntries(outcomes))}; ${acknowledged.size} acknowledged in all`);

    expect(outcomes.get("network") ?? 0, `the API stopped answering:\n${stack.api.output(60)}`).toBe(0);
    expect(beforeKill).toBeGreaterThan(10);
    expect(acknowledged.size).toBeGreaterThan(atRestart);
    expect(outcomes.get("503") ?? 0, "writes during the outage are answered 503").toBeGreaterThan(0);

    const client = new pg.Client({ connectionString: stack.env.DATABASE_URL });
    await client.connect();
    const { rows } = await client.query<{ title: string }>("SELECT title FROM articles");
    await client.end();
    const stored = new Set(rows.map((row) => row.title));
    const lost = [...acknowledged].filter((title) => !stored.has(title));
    expect(lost, `acknowledged but missing after the restart: ${lost.slice(0, 10).join(", ")}`).toEqual([]);
    expect((await fetch(`${stack.apiUrl}/readyz`)).status).toBe(200);
  });
});
