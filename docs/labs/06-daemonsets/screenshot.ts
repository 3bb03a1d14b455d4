#!/usr/bin/env node
/**
 * Makes docs/screenshots/operations-node-gone.png, the picture in lab 6: the operations page (/admin/operations)
 * while one worker node is down. It kills a worker that runs neither PostgreSQL nor Valkey (`docker kill`, as the
 * lab does), signs in through the editor's login form in headless Chromium, waits until the page shows that node
 * as gone, saves the page, and starts the node again, also when something failed on the way.
 *
 * Usage, from the repository's root, on a cluster made by `pnpm stack:up` (not part of `pnpm test`):
 *   node docs/labs/06-daemonsets/screenshot.ts
 * Environment: FOLIO_CLUSTER (default folio), FOLIO_HTTP_PORT (default 80), FOLIO_NAMESPACE (default folio);
 *   CHROMIUM_PATH to choose the browser (otherwise apps/web/test/support/chromium.ts finds one).
 *
 * It uses apps/web's playwright-core (no browser download: Debian's /usr/bin/chromium works), and resolves
 * *.localtest.me to 127.0.0.1 inside Chromium, so it needs no DNS.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { chromiumLaunchOptions } from "../../../apps/web/test/support/chromium.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));
// playwright-core is apps/web's dependency: load it from there, as its browser tests do.
const { chromium } = createRequire(join(root, "apps", "web", "package.json"))("playwright-core") as typeof import("playwright-core");

const cluster = process.env.FOLIO_CLUSTER || "folio";
const namespace = process.env.FOLIO_NAMESPACE || "folio";
const port = Number(process.env.FOLIO_HTTP_PORT || "80");
const site = `http://folio.localtest.me${port === 80 ? "" : `:${port}`}`;
const output = join(root, "docs", "screenshots", "operations-node-gone.png");

function kubectl(...args: string[]): string {
  return execFileSync("kubectl", ["--context", `kind-${cluster}`, "-n", namespace, ...args], { encoding: "utf8" }).trim();
}

function docker(...args: string[]): void {
  execFileSync("docker", args, { stdio: "ignore" });
}

/** A worker whose loss leaves the operations page working: it needs PostgreSQL (login) and Valkey (heartbeats). */
function expendableWorker(): string {
  const busy = kubectl("get", "pod", "folio-postgres-0", "folio-redis-0", "-o", "jsonpath={.items[*].spec.nodeName}").split(" ");
  const workers = kubectl("get", "nodes", "-l", "!node-role.kubernetes.io/control-plane", "-o", "jsonpath={.items[*].metadata.name}").split(" ");
  const node = workers.find((name) => !busy.includes(name));
  if (!node) throw new Error(`every worker runs PostgreSQL or Valkey (${busy.join(", ")}): none to kill`);
  return node;
}

async function main(): Promise<void> {
  const password = Buffer.from(kubectl("get", "secret", "folio-credentials", "-o", "jsonpath={.data.admin-password}"), "base64").toString("utf8");
  const node = expendableWorker();
  const { description: _description, ...where } = chromiumLaunchOptions();
  let browser: Browser | undefined;
  let killed = false;
  try {
    browser = await chromium.launch({
      ...where,
      headless: true,
      // --no-sandbox: Chromium's sandbox refuses to start as root (CI, this sandbox).
      args: ["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP *.localtest.me 127.0.0.1"],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(`${site}/editor/login?next=${encodeURIComponent("/admin/operations")}`);
    await page.getByLabel("Email").fill("admin@folio.localtest.me");
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("**/admin/operations");
    const row = page.getByRole("row", { name: new RegExp(`^${node}\\b`) });
    await row.getByText("Live").waitFor({ timeout: 60_000 });

    console.log(`killing ${node} (docker kill)`);
    docker("kill", node);
    killed = true;
    await row.getByText("Gone").waitFor({ timeout: 120_000 });
    // Let the other rows refresh once more, so their ages are the usual few seconds.
    await page.waitForTimeout(6_000);
    mkdirSync(dirname(output), { recursive: true });
    await page.screenshot({ path: output, fullPage: false });
    console.log(`wrote ${output}`);
  } finally {
    await browser?.close();
    if (killed) {
      console.log(`starting ${node} again`);
      docker("start", node);
      kubectl("wait", "--for=condition=Ready", `node/${node}`, "--timeout=300s");
      kubectl("rollout", "status", "daemonset/folio-agent", "-n", `${namespace}-agent`, "--timeout=300s");
      console.log(`${node} is Ready. If anything looks wrong, pnpm cluster:up mends a node whose address changed.`);
    }
  }
}

await main();
