import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { gzipSync } from "node:zlib";
import request from "supertest";
import { afterAll, describe, expect, it } from "vitest";
import { ProbeState, createRegistry } from "@folio/http-kit";
import { createLogger } from "@folio/logger";
import { createApp } from "./app.js";
import { parseWebConfig } from "./config.js";

// A build output of our own: index.html, one hashed chunk with its gzip copy, a favicon, Vite's manifest.
const dir = mkdtempSync(join(tmpdir(), "folio-web-test-"));
const chunk = "console.log('app');\n".repeat(50);
mkdirSync(join(dir, "assets"));
mkdirSync(join(dir, ".vite"));
writeFileSync(join(dir, "index.html"), '<!doctype html><title>Folio</title><script src="/config.js" defer></script>');
writeFileSync(join(dir, "assets", "index-AbC123.js"), chunk);
writeFileSync(join(dir, "assets", "index-AbC123.js.gz"), gzipSync(chunk));
writeFileSync(join(dir, "favicon.svg"), "<svg/>");
writeFileSync(join(dir, ".vite", "manifest.json"), "{}");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = parseWebConfig({ API_URL: "http://api.localtest.me/", MEDIA_ORIGINS: "https://s3.example.com" });
const probes = new ProbeState();
probes.markStarted();
const silent = createLogger({ name: "web-test", level: "silent" }, new Writable({ write: (_chunk, _encoding, done) => done() }));
const app = createApp({ config, logger: silent, probes, registry: createRegistry("web-test"), staticDir: dir });

describe("web server", () => {
  it("serves hashed assets as immutable for a year", async () => {
    const res = await request(app).get("/assets/index-AbC123.js").set("accept-encoding", "identity");
    expect(res.status).toBe(200);
    expect(res.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(res.headers["content-type"]).toMatch(/javascript/);
    expect(res.text).toBe(chunk);
  });

  it("when the browser accepts gzip, then the precompressed copy is sent, typed as the original", async () => {
    const res = await request(app).get("/assets/index-AbC123.js").set("accept-encoding", "gzip, deflate");
    expect(res.status).toBe(200);
    expect(res.headers["content-encoding"]).toBe("gzip");
    expect(res.headers["content-type"]).toMatch(/javascript/);
    expect(res.headers.vary).toMatch(/accept-encoding/i);
    expect(res.text).toBe(chunk); // supertest decompresses
  });

  it("when an asset does not exist, then the answer is a real 404, not the page", async () => {
    for (const path of ["/assets/index-Old999.js", "/assets/anything", "/missing.png", "/.vite/manifest.json"]) {
      const res = await request(app).get(path);
      expect(res.status, path).toBe(404);
      expect(res.text, path).not.toContain("<!doctype html>");
    }
  });

  it("answers client routes with index.html, revalidated on every load", async () => {
    for (const path of ["/", "/articles/running-postgres", "/tags/kubernetes", "/editor/articles/9b3c8c1e-0000-4000-8000-000000000001", "/no/such/page"]) {
      const res = await request(app).get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers["content-type"], path).toMatch(/text\/html/);
      expect(res.headers["cache-control"], path).toBe("no-cache");
      expect(res.text, path).toContain("<title>Folio</title>");
    }
  });

  it("serves the runtime config from the environment, never cached", async () => {
    const res = await request(app).get("/config.js");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/text\/javascript/);
    expect(res.headers["cache-control"]).toBe("no-cache");
    expect(res.text).toBe('window.__FOLIO_CONFIG__ = Object.freeze({"apiUrl":"http://api.localtest.me"});\n');
  });

  it("sends a Content-Security-Policy that lets the page call the API and show its images", async () => {
    const res = await request(app).get("/");
    const csp = res.headers["content-security-policy"] as string;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self' http://api.localtest.me");
    expect(csp).toContain("img-src 'self' data: blob: http://api.localtest.me https://s3.example.com");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["x-powered-by"]).toBeUndefined();
  });

  it("serves other built files revalidated, and probes", async () => {
    const favicon = await request(app).get("/favicon.svg");
    expect(favicon.status).toBe(200);
    expect(favicon.headers["cache-control"]).toBe("no-cache");
    expect((await request(app).get("/healthz")).body).toEqual({ status: "ok" });
    expect((await request(app).get("/readyz")).status).toBe(200);
  });

  it("when draining after SIGTERM, then /readyz fails and connections are closed after each answer", async () => {
    const draining = new ProbeState();
    draining.markStarted();
    draining.markDraining();
    const drainingApp = createApp({ config, logger: silent, probes: draining, registry: createRegistry("web-test-2"), staticDir: dir });
    const res = await request(drainingApp).get("/readyz");
    expect(res.status).toBe(503);
    expect(res.headers.connection).toBe("close");
  });
});

describe("web server config", () => {
  it("when API_URL is missing or not http(s), then every problem is listed", () => {
    expect(() => parseWebConfig({ PORT: "0" })).toThrow(/PORT[\s\S]*API_URL/);
    expect(() => parseWebConfig({ API_URL: "ftp://api" })).toThrow(/API_URL: expected a URL starting with http:\/\/ or https:\/\//);
  });

  it("defaults to port 8080 and keeps API_URL without a trailing slash", () => {
    expect(parseWebConfig({ API_URL: "https://api.example.com/" })).toMatchObject({ PORT: 8080, API_URL: "https://api.example.com", MEDIA_ORIGINS: [] });
  });
});
