/**
 * Probe semantics (documented in docs/architecture.md):
 * - /healthz: the process is alive and its event loop answers. No dependency checks: a database outage
 *   must not make Kubernetes restart every API pod at once, which would turn a partial outage into a full one.
 * - /readyz: the service finished starting (for the API: the schema it needs is migrated) and is not draining.
 *   Dependencies are deliberately not pinged per probe either: if Postgres is down, every replica would go
 *   unready together and the Service would have no endpoints, so clients would get connection errors
 *   instead of a fast, explained 503 problem from the API.
 */
import type { RequestHandler } from "express";
import type { Registry } from "prom-client";
import { metricsHandler } from "./metrics.js";

export class ProbeState {
  #started = false;
  #draining = false;
  #reason = "starting";

  markStarted(): void {
    this.#started = true;
    this.#reason = "";
  }

  markDraining(): void {
    this.#draining = true;
    this.#reason = "draining";
  }

  /** While starting: say what we are waiting for (shown by /readyz). */
  waitingFor(reason: string): void {
    if (!this.#started) this.#reason = reason;
  }

  get draining(): boolean {
    return this.#draining;
  }

  get ready(): boolean {
    return this.#started && !this.#draining;
  }

  get reason(): string {
    return this.#reason;
  }
}

/**
 * The first middleware of every service:
 * - GET /healthz, /readyz and, given a registry, /metrics. One plain middleware rather than a nested router and
 *   a route: it sits in front of every request, and all a request for anything else pays is a string comparison
 *   (a nested Express router costs a prefix trim, parameter processing and a restore per request).
 * - While draining, every response says "Connection: close", so clients stop reusing keep-alive sockets before
 *   the server closes them. Otherwise a client can send a request on an idle socket at the very moment the
 *   server closes it, and that request fails although the server was still willing to serve it.
 */
export function probeRoutes(state: ProbeState, registry?: Registry): RequestHandler {
  const metrics = registry ? metricsHandler(registry) : undefined;
  return (req, res, next) => {
    if (state.draining) res.setHeader("connection", "close");
    if (req.method !== "GET" && req.method !== "HEAD") {
      next();
      return;
    }
    switch (req.path) {
      case "/healthz":
        res.json({ status: "ok" });
        return;
      case "/readyz":
        if (state.ready) res.json({ status: "ready" });
        else res.status(503).json({ status: "not ready", reason: state.reason });
        return;
      case "/metrics":
        if (metrics) {
          metrics(req, res, next);
          return;
        }
    }
    next();
  };
}
