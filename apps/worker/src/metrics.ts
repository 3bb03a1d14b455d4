/**
 * The worker's Prometheus metrics, registered on the process's own registry (served at /metrics).
 */
import { prometheus } from "@folio/http-kit";
import { registerQueueDepthGauge, type MediaJob, type Queue } from "@folio/queue";

/** ready: variants made; skipped: nothing to do; retried: failed, BullMQ tries again; failed: final failure. */
export type JobResult = "ready" | "skipped" | "retried" | "failed";

export interface WorkerMetrics {
  jobs: prometheus.Counter<"result">;
  jobDuration: prometheus.Histogram<"result">;
  reconcilerPasses: prometheus.Counter<"result">;
  reconcilerEnqueued: prometheus.Counter<"previous">;
}

export function createWorkerMetrics(registry: prometheus.Registry, queue: Queue<MediaJob>): WorkerMetrics {
  registerQueueDepthGauge(registry, queue);
  return {
    jobs: new prometheus.Counter({
      name: "folio_worker_jobs_total",
      help: "Media job attempts by result: ready, skipped (nothing to do), retried, failed (final)",
      labelNames: ["result"],
      registers: [registry],
    }),
    jobDuration: new prometheus.Histogram({
      name: "folio_worker_job_duration_seconds",
      help: "Duration of media job attempts by result, from download to the row update",
      labelNames: ["result"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers: [registry],
    }),
    reconcilerPasses: new prometheus.Counter({
      name: "folio_reconciler_passes_total",
      help: "Reconciler passes by result: done, skipped (another replica holds the lock), error",
      labelNames: ["result"],
      registers: [registry],
    }),
    reconcilerEnqueued: new prometheus.Counter({
      name: "folio_reconciler_reenqueued_total",
      help: "Media left pending and enqueued again, by what BullMQ still had of its job: none, failed, completed",
      labelNames: ["previous"],
      registers: [registry],
    }),
  };
}
