/** The images under test and where they come from. */
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));

/** Every image `pnpm images` builds; the migrations Job runs the api image. */
export const APPS = ["api", "web", "worker", "cleanup", "agent"] as const;
export type App = (typeof APPS)[number];

/** Long-running services and the port of their probes (the chart's containerPort). */
export const SERVICE_PORTS = { api: 8080, web: 8080, worker: 8081, agent: 8082 } as const;

/** The base image the Dockerfile defaults to, and `pnpm images` measures against. */
export const BASE_IMAGE = "node:24-bookworm-slim";

/** What an image may add over its base (the budget), in decimal megabytes as Docker counts them. */
export const BUDGET_BYTES = 80 * 1_000_000;

export const imageName = (app: App, tag: string) => `folio/${app}:${tag}`;
