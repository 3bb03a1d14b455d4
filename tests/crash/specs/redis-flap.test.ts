/**
 * Redis flaps under load: stopped and started several times, its pub/sub clients killed (CLIENT KILL TYPE pubsub),
 * and killed once more at the worst moment for a subscriber, after answering its reconnection handshake and before
 * answering its SUBSCRIBE, then unreachable for two reconnection attempts. That last one is what a busy machine
 * hit by chance in CI; here a TCP proxy between the API and Redis stops the conversation at that point every time.
 *
 * The API runs as a real process, so a promise rejection that nobody handles would show as what it is in
 * production: the process ending (Node's default) or, under the policy of ADR 0020, a logged and counted error.
 * Readers and a writer keep going throughout. Afterwards: the process is up and counted no unhandled rejection,
 * every answer during the faults was right, the cache serves hits again, and a second replica's invalidation
 * reaches this one's in-process tier (which only happens when its subscriber is subscribed again).
 */
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { TcpProxy, waitFor } from "@folio/testkit";
import { createStack, entryPoint, freePort, login, step, waitReady, ServiceProcess, type Stack } from "../src/processes.js";

let stack: Stack | undefined;
let proxy: TcpProxy | undefined;
const apis: ServiceProcess[] = [];
afterEach(async () => {
  await Promise.all(apis.splice(0).map((api) => api.kill()));
  await proxy?.close();
  await stack?.dispose();
});

async function startApi(name: string, redisUrl: string): Promise<{ api: ServiceProcess; url: string }> {
  const port = await freePort();
  const api = new ServiceProcess(name, entryPoint("@folio/api", "main.js"), {
    ...stack!.env,
    REDIS_URL: redisUrl,
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn", // the process's last lines, kept for failure messages, are then about Redis, not requests
    PUBLIC_CACHE_TTL_SECONDS: "300", // a missed invalidation would serve stale data for this long
  });
  apis.push(api);
  api.start();
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url, api);
  return { api, url };
}

