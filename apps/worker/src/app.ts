/**
 * The worker's small HTTP server: probes for the kubelet and metrics for Prometheus, nothing else. No I/O happens
 * here, so tests build it and call it on port 0.
 */
import express from "express";
import { probeRoutes, type ProbeState, type prometheus } from "@folio/http-kit";

export interface AppDeps {
  probes: ProbeState;
  registry: prometheus.Registry;
}

export function createApp({ probes, registry }: AppDeps): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.use(probeRoutes(probes, registry));
  return app;
}
