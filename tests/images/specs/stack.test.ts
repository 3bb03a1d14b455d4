/**
 * The images running together, as the chart runs them: on one Docker network with PostgreSQL, Redis and an S3
 * server (versitygw), every Folio container read-only with a tmpfs /tmp, no capabilities and no privilege
 * escalation, under the user the image names. The tests run in order: the migrations Job, the services and
 * their probes, a smoke flow through every service, the chart's `helm test` script, the cleanup job, and last
 * SIGTERM.
 */
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { waitFor } from "@folio/testkit";
import { dockerOk } from "../src/docker.js";
import { SERVICE_PORTS, imageName, repoRoot } from "../src/images.js";
import { gradientPng } from "../src/png.js";
import { RESTRICTED, Stack, type Container } from "../src/stack.js";

const tag = inject("imageTag");
const stack = new Stack();
const scratch = mkdtempSync(join(tmpdir(), "folio-image-tests-"));

const secrets = {
  postgresPassword: randomBytes(12).toString("hex"),
  s3AccessKeyId: `FOLIO${randomBytes(6).toString("hex").toUpperCase()}`,
  s3SecretAccessKey: randomBytes(20).toString("base64url"),
  jwtSecret: randomBytes(32).toString("hex"),
  adminPassword: randomBytes(12).toString("base64url"),
};
const ADMIN_EMAIL = "admin@folio.localtest.me";
/** Only a value here: the browser would call it; the test checks that the web server hands it out. */
const PUBLIC_API_URL = "http://api.folio.localtest.me";
const NODE_NAME = `image-test-node-${stack.runId}`;

/** What the chart gives each app through its ConfigMap and Secret, pointing at this stack's servers. */
const backingServices = () => ({
  DATABASE_URL: `postgres://folio:${secrets.postgresPassword}@${stack.host("postgres")}:5432/folio`,
  REDIS_URL: `redis://${stack.host("redis")}:6379`,
  S3_ENDPOINT: `http://${stack.host("s3")}:7070`,
  S3_REGION: "us-east-1",
  S3_BUCKET: "folio-media",
  S3_ACCESS_KEY_ID: secrets.s3AccessKeyId,
  S3_SECRET_ACCESS_KEY: secrets.s3SecretAccessKey,
});

const services: Partial<Record<keyof typeof SERVICE_PORTS, { container: Container; url: string }>> = {};
let failed = false;

beforeAll(async () => {
  try {
    await stack.createNetwork();
    await Promise.all([startPostgres(), startRedis(), startS3()]);
  } catch (error) {
    failed = true;
    throw error;
  }
});

afterEach(({ task }) => {
  if (task.result?.state === "fail") failed = true;
});

afterAll(async () => {
  try {
    if (failed) console.log(`Container logs of the failed image test run ${stack.runId}:\n${await stack.logs()}`);
  } finally {
    await stack.dispose();
    rmSync(scratch, { recursive: true, force: true });
  }
});

