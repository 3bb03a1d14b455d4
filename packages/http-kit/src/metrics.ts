/**
 * Prometheus metrics. Each app owns a Registry (not the global one) so tests can build several apps
 * in one process. HTTP metrics are labelled by the route template, never the raw URL, to keep cardinality bounded.
 */
import type { RequestHandler } from "express";
import client from "prom-client";

export { client as prometheus };

export function createRegistry(service: string): client.Registry {
  const registry = new client.Registry();
  registry.setDefaultLabels({ service });
  client.collectDefaultMetrics({ register: registry });
  return registry;
}

export function httpMetrics(registry: client.Registry): RequestHandler {
  const duration = new client.Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request duration by method, route template and status code",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return (req, res, next) => {
    const end = duration.startTimer();
    res.on("finish", () => {
      const template = req.route?.path;
      const route = typeof template === "string" ? `${req.baseUrl}${template}` : "unmatched";
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}

export function metricsHandler(registry: client.Registry): RequestHandler {
  return (_req, res, next) => {
    registry.metrics().then((text) => res.type(registry.contentType).send(text), next);
  };
}
