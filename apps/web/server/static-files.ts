/**
 * Serving the built files, with the caching each kind needs:
 *  - /assets/* are named after a hash of their content (Vite's default), so a name never changes meaning:
 *    cached for a year and marked immutable, so browsers do not even revalidate them.
 *  - everything else (index.html, /config.js, the favicon) is `no-cache`: the browser keeps a copy but asks
 *    every time (a cheap 304), so a new deploy is picked up on the next page load.
 * The build writes a gzip and a brotli copy of each text asset (vite.config.ts); they are served to browsers
 * that accept them, so no CPU is spent compressing at request time.
 */
import { existsSync, readdirSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import express, { type RequestHandler } from "express";

export const IMMUTABLE = "public, max-age=31536000, immutable";
export const REVALIDATE = "no-cache";

const ENCODINGS = [
  { name: "br", suffix: ".br" },
  { name: "gzip", suffix: ".gz" },
] as const;

/** Hashed assets, with their precompressed copies when the browser accepts one. */
export function assets(assetsDir: string): RequestHandler[] {
  const files = existsSync(assetsDir) ? listFiles(assetsDir) : new Set<string>();
  const chooseEncoding: RequestHandler = (req, res, next) => {
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    let path: string;
    try {
      path = decodeURIComponent(req.path);
    } catch {
      return next(); // malformed escapes: let express.static answer
    }
    const available = ENCODINGS.filter((encoding) => files.has(path + encoding.suffix));
    if (available.length === 0) return next();
    res.vary("accept-encoding");
    const accepted = req.acceptsEncodings(available.map((encoding) => encoding.name));
    const chosen = available.find((encoding) => encoding.name === accepted);
    if (!chosen) return next();
    // Content-Type from the original name (send keeps a type that is already set), then serve the copy.
    res.type(extname(path));
    res.setHeader("content-encoding", chosen.name);
    req.url = req.url.replace(/(\?|$)/, `${chosen.suffix}$1`);
    next();
  };
  const serve = express.static(assetsDir, {
    index: false,
    redirect: false,
    fallthrough: true,
    setHeaders: (res) => res.setHeader("cache-control", IMMUTABLE),
  });
  return [chooseEncoding, serve];
}

/** Other built files (favicon, robots.txt, index.html itself). Dotfiles such as .vite/manifest.json stay private. */
export function rootFiles(dir: string): RequestHandler {
  return express.static(dir, {
    index: false,
    redirect: false,
    dotfiles: "ignore",
    setHeaders: (res) => res.setHeader("cache-control", REVALIDATE),
  });
}

/** Paths of every file below `dir`, as URL paths ("/app-1a2b.js"). Read once at start: the image is immutable. */
function listFiles(dir: string): Set<string> {
  const found = new Set<string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) found.add(`/${relative(dir, join(entry.parentPath, entry.name)).split(sep).join("/")}`);
  }
  return found;
}
