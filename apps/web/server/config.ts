/**
 * Every setting of the web server, from environment variables. This is the only module that reads process.env
 * (vite.config.ts reads the dev server's settings through it too). The table in apps/web/README.md documents
 * this schema; keep both in step.
 */
import { csv, loadConfig, parseConfig, port, serviceSchema, url, z } from "@folio/config";

/** An http(s) URL without a trailing slash, so "${API_URL}/v1/..." is always right. */
const origin = () => url(["http", "https"]).transform((value) => value.replace(/\/+$/, ""));

export const configSchema = z.object({
  ...serviceSchema,
  HOST: z.string().default("0.0.0.0").describe("address to listen on"),
  PORT: port(8080).describe("port to listen on"),
  API_URL: origin().describe(
    "the API's URL as browsers reach it (http://api.localtest.me); sent to the browser in /config.js and allowed by the CSP",
  ),
  MEDIA_ORIGINS: csv().describe(
    "more origins images may come from (img-src), for an API that redirects media to S3 (MEDIA_DELIVERY=redirect)",
  ),
});

export type WebConfig = z.output<typeof configSchema>;

export const readConfig = (env: Record<string, string | undefined> = process.env): WebConfig => loadConfig(configSchema, env);
export const parseWebConfig = (env: Record<string, string | undefined>): WebConfig => parseConfig(configSchema, env);

/**
 * `pnpm dev` runs Vite's dev server instead of this one. PORT is the API's in `pnpm dev` (the root script passes
 * the same environment to every app), so the site's dev port has a name of its own.
 */
export const devConfigSchema = z.object({
  WEB_PORT: port(5173).describe("port of the Vite dev server"),
  API_URL: origin().default("http://localhost:8080").describe("the API the dev site talks to"),
});

export type WebDevConfig = z.output<typeof devConfigSchema>;

export const readDevConfig = (env: Record<string, string | undefined> = process.env): WebDevConfig => loadConfig(devConfigSchema, env);