/** A sample from the API's /metrics: the first series called `name` that has all of `labels` (0 when none). */
async function metric(url: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text
    .split("\n")
    .find((sample) => /^[^{ ]+/.exec(sample)?.[0] === name && Object.entries(labels).every(([key, value]) => sample.includes(`${key}="${value}"`)));
  return line === undefined ? 0 : Number(line.split(" ").at(-1));
}

interface Article {
  id: string;
  slug: string;
  title: string;
  version: number;
}

async function call(url: string, method: string, path: string, token: string, body?: unknown, version?: number): Promise<Article> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: token, "content-type": "application/json", ...(version ? { "if-match": `"${version}"` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Article;
}

/** Public reads and edits until stopped; every wrong answer is kept, with what was expected. */
function startLoad(url: string, token: string, articles: Article[]) {
  const problems: string[] = [];
  const counts = { reads: 0, writes: 0, bypass: 0 };
  let running = true;
  let current = articles[0]!;
  const readers = Array.from({ length: 4 }, async (_, reader) => {
    while (running) {
      const article = articles[reader % articles.length]!;
      const path = reader % 2 === 0 ? `/v1/public/articles/${article.slug}` : "/v1/public/articles?limit=10";
      try {
        const res = await fetch(`${url}${path}`);
        const body = (await res.json()) as { slug?: string; items?: { slug: string }[] };
        counts.reads++;
        if (res.headers.get("x-cache") === "bypass") counts.bypass++;
        if (res.status !== 200) problems.push(`GET ${path} answered ${res.status}: ${JSON.stringify(body)}`);
        else if (reader % 2 === 0 && body.slug !== article.slug) problems.push(`GET ${path} returned ${JSON.stringify(body)}`);
        else if (reader % 2 === 1 && body.items?.length !== articles.length) problems.push(`GET ${path} listed ${body.items?.length} articles`);
      } catch (error) {
        problems.push(`GET ${path} failed: ${(error as Error).message}`);
      }
    }
  });
  // One writer: each edit must be visible at once in the public read that follows it (the cache never serves
  // what this process knows may be stale, with Redis or without).
  const writer = (async () => {
    for (let n = 1; running; n++) {
      try {
        current = await call(url, "PATCH", `/v1/articles/${current.id}`, token, { title: `Edited ${n}` }, current.version);
        counts.writes++;
        const res = await fetch(`${url}/v1/public/articles/${current.slug}`);
        const body = (await res.json()) as { title?: string };
        if (body.title !== `Edited ${n}`) problems.push(`after edit ${n}, the public read returned ${res.status} ${JSON.stringify(body)}`);
      } catch (error) {
        problems.push(`edit ${n}: ${(error as Error).message}`);
      }
    }
  })();
  return {
    problems,
    counts,
    async stop() {
      running = false;
      await Promise.all([...readers, writer]);
      return current;
    },
  };
}

describe("when Redis flaps while the API is under load", () => {
  it("then the API process stays up, answers correctly throughout, and its cache recovers, in-process tier included", async () => {
    stack = await createStack({ redis: { appendonly: true } });
    proxy = await TcpProxy.forUrl(stack.redis.url);
    const { api, url } = await startApi("api", proxy.urlFor(stack.redis.url));
    // A second replica, straight to Redis: its edits reach the first one only through Redis's pub/sub.
    const replica = await startApi("replica", stack.redis.url);
    let exited: number | null | undefined;
    void api.exited.then((code) => (exited = code));
    const token = await login(url, stack.admin);
    const articles: Article[] = [];
    for (const title of ["Flapping one", "Flapping two", "Flapping three"]) {
      const created = await call(url, "POST", "/v1/articles", token, { title, body: "Text." });
      articles.push(await call(url, "POST", `/v1/articles/${created.id}/publish`, token, undefined, created.version));
    }
    const admin = new Redis(stack.redis.url, { maxRetriesPerRequest: null });
    admin.on("error", () => {});
    // Recovered: the cache subscribed again and re-read the generation (its in-process tier is back on) since `since`.
    const follows = () => metric(url, "folio_public_cache_follows_total");
    const recovered = async (what: string, since: number) => {
      await waitFor(async () => exited !== undefined || (await follows()) > since, {
        timeoutMs: 30_000,
        intervalMs: 100,
        description: `the cache to follow invalidations again after ${what}`,
      });
      if (exited !== undefined) throw new Error(`the API exited with ${exited} after ${what}\n${api.output()}`);
      expect(await metric(url, "folio_public_cache_local_tier_on")).toBe(1);
    };
    await recovered("start-up", 0);

    const load = startLoad(url, token, articles);
    const started = Date.now();
    try {
      for (let flap = 1; flap <= 3; flap++) {
        const since = await follows();
        // Refused while it is down, as a direct connection would be (the proxy would otherwise accept and close).
        await proxy.refuse();
        await stack.redis.stop();
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        await stack.redis.start();
        await proxy.accept();
        const back = Date.now();
        await recovered(`restart ${flap}`, since);
        step(`redis stopped for 1 s and started (${flap}/3); the in-process tier on again ${Date.now() - back} ms after Redis answered`);
      }
      for (let kill = 1; kill <= 3; kill++) {
        const since = await follows();
        const killed = Date.now();
        await admin.client("KILL", "TYPE", "pubsub");
        await recovered(`CLIENT KILL ${kill}`, since);
        step(`CLIENT KILL TYPE pubsub (${kill}/3); the in-process tier on again ${Date.now() - killed} ms later`);
      }
      for (let fault = 1; fault <= 2; fault++) {
        const since = await follows();
        const subscribe = proxy.hold("to-server", "subscribe");
        await admin.client("KILL", "TYPE", "pubsub");
        await subscribe.held; // reconnected, ready check answered, SUBSCRIBE sent and not yet seen by Redis
        await proxy.refuse(); // Redis gone: the connection drops, and the next two attempts are refused
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        subscribe.release();
        await proxy.accept();
        const back = Date.now();
        await recovered(`the kill between handshake and SUBSCRIBE ${fault}`, since);
        step(`Redis gone for 1.5 s between the subscriber's ready check and its SUBSCRIBE (${fault}/2); the in-process tier on again ${Date.now() - back} ms after Redis answered`);
      }
    } finally {
      await load.stop();
    }
    step(`${load.counts.reads} public reads (${load.counts.bypass} bypassed the cache) and ${load.counts.writes} edits in ${Date.now() - started} ms of faults; ${load.problems.length} wrong answers`);

    expect(exited, api.output()).toBeUndefined();
    expect(await metric(url, "folio_unhandled_rejections_total"), api.output()).toBe(0);
    expect(load.problems, api.output()).toEqual([]);
    expect(load.counts.writes).toBeGreaterThan(0);

    // The cache serves hits again, from the in-process tier.
    const slug = articles[1]!.slug;
    const localHits = () => metric(url, "folio_public_cache_lookups_total", { result: "hit", tier: "local" });
    const hitsBefore = await localHits();
    await fetch(`${url}/v1/public/articles/${slug}`);
    const again = await fetch(`${url}/v1/public/articles/${slug}`);
    expect(again.headers.get("x-cache")).toBe("hit");
    expect(await localHits()).toBeGreaterThan(hitsBefore);

    // An edit through the other replica invalidates this one's in-process tier within moments, not after the TTL.
    const before = Date.now();
    const current = await call(replica.url, "GET", `/v1/articles/${articles[1]!.id}`, token);
    await call(replica.url, "PATCH", `/v1/articles/${current.id}`, token, { title: "Edited elsewhere" }, current.version);
    await waitFor(async () => ((await (await fetch(`${url}/v1/public/articles/${slug}`)).json()) as Article).title === "Edited elsewhere", {
      timeoutMs: 5_000,
      intervalMs: 20,
      description: "the other replica's edit to be served",
    });
    step(`the other replica's edit was served by this one ${Date.now() - before} ms later`);
    admin.disconnect();

    expect(await api.stop()).toBe(0);
  });
});
