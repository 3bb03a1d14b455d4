/**
 * Benchmark: requests/s and p99 of GET /v1/public/articles/:slug (a cache hit) against a bare Express
 * hello-world, measured side by side in one run on the same machine, alternating rounds so that drift in
 * the machine's speed affects both. Target (issue #2): ratio ≥ 0.6 and p99 < 20 ms at 50 connections.
 *
 * The API runs as in production: the compiled dist/main.js, LOG_LEVEL=info (one log line per request),
 * metrics on, with real PostgreSQL, Redis and S3 servers from @folio/testkit.
 *
 * Usage: pnpm bench:api [--duration 10 --connections 50 --rounds 3]
 * Prints a table and a JSON line; exits 1 when a target is missed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:net";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { createDatabase, startPostgres, startRedis, startS3, waitFor, type ServerHandle } from "@folio/testkit";

const { values } = parseArgs({
  allowPositionals: true, // tolerate the "--" that `pnpm bench -- …` passes along
  options: {
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "50" },
    rounds: { type: "string", default: "3" },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const rounds = Number(values.rounds);

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const servers: ServerHandle[] = [];
const children: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function start(script: string, env: Record<string, string>, nodeArgs: string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...nodeArgs, script], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit"] });
  children.push(child);
  return child;
}

async function measure(url: string, headers: Record<string, string> = {}) {
  // A short warm-up lets the JIT settle before the measured run.
  await autocannon({ url, connections, duration: 2, headers });
  const result = await autocannon({ url, connections, duration, headers });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p99: result.latency.p99, p50: result.latency.p50 };
}

try {
  const [postgres, redis, s3] = await Promise.all([startPostgres(), startRedis(), startS3()]);
  servers.push(postgres, redis, s3);
  const apiPort = await freePort();
  const helloPort = await freePort();
  const env = {
    PORT: String(apiPort),
    HOST: "127.0.0.1",
    DATABASE_URL: await createDatabase(postgres.url),
    REDIS_URL: redis.url,
    S3_ENDPOINT: s3.endpoint,
    S3_REGION: s3.region,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    JWT_SECRET: randomBytes(32).toString("hex"),
    ADMIN_EMAIL: "bench@folio.test",
    ADMIN_PASSWORD: "benchmark password",
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info",
  };
  const migrate = start(here("../dist/migrate.js"), env);
  const [code] = await once(migrate, "exit");
  if (code !== 0) throw new Error("migrations failed");
  // BENCH_API_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the API during the run.
  start(here("../dist/main.js"), env, process.env.BENCH_API_NODE_ARGS?.split(" ").filter(Boolean));
  start(here("./hello.ts"), { PORT: String(helloPort) });
  const api = `http://127.0.0.1:${apiPort}`;
  await waitFor(async () => (await fetch(`${api}/readyz`)).ok, { timeoutMs: 30_000, description: "the API to be ready" });
  await waitFor(async () => (await fetch(`http://127.0.0.1:${helloPort}/hello`)).ok, { description: "hello-world" });

  const json = (res: Response) => res.json() as Promise<Record<string, unknown>>;
  const login = await json(await fetch(`${api}/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD }) }));
  const auth = { authorization: `Bearer ${String(login.token)}`, "content-type": "application/json" };
  const body = "A paragraph of Markdown text about Kubernetes. ".repeat(60);
  const article = await json(await fetch(`${api}/v1/articles`, { method: "POST", headers: auth, body: JSON.stringify({ title: "Benchmark article", body, excerpt: "Excerpt", tags: ["bench"] }) }));
  await fetch(`${api}/v1/articles/${String(article.id)}/publish`, { method: "POST", headers: { ...auth, "if-match": '"1"' } });
  const target = `${api}/v1/public/articles/${String(article.slug)}`;
  await fetch(target);
  const cached = await fetch(target);
  if (cached.headers.get("x-cache") !== "hit") throw new Error("the article is not served from the cache");
  const payload = await cached.text();
  await fetch(`http://127.0.0.1:${helloPort}/article`, { method: "PUT", headers: { "content-type": "application/json" }, body: payload });

  type Measured = Awaited<ReturnType<typeof measure>>;
  const results: { round: number; hello: Measured; sameBody: Measured; api: Measured }[] = [];
  for (let round = 1; round <= rounds; round++) {
    const hello = await measure(`http://127.0.0.1:${helloPort}/hello`);
    const sameBody = await measure(`http://127.0.0.1:${helloPort}/article`);
    const apiResult = await measure(target);
    results.push({ round, hello, sameBody, api: apiResult });
    console.log(
      `round ${round}: hello ${hello.rps.toFixed(0)} req/s (p99 ${hello.p99} ms) | same body ${sameBody.rps.toFixed(0)} req/s | ` +
        `api ${apiResult.rps.toFixed(0)} req/s (p99 ${apiResult.p99} ms) | ratio ${(apiResult.rps / hello.rps).toFixed(2)}`,
    );
  }
  const metrics = await (await fetch(`${api}/metrics`)).text();
  console.log(metrics.split("\n").filter((line) => line.startsWith("folio_public_cache_lookups_total")).join("\n"));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const summary = {
    connections,
    durationSeconds: duration,
    rounds,
    helloRps: Math.round(median(results.map((r) => r.hello.rps))),
    sameBodyRps: Math.round(median(results.map((r) => r.sameBody.rps))),
    bodyBytes: Buffer.byteLength(payload),
    apiRps: Math.round(median(results.map((r) => r.api.rps))),
    ratio: Number(median(results.map((r) => r.api.rps / r.hello.rps)).toFixed(2)),
    apiP99Ms: median(results.map((r) => r.api.p99)),
    helloP99Ms: median(results.map((r) => r.hello.p99)),
  };
  console.log("\n| | req/s (median) | p99 ms |\n|---|---|---|");
  console.log(`| bare Express hello-world | ${summary.helloRps} | ${summary.helloP99Ms} |`);
  console.log(`| bare Express, the same ${summary.bodyBytes}-byte JSON from memory (context) | ${summary.sameBodyRps} | |`);
  console.log(`| GET /v1/public/articles/:slug (cache hit) | ${summary.apiRps} | ${summary.apiP99Ms} |`);
  console.log(`\nratio ${summary.ratio} (target ≥ 0.6), API p99 ${summary.apiP99Ms} ms (target < 20)`);
  console.log(JSON.stringify(summary));
  if (summary.ratio < 0.6 || summary.apiP99Ms >= 20) process.exitCode = 1;
} finally {
  for (const child of children) child.kill("SIGTERM");
  await Promise.allSettled(servers.map((server) => server.dispose()));
}