describe("the images on a Docker network, as the chart runs them", () => {
  it("the migrations run with the api image and `node dist/migrate.js`, as the chart's Job runs them, and a second run changes nothing", async () => {
    const migrate = (name: string) =>
      stack.runToCompletion({ name, image: imageName("api", tag), env: { DATABASE_URL: backingServices().DATABASE_URL, MIGRATE_WAIT_SECONDS: "60" }, options: RESTRICTED, command: ["node", "dist/migrate.js"] });

    const first = await migrate("migrate");
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toContain("migrations applied");

    const second = await migrate("migrate-again");
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toContain("schema already current");
  });

  it("the api, worker, web and agent start read-only without capabilities, become ready, and run as uid 1000", async () => {
    const podLogs = writePodLogs();
    const started = await Promise.all([
      startService("api", {
        ...backingServices(),
        JWT_SECRET: secrets.jwtSecret,
        ADMIN_EMAIL,
        ADMIN_PASSWORD: secrets.adminPassword,
      }),
      startService("worker", backingServices()),
      startService("web", { API_URL: PUBLIC_API_URL }),
      startService("agent", { REDIS_URL: backingServices().REDIS_URL, NODE_NAME, STATE_DIR: "/tmp/folio-agent", AGENT_VERSION: tag }, ["--volume", `${podLogs}:/var/log/pods:ro`]),
    ]);

    for (const { container, url } of started) {
      await waitFor(async () => (await fetch(`${url}/readyz`)).ok, { timeoutMs: 60_000, intervalMs: 250, description: `${container.name}'s /readyz to answer 200` });
      const health = await fetch(`${url}/healthz`);
      expect(health.status, `${container.name} /healthz`).toBe(200);

      const probe = await container.exec(["node", "-e", READ_ONLY_PROBE]);
      expect(JSON.parse(probe.stdout), container.name).toEqual({ uid: 1000, gid: 1000, app: "EROFS", tmp: "ok" });
    }
  });

  it("smoke flow: log in, upload an image, the worker makes its variants, publish an article, read it through the public API", async () => {
    const api = services.api!.url;
    const login = await fetch(`${api}/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: ADMIN_EMAIL, password: secrets.adminPassword }) });
    expect(login.status).toBe(200);
    const auth = { authorization: `Bearer ${((await login.json()) as { token: string }).token}` };

    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(gradientPng())], { type: "image/png" }), "gradient.png");
    const upload = await fetch(`${api}/v1/media`, { method: "POST", headers: auth, body: form });
    expect(upload.status).toBe(201);
    const media = (await upload.json()) as { id: string; status: string };

    const ready = await waitFor(
      async () => {
        const body = (await (await fetch(`${api}/v1/media/${media.id}`, { headers: auth })).json()) as { status: string; variants: { name: string }[] };
        return body.status === "ready" ? body : false;
      },
      { timeoutMs: 60_000, intervalMs: 250, description: "the worker to mark the upload ready" },
    );
    expect(ready.variants.map((variant) => variant.name)).toContain("thumb-webp");
    const thumb = await fetch(`${api}/v1/media/${media.id}/content/thumb-webp`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get("content-type")).toBe("image/webp");
    const bytes = Buffer.from(await thumb.arrayBuffer());
    expect(bytes.subarray(8, 12).toString("ascii")).toBe("WEBP");

    const title = `Images test ${stack.runId}`;
    const created = await fetch(`${api}/v1/articles`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ title, body: "Served from the production images." }) });
    expect(created.status).toBe(201);
    const article = (await created.json()) as { id: string; slug: string };
    const published = await fetch(`${api}/v1/articles/${article.id}/publish`, { method: "POST", headers: { ...auth, "if-match": created.headers.get("etag")! } });
    expect(published.status).toBe(200);

    const read = await fetch(`${api}/v1/public/articles/${article.slug}`);
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ title, slug: article.slug });
  });

  it("the web server answers /healthz and hands out the API URL from its environment in /config.js", async () => {
    const web = services.web!.url;
    expect((await fetch(`${web}/healthz`)).status).toBe(200);
    const config = await fetch(`${web}/config.js`);
    expect(config.status).toBe(200);
    expect(config.headers.get("content-type")).toMatch(/javascript/);
    expect(await config.text()).toContain(JSON.stringify({ apiUrl: PUBLIC_API_URL }));
    const page = await fetch(`${web}/articles/anything`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("/config.js");
  });

  it("the agent reads the mounted /var/log/pods and ships a pod's line, which an admin reads through the API with the node's heartbeat", async () => {
    const api = services.api!.url;
    const login = await fetch(`${api}/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: ADMIN_EMAIL, password: secrets.adminPassword }) });
    const auth = { authorization: `Bearer ${((await login.json()) as { token: string }).token}` };

    const entry = await waitFor(
      async () => {
        const body = (await (await fetch(`${api}/v1/admin/logs?node=${NODE_NAME}`, { headers: auth })).json()) as { items: { message: string; pod: string; container: string }[] };
        return body.items.find((item) => item.message.includes(POD_LOG_MARKER));
      },
      { timeoutMs: 30_000, intervalMs: 250, description: "the agent's shipped line in GET /v1/admin/logs" },
    );
    expect(entry).toMatchObject({ pod: "folio-web-7d9f8c-abcde", container: "web" });

    const nodes = (await (await fetch(`${api}/v1/admin/nodes`, { headers: auth })).json()) as { items: { node: string; agentVersion: string }[] };
    expect(nodes.items).toContainEqual(expect.objectContaining({ node: NODE_NAME, agentVersion: tag }));
  });

  it("the chart's `helm test` script passes in the api image, run as the test pod runs it", async () => {
    const script = readFileSync(join(repoRoot, "charts/folio/files/smoke-test.mjs"), "utf8");
    const run = await stack.runToCompletion({
      name: "helm-test",
      image: imageName("api", tag),
      env: {
        API_URL: `http://${stack.host("api")}:8080`,
        WEB_URL: `http://${stack.host("web")}:8080`,
        EXPECTED_API_URL: PUBLIC_API_URL,
        DATABASE_HOST: stack.host("postgres"),
        DATABASE_PORT: "5432",
        REDIS_HOST: stack.host("redis"),
        REDIS_PORT: "6379",
        S3_ENDPOINT: backingServices().S3_ENDPOINT,
      },
      // templates/tests/smoke.yaml: the restricted securityContext, and no /tmp volume.
      options: ["--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges"],
      command: ["node", "--input-type=module", "-e", script],
    });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain("0 failed");
  });

  it("the cleanup image runs the job by default, read-only, prints its JSON summary and exits 0", async () => {
    const run = await stack.runToCompletion({ name: "cleanup", image: imageName("cleanup", tag), env: backingServices(), options: RESTRICTED });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as { failed: string[]; skipped: boolean; dryRun: boolean };
    expect(summary).toMatchObject({ failed: [], skipped: false, dryRun: false });
  });

  it("each long-running service stops on SIGTERM (docker stop -t 10) within the grace period, with exit code 0", async () => {
    const stopped = await Promise.all(
      Object.values(services).map(async ({ container }) => {
        const started = Date.now();
        await dockerOk(["stop", "--time", "10", container.ref], { timeoutMs: 30_000 });
        return { name: container.name, seconds: (Date.now() - started) / 1000, state: await container.state() };
      }),
    );
    for (const { name, seconds, state } of stopped) {
      // Unhandled, SIGTERM would leave Node (PID 1) running until Docker's SIGKILL at 10 s: exit code 137.
      expect({ name, exitCode: state.ExitCode, oomKilled: state.OOMKilled }).toEqual({ name, exitCode: 0, oomKilled: false });
      expect(seconds, name).toBeLessThan(10);
    }
  });
});

