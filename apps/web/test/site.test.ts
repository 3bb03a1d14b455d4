/**
 * The built site in Chromium, served by its own server, against the real API, the real image worker, and real
 * PostgreSQL, Redis and S3. One story, step by step, as an editor and a reader would live it; each step builds on
 * the one before. Screenshots of the main pages go to test-results/screenshots/ (and, with
 * FOLIO_UPDATE_SCREENSHOTS=1, the two the README shows to docs/screenshots/).
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import type { Browser, BrowserContext, Page, Response } from "playwright-core";
import { Redis } from "ioredis";
import { appendLogEntries, nodeKey, writeHeartbeat, type Heartbeat, type LogEntry } from "@folio/node-logs";
import { PUBLIC_JS_BUDGET_BYTES } from "../scripts/bundle-size.ts";
import { launchChromium } from "./support/chromium.ts";
import { apiCall, apiLogin, startSiteStack, type SiteStack } from "./support/site-stack.ts";

const SCREENSHOTS = fileURLToPath(new URL("../test-results/screenshots/", import.meta.url));
const DOCS_SCREENSHOTS = fileURLToPath(new URL("../../../docs/screenshots/", import.meta.url));
const TITLE = "Running PostgreSQL on Kubernetes";

const BODY = [
  "PostgreSQL keeps its data on disk, so its pod cannot be replaced by any other pod: it needs *its* volume back.",
  "",
  "# Why a StatefulSet",
  "",
  "Each replica keeps **its own volume**, and a restarted pod finds its data again. The pod's name is stable too,",
  "so clients and replicas can find it: `postgres-0.postgres`.",
  "",
  "# When a node dies",
  "",
  "1. The node stops sending heartbeats, and its pods are marked for eviction after `tolerationSeconds`.",
  "2. The StatefulSet controller waits: it never runs two pods with the same identity.",
  "3. Once the old pod is gone, the new one attaches the same volume and starts.",
  "",
  "> A Deployment would start a second pod at once, and two servers would write to the same files.",
].join("\n");

/** Markdown that tries every trick the sanitiser must stop. */
const HOSTILE = [
  "",
  "# Tricks that must not work",
  "",
  '<script>window.__xss = "script"</script>',
  '<img src="/nope.png" onerror="window.__xss = \'onerror\'" alt="broken on purpose">',
  "[a bad link](javascript:window.__xss='link')",
  '<a href="javascript:window.__xss=\'raw link\'" id="raw-link">raw link</a>',
].join("\n");

let stack: SiteStack;
let browser: Browser;
let editorContext: BrowserContext;
let editor: Page;
let articleId: string;
let slug: string;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [stack, browser] = await Promise.all([startSiteStack(), launchChromium()]);
  editorContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  editor = await editorContext.newPage();
});

afterAll(async () => {
  await browser?.close();
  if (stack) {
    const codes = await stack.stop();
    // Graceful shutdown: SIGTERM is not an error, for the web server as for the others.
    expect(codes).toEqual({ api: 0, worker: 0, web: 0 });
  }
});

/** On failure: a screenshot of the editor's page and the processes' last lines. */
function explainFailures(page: () => Page | undefined = () => editor) {
  onTestFailed(async ({ task }) => {
    const current = page();
    if (current && !current.isClosed()) await current.screenshot({ path: `${SCREENSHOTS}failed-${task.name.replace(/\W+/g, "-").slice(0, 60)}.png`, fullPage: true });
    console.error(stack?.output());
  });
}

async function screenshot(page: Page, name: string, docsName?: string, { fullPage = true } = {}) {
  const path = `${SCREENSHOTS}${name}.png`;
  await page.screenshot({ path, fullPage });
  if (docsName && process.env.FOLIO_UPDATE_SCREENSHOTS === "1") {
    mkdirSync(DOCS_SCREENSHOTS, { recursive: true });
    copyFileSync(path, `${DOCS_SCREENSHOTS}${docsName}.png`);
  }
}

