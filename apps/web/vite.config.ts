/**
 * Vite builds the browser code into dist/client (the server in server/ serves it) and runs the dev server.
 * Settings are read through server/config.ts, like the server's own.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";
import { readDevConfig } from "./server/config.ts";
import { runtimeConfigScript } from "./server/runtime-config.ts";

export default defineConfig(({ command }) => {
  const dev = command === "serve" ? readDevConfig() : undefined;
  return {
    plugins: [react(), precompress(), ...(dev ? [devRuntimeConfig(dev.API_URL)] : [])],
    build: {
      outDir: "dist/client",
      emptyOutDir: true,
      // dist/client/.vite/manifest.json: which chunks each entry loads; scripts/bundle-size.ts reads it.
      manifest: true,
      sourcemap: true,
    },
    server: dev ? { port: dev.WEB_PORT, strictPort: true } : undefined,
  };
});

/** In development, /config.js comes from here instead of the Node server. */
function devRuntimeConfig(apiUrl: string): Plugin {
  const script = runtimeConfigScript({ apiUrl });
  return {
    name: "folio:runtime-config",
    configureServer(server) {
      server.middlewares.use("/config.js", (_req, res) => {
        res.setHeader("content-type", "text/javascript");
        res.setHeader("cache-control", "no-cache");
        res.end(script);
      });
    },
  };
}

/**
 * Writes a .gz and a .br copy next to every JavaScript, CSS and SVG asset, at the highest levels (done once per
 * build), so the server sends compressed files without spending CPU per request.
 */
function precompress(): Plugin {
  return {
    name: "folio:precompress",
    apply: "build",
    // After the files are written, so the copies hold exactly the bytes on disk.
    async writeBundle(options, bundle) {
      const dir = options.dir ?? "dist/client";
      for (const fileName of Object.keys(bundle)) {
        if (!/^assets\/.*\.(js|css|svg)$/.test(fileName)) continue;
        const source = await readFile(join(dir, fileName));
        await writeFile(join(dir, `${fileName}.gz`), gzipSync(source, { level: 9 }));
        await writeFile(join(dir, `${fileName}.br`), brotliCompressSync(source, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
      }
    },
  };
}