/** Run with `node -e` in a service's container: who it runs as, and what it may write. */
const READ_ONLY_PROBE = `
const fs = require("node:fs");
const attempt = (path) => { try { fs.writeFileSync(path, "x"); fs.rmSync(path); return "ok"; } catch (error) { return error.code; } };
console.log(JSON.stringify({ uid: process.getuid(), gid: process.getgid(), app: attempt("/app/probe"), tmp: attempt("/tmp/probe") }));
`;

async function startService(app: keyof typeof SERVICE_PORTS, env: Record<string, string>, options: string[] = []) {
  const port = SERVICE_PORTS[app];
  const container = await stack.start({ name: app, image: imageName(app, tag), env: { LOG_LEVEL: "info", ...env }, ports: [port], options: [...RESTRICTED, ...options] });
  const service = { container, url: await container.url(port) };
  services[app] = service;
  return service;
}

async function startPostgres(): Promise<void> {
  const postgres = await stack.start({
    name: "postgres",
    image: "postgres:15-bookworm",
    env: { POSTGRES_USER: "folio", POSTGRES_DB: "folio", POSTGRES_PASSWORD: secrets.postgresPassword },
  });
  // Over TCP: during initdb the image's entrypoint runs a temporary server on the Unix socket only.
  await waitFor(async () => (await postgres.exec(["pg_isready", "--host", "127.0.0.1", "--username", "folio", "--dbname", "folio"])).code === 0, {
    timeoutMs: 60_000,
    intervalMs: 250,
    description: "PostgreSQL to accept TCP connections",
  });
}