async function signIn(page: Page, user: { email: string; password: string }) {
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** A 1200×800 PNG drawn by the browser itself, so the test needs no image file. */
async function drawImage(page: Page): Promise<Buffer> {
  const dataUrl = await page.evaluate(() => {
    const canvas = document.createElement("canvas");
    canvas.width = 1200;
    canvas.height = 800;
    const context = canvas.getContext("2d")!;
    const gradient = context.createLinearGradient(0, 0, 1200, 800);
    gradient.addColorStop(0, "#1d4ed8");
    gradient.addColorStop(1, "#0f766e");
    context.fillStyle = gradient;
    context.fillRect(0, 0, 1200, 800);
    for (let i = 0; i < 40; i++) {
      context.fillStyle = `hsla(${(i * 37) % 360}, 70%, 70%, 0.35)`;
      context.beginPath();
      context.arc((i * 173) % 1200, (i * 97) % 800, 40 + ((i * 13) % 90), 0, Math.PI * 2);
      context.fill();
    }
    context.fillStyle = "#ffffff";
    context.font = "bold 120px sans-serif";
    context.fillText("Folio", 80, 440);
    return canvas.toDataURL("image/png");
  });
  return Buffer.from(dataUrl.split(",")[1]!, "base64");
}

function heartbeat(node: string, sentAt: number): Heartbeat {
  return {
    node,
    agentVersion: "0.0.0",
    startedAt: new Date(sentAt - 3_600_000).toISOString(),
    sentAt: new Date(sentAt).toISOString(),
    lastShippedAt: new Date(sentAt).toISOString(),
    filesTailed: 4,
    lagBytes: 0,
  };
}

function logLines(now: number): LogEntry[] {
  const line = (node: string, pod: string, container: string, ago: number, level: string, message: string): LogEntry => ({
    node,
    namespace: "folio",
    pod,
    container,
    stream: "stdout",
    time: new Date(now - ago).toISOString(),
    level,
    message,
  });
  return [
    line("kind-worker2", "folio-worker-7d9c-x2k4p", "worker", 14_000, "error", 'redis connection error {"err":"connect ECONNREFUSED"}'),
    line("kind-worker", "folio-api-5f6b-8kq2d", "api", 9_000, "info", 'request completed {"req":{"method":"GET","url":"/v1/public/articles"},"res":{"statusCode":200}}'),
    line("kind-worker2", "folio-api-5f6b-mm7xt", "api", 8_000, "info", "api ready"),
    line("kind-worker", "folio-worker-7d9c-p9x7z", "worker", 2_000, "info", 'media ready {"variants":4,"ms":180}'),
  ];
}

describe("the site in a real browser", () => {
  it("when an editor opens the editor, then they sign in and land on the article list", async () => {
    explainFailures();
    await editor.goto(`${stack.siteUrl}/editor`);
    await expect.poll(() => editor.url()).toContain("/editor/login?next=%2Feditor");
    await screenshot(editor, "login");
    await signIn(editor, stack.admin);
    await editor.getByRole("heading", { name: "Articles", level: 1 }).waitFor();
    expect(new URL(editor.url()).pathname).toBe("/editor");
  });

  it("creates an article and opens it in the editor", async () => {
    explainFailures();
    await editor.getByRole("link", { name: "New article" }).click();
    await editor.getByLabel("Title", { exact: true }).fill(TITLE);
    await editor.getByRole("button", { name: "Create draft" }).click();
    await editor.waitForURL(/\/editor\/articles\/[0-9a-f-]{36}$/);
    articleId = editor.url().split("/").pop()!;
    slug = await editor.getByLabel("Address (slug)").inputValue();
    expect(slug).toBe("running-postgresql-on-kubernetes");
    expect(await editor.getByLabel("Title", { exact: true }).inputValue()).toBe(TITLE);
  });

  it("uploads an image with progress, shows it as processing, then its thumbnail once the worker made it", async () => {
    explainFailures();
    const image = await drawImage(editor);
    await editor.getByRole("button", { name: "Images…" }).click();
    await editor.getByLabel("Upload an image").setInputFiles({ name: "cluster.png", mimeType: "image/png", buffer: image });
    // Either state may pass quickly on a fast machine; at least one of them is shown before the thumbnail.
    await editor.getByText(/Uploading cluster\.png|Processing cluster\.png/).first().waitFor({ timeout: 10_000 });
    const thumbnail = editor.locator(".media-grid img[alt='cluster.png']");
    await thumbnail.waitFor({ timeout: 30_000 });
    await expect.poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
    expect(await thumbnail.getAttribute("src")).toMatch(/\/v1\/media\/[0-9a-f-]{36}\/content\/thumb$/);

    await editor.getByRole("button", { name: "Use as cover" }).first().click();
    await editor.getByLabel("Excerpt").fill("StatefulSets, volumes, and what happens when a node dies.");
    await editor.getByLabel("Tags").fill("Kubernetes, postgres");
    await editor.getByRole("button", { name: "Close images" }).click();
    await editor.getByLabel("Text (Markdown)").fill(BODY);
    await editor.getByRole("region", { name: "Preview" }).getByRole("heading", { name: "When a node dies" }).waitFor();
    // A tall viewport rather than a full-page capture, which would draw the sticky action bar mid-page.
    await editor.setViewportSize({ width: 1280, height: 1500 });
    await editor.getByLabel("Text (Markdown)").evaluate((textarea) => {
      textarea.blur();
      textarea.scrollTop = 0;
    });
    await editor.evaluate(() => window.scrollTo(0, 0));
    await screenshot(editor, "editor", "editor", { fullPage: false });
    await editor.setViewportSize({ width: 1280, height: 900 });
    await editor.getByLabel("Text (Markdown)").fill(BODY + HOSTILE);
    await editor.getByRole("button", { name: "Save", exact: true }).click();
    await editor.getByText("Saved as version 2.").waitFor();
  });

  it("publishes the article, and a reader sees it on the home page with its thumbnail", async () => {
    explainFailures();
    await editor.getByRole("button", { name: "Publish" }).click();
    await editor.getByText("Published.").waitFor();

    const reader = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    explainFailures(() => reader);
    await reader.goto(stack.siteUrl);
    const link = reader.getByRole("link", { name: TITLE });
    await link.waitFor();
    const thumbnail = reader.locator(".card-thumb img");
    await expect.poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
    expect(await thumbnail.getAttribute("alt")).toBe(""); // decorative next to its title link
    expect(await reader.locator(".card-thumb source").getAttribute("type")).toBe("image/webp");
    await screenshot(reader, "public-home", "public-home");
    await reader.setViewportSize({ width: 390, height: 844 });
    await screenshot(reader, "public-home-phone");

    await reader.getByRole("link", { name: "kubernetes", exact: true }).click();
    await reader.getByRole("heading", { level: 1, name: /Articles tagged/ }).waitFor();
    expect(await reader.getByRole("link", { name: TITLE }).count()).toBe(1);
    await screenshot(reader, "public-tag");
    await reader.close();
  });

  it("renders the article's Markdown with scripts, event handlers and javascript: links neutralised", async () => {
    const reader = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    explainFailures(() => reader);
    const dialogs: string[] = [];
    reader.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await reader.goto(`${stack.siteUrl}/articles/${slug}`);
    await reader.getByRole("heading", { level: 1, name: TITLE }).waitFor();
    await reader.getByRole("heading", { level: 2, name: "Why a StatefulSet" }).waitFor();
    const cover = reader.getByRole("img", { name: `Cover image of “${TITLE}”` });
    await expect.poll(() => cover.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);

    const prose = reader.locator(".prose");
    expect(await prose.locator("script").count()).toBe(0);
    const handlers = await prose.evaluate((element) =>
      [...element.querySelectorAll("*")].flatMap((node) => [...node.attributes].map((attribute) => attribute.name).filter((name) => name.startsWith("on"))),
    );
    expect(handlers).toEqual([]);
    const hrefs = await prose.locator("a").evaluateAll((links) => links.map((link) => link.getAttribute("href") ?? ""));
    expect(hrefs.filter((href) => /javascript:/i.test(href))).toEqual([]);
    await reader.locator("#raw-link").click();
    expect(await reader.evaluate(() => (window as { __xss?: string }).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);
    await screenshot(reader, "public-article");
    await reader.close();
  });

  it("when someone else saved first, then the editor shows the conflict and keeping mine loses neither edit", async () => {
    explainFailures();
    // Another editor changes the title through the API while this editor types in the body.
    const grace = { email: "grace@folio.test", password: "grace's long password" };
    const admin = await apiLogin(stack.apiUrl, stack.admin);
    await apiCall(stack.apiUrl, admin, "POST", "/v1/users", { email: grace.email, name: "Grace", role: "editor", password: grace.password });
    const graceToken = await apiLogin(stack.apiUrl, grace);
    const current = await apiCall<{ version: number }>(stack.apiUrl, graceToken, "GET", `/v1/articles/${articleId}`);
    await apiCall(stack.apiUrl, graceToken, "PATCH", `/v1/articles/${articleId}`, { title: `${TITLE}, revisited` }, { "if-match": `"${current.version}"` });

    const body = editor.getByLabel("Text (Markdown)");
    await body.fill(`${await body.inputValue()}\n\nA paragraph I added.`);
    await editor.getByRole("button", { name: "Save", exact: true }).click();

    const dialog = editor.getByRole("dialog", { name: "Someone else saved this article first" });
    await dialog.waitFor();
    await dialog.getByText("You changed different fields, so keeping yours keeps their changes too.").waitFor();
    await dialog.getByRole("button", { name: "Compare" }).click();
    await dialog.locator("ins", { hasText: "A paragraph I added." }).waitFor();
    await dialog.getByText(`${TITLE}, revisited`).waitFor();
    await editor.screenshot({ path: `${SCREENSHOTS}editor-conflict.png` }); // the viewport: the dialog is modal

    await dialog.getByRole("button", { name: "Keep mine" }).click();
    await dialog.waitFor({ state: "detached" });
    await editor.getByText(/Saved as version \d+\./).waitFor();
    const saved = await apiCall<{ title: string; body: string }>(stack.apiUrl, admin, "GET", `/v1/articles/${articleId}`);
    expect(saved.title).toBe(`${TITLE}, revisited`);
    expect(saved.body).toContain("A paragraph I added.");
    expect(await editor.getByLabel("Title", { exact: true }).inputValue()).toBe(`${TITLE}, revisited`);
  });

  it("when the page is reloaded with unsaved changes, then they come back", async () => {
    explainFailures();
    await editor.getByLabel("Excerpt").fill("Unsaved, then reloaded.");
    const leave = (dialog: { accept(): Promise<void> }) => void dialog.accept(); // the browser's "Leave site?"
    editor.on("dialog", leave);
    await editor.reload();
    editor.off("dialog", leave);
    await editor.getByText(/Your unsaved changes from .* are back/).waitFor();
    expect(await editor.getByLabel("Excerpt").inputValue()).toBe("Unsaved, then reloaded.");
    await editor.getByRole("button", { name: "Save", exact: true }).click();
    await editor.getByText(/Saved as version \d+\./).waitFor();
  });

  it("shows the revision history and an older version", async () => {
    explainFailures();
    await editor.getByRole("link", { name: "Version 2" }).click();
    await editor.getByRole("heading", { level: 1, name: /Version 2: Running PostgreSQL on Kubernetes/ }).waitFor();
    await editor.getByText("This is an earlier version, shown read-only.").waitFor();
    await editor.getByRole("link", { name: "← Back to the editor" }).click();
    await editor.getByLabel("Title", { exact: true }).waitFor();
  });

  it("moves the article to the trash, where the public site no longer shows it, and restores it", async () => {
    explainFailures();
    await editor.getByRole("button", { name: "Move to trash" }).click();
    await editor.getByText("Moved to the trash.").waitFor();
    expect(await editor.getByLabel("Title", { exact: true }).isDisabled()).toBe(true);

    await editor.getByRole("link", { name: "Articles" }).click();
    await editor.getByRole("navigation", { name: "Filter by status" }).getByRole("link", { name: "Trash" }).click();
    await editor.getByRole("link", { name: `${TITLE}, revisited` }).waitFor();
    await screenshot(editor, "editor-list-trash");

    const reader = await browser.newPage();
    await reader.goto(`${stack.siteUrl}/articles/${slug}`);
    await reader.getByRole("heading", { level: 1, name: "Page not found" }).waitFor();
    await screenshot(reader, "public-not-found");
    await reader.close();

    await editor.getByRole("link", { name: `${TITLE}, revisited` }).click();
    await editor.getByRole("button", { name: "Restore" }).click();
    await editor.getByText("Restored as a draft.").waitFor();
    expect(await editor.getByLabel("Title", { exact: true }).isDisabled()).toBe(false);
  });

  it("shows the admin pages: users, feature flags and operations", async () => {
    explainFailures();
    await editor.getByRole("link", { name: "Users" }).click();
    await editor.getByRole("cell", { name: "grace@folio.test" }).waitFor();
    await screenshot(editor, "admin-users");
    await editor.getByRole("link", { name: "Flags" }).click();
    await editor.getByRole("heading", { level: 1, name: "Feature flags" }).waitFor();
    await screenshot(editor, "admin-flags");
  });

  it("the operations page shows the nodes' heartbeats and logs, and a node whose agent stopped goes late, then gone", async () => {
    explainFailures();
    await editor.getByRole("link", { name: "Operations" }).click();
    await editor.getByRole("heading", { level: 1, name: "Operations" }).waitFor();
    // No agent runs here: the page says so rather than showing an empty table.
    await editor.getByText("No node agent has sent a heartbeat.").waitFor();

    // Two node agents report, as apps/agent does on a cluster (the same Redis keys, through @folio/node-logs).
    const redis = new Redis(stack.redisUrl);
    try {
      const now = Date.now();
      await writeHeartbeat(redis, heartbeat("kind-worker", now - 1_000), 15);
      await writeHeartbeat(redis, heartbeat("kind-worker2", now - 12_000), 15); // missed two beats
      await appendLogEntries(redis, logLines(now), { maxLen: 1_000 });
      await editor.getByRole("button", { name: "Refresh now" }).click();
      const row = (node: string) => editor.getByRole("row", { name: new RegExp(`^${node} `) });
      await row("kind-worker").getByText("Live").waitFor();
      await row("kind-worker2").getByText("Late").waitFor();
      await editor.getByText("media ready", { exact: false }).waitFor();
      await screenshot(editor, "admin-operations");

      // The second node's agent is gone: its heartbeat key expires, and the page keeps showing the node, as gone.
      await redis.del(nodeKey("kind-worker2"));
      await editor.getByRole("button", { name: "Refresh now" }).click();
      await row("kind-worker2").getByText("Gone").waitFor();
      // A reload (a new attendee opening the page) still shows the dead node: the API keeps its last heartbeat.
      await editor.reload();
      await row("kind-worker2").getByText("Gone").waitFor();
      await row("kind-worker").getByRole("button", { name: "Logs" }).click();
      await editor.getByRole("heading", { name: "Recent logs on kind-worker" }).waitFor();
      await expect.poll(() => editor.locator("table.logs tbody tr").count()).toBe(2);
    } finally {
      redis.disconnect();
    }
  });

  it("when an editor opens the users page, then they are told they are not allowed", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    explainFailures(() => page);
    await page.goto(`${stack.siteUrl}/admin/users`);
    await signIn(page, { email: "grace@folio.test", password: "grace's long password" });
    await page.getByRole("heading", { level: 1, name: "You are not allowed to see this page" }).waitFor();
    await page.getByText("Only admins can manage users.").waitFor();
    expect(await page.getByRole("navigation", { name: "Editor" }).getByRole("link", { name: "Users" }).count()).toBe(0);
    await screenshot(page, "not-allowed");
    await context.close();
  });

  it("when the network drops a request once, then a read is retried and the page still loads", async () => {
    explainFailures();
    let dropped = 0;
    await editor.route("**/v1/articles?*", async (route) => {
      if (dropped++ === 0) await route.abort("connectionreset");
      else await route.continue();
    });
    await editor.getByRole("link", { name: "Articles" }).click();
    await editor.getByRole("link", { name: `${TITLE}, revisited` }).waitFor();
    expect(dropped).toBeGreaterThanOrEqual(2);
    await editor.unrouteAll();
  });

  it("the public pages load less JavaScript than the budget, and none of the editor's; keyboard users get a skip link", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    explainFailures(() => page);
    // Gzipped size of the first download of each script; later visits revalidate it (304) or use the cache.
    // Read at once: a body is gone after the page navigates away.
    const scripts = new Map<string, Promise<number>>();
    page.on("response", (response: Response) => {
      if (response.request().resourceType() !== "script" || response.status() !== 200 || scripts.has(response.url())) return;
      scripts.set(response.url(), response.body().then((body) => gzipSync(body, { level: 9 }).length));
    });
    for (const path of ["/", `/articles/${slug}`, "/tags/postgres", "/no/such/page"]) {
      await page.goto(`${stack.siteUrl}${path}`);
      await page.locator("main h1").first().waitFor();
    }
    const gzipped = (await Promise.all(scripts.values())).reduce((sum, bytes) => sum + bytes, 0);
    const names = [...scripts.keys()].map((url) => new URL(url).pathname);
    expect(gzipped).toBeLessThanOrEqual(PUBLIC_JS_BUDGET_BYTES);
    expect(names.filter((name) => /Editor|Articles|Login|Users|Operations|Flags|Revision/.test(name))).toEqual([]);
    console.log(`public pages loaded ${names.length} scripts, ${(gzipped / 1000).toFixed(1)} kB gzipped: ${names.join(", ")}`);

    await page.goto(stack.siteUrl);
    await page.locator("main h1").waitFor();
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement;
      return { text: element.textContent, outline: getComputedStyle(element).outlineStyle };
    });
    expect(focused).toEqual({ text: "Skip to content", outline: "solid" });
    await context.close();
  });
});