async function startRedis(): Promise<void> {
  const redis = await stack.start({ name: "redis", image: "redis:7.0-bookworm" });
  await waitFor(async () => (await redis.exec(["redis-cli", "ping"])).stdout.trim() === "PONG", { timeoutMs: 30_000, intervalMs: 250, description: "Redis to answer PING" });
}

/**
 * versitygw, which cannot be pulled everywhere (versity/versitygw): the binary the testkit uses, copied into an
 * image built here. It is linked against glibc, so the image is Debian's, not BusyBox. FOLIO_TEST_S3_IMAGE names
 * an image whose entrypoint is versitygw instead (versity/versitygw:v1.8.0 where it can be pulled, or on macOS,
 * where the local binary is not a Linux one).
 */
async function startS3(): Promise<void> {
  const image = process.env.FOLIO_TEST_S3_IMAGE ?? (await versitygwImage());
  const s3 = await stack.start({
    name: "s3",
    image,
    env: { ROOT_ACCESS_KEY: secrets.s3AccessKeyId, ROOT_SECRET_KEY: secrets.s3SecretAccessKey },
    ports: [7070],
    // The posix backend keeps metadata in extended attributes, which an anonymous volume's filesystem supports.
    options: ["--mount", "type=volume,dst=/data"],
    command: ["--port", ":7070", "--region", "us-east-1", "--health", "/health", "posix", "/data"],
  });
  const url = await s3.url(7070);
  await waitFor(async () => (await fetch(`${url}/health`)).ok, { timeoutMs: 30_000, intervalMs: 250, description: "versitygw's /health" });
}

async function versitygwImage(): Promise<string> {
  const toolsDir = process.env.FOLIO_TOOLS_DIR ?? join(homedir(), ".cache", "folio");
  const candidates = [join(toolsDir, "bin", "versitygw"), ...(process.env.PATH ?? "").split(delimiter).map((dir) => join(dir, "versitygw"))];
  const binary = candidates.find((file) => existsSync(file) && isLinuxExecutable(file));
  if (!binary) {
    throw new Error(
      "The image tests need versitygw (an S3 server) as a Linux binary: run `bash scripts/ci/install-versitygw.sh` " +
        "(it installs into ~/.cache/folio/bin), or set FOLIO_TEST_S3_IMAGE=versity/versitygw:v1.8.0 where that image can be pulled.",
    );
  }
  const context = join(scratch, "versitygw");
  mkdirSync(context);
  copyFileSync(binary, join(context, "versitygw"));
  chmodSync(join(context, "versitygw"), 0o755);
  writeFileSync(join(context, "Dockerfile"), 'FROM debian:bookworm-slim\nCOPY versitygw /usr/local/bin/versitygw\nENTRYPOINT ["versitygw"]\n');
  return stack.buildImage("versitygw", context);
}

function isLinuxExecutable(file: string): boolean {
  const fd = openSync(file, "r");
  try {
    const magic = Buffer.alloc(4);
    readSync(fd, magic, 0, 4, 0);
    return magic.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46])); // ELF
  } finally {
    closeSync(fd);
  }
}

const POD_LOG_MARKER = `hello from pod logs ${stack.runId}`;

/**
 * A kubelet-style /var/log/pods with one container's log in CRI format (<time> <stream> <F|P> <message>), as the
 * agent's hostPath sees it on a node. Readable by everyone, as the agent runs as uid 1000 here.
 */
function writePodLogs(): string {
  const dir = join(scratch, "pods");
  const containerDir = join(dir, "folio_folio-web-7d9f8c-abcde_0b6f2c1e-1c1a-4a57-9d3e-6a8d2f3b4c5d", "web");
  mkdirSync(containerDir, { recursive: true });
  const line = JSON.stringify({ level: 30, time: Date.now(), msg: POD_LOG_MARKER });
  writeFileSync(join(containerDir, "0.log"), `${new Date().toISOString()} stdout F ${line}\n`);
  for (const path of [scratch, dir, join(containerDir, ".."), containerDir]) chmodSync(path, 0o755);
  chmodSync(join(containerDir, "0.log"), 0o644);
  return dir;
}
