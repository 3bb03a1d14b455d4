/**
 * A scenario's timeline: every request the load made (time, operation, outcome, latency), the moments that
 * matter (fault injected, noticed, recovered) and the numbers measured. Saved into timings.json, which
 * `pnpm e2e` renders as report.html and the docs quote.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export type MarkKind = "fault" | "noticed" | "recovered" | "note";

export interface Mark {
  kind: MarkKind;
  label: string;
  /** Epoch milliseconds. */
  t: number;
}

export interface RequestRecord {
  /** Epoch milliseconds when the request started. */
  t: number;
  /** What it was: write, read, upload, verify… */
  op: string;
  ok: boolean;
  /** HTTP status, 0 when there was no answer (connection refused, reset, timeout). */
  status: number;
  ms: number;
  /** The problem's code for a problem+json answer (database_unavailable…), or the connection error's code. */
  error?: string;
}

export interface SecondBucket {
  /** Seconds since the scenario started. */
  second: number;
  ok: number;
  failed: number;
}

export interface ErrorWindow {
  /** Seconds since the scenario started, of the first and the last failed request. */
  from: number;
  to: number;
  seconds: number;
  failed: number;
}

export interface ScenarioTimings {
  id: string;
  title: string;
  startedAt: string;
  durationSeconds: number;
  marks: { kind: MarkKind; label: string; second: number }[];
  buckets: SecondBucket[];
  byOperation: Record<string, { ok: number; failed: number; p50Ms: number; p99Ms: number; maxMs: number }>;
  errorWindow: ErrorWindow | null;
  /** Failures by status (or error code when there was no answer). */
  failures: Record<string, number>;
  facts: Record<string, number | string | boolean>;
}

export interface TimingsFile {
  generatedAt: string;
  scenarios: ScenarioTimings[];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export class Timeline {
  readonly startedAt = Date.now();
  readonly marks: Mark[] = [];
  readonly requests: RequestRecord[] = [];
  readonly facts: Record<string, number | string | boolean> = {};

  readonly id: string;
  readonly title: string;

  constructor(id: string, title: string) {
    this.id = id;
    this.title = title;
  }

  mark(kind: MarkKind, label: string, t = Date.now()): number {
    this.marks.push({ kind, label, t });
    return t;
  }

  record(request: RequestRecord): void {
    this.requests.push(request);
  }

  fact(name: string, value: number | string | boolean): void {
    this.facts[name] = typeof value === "number" ? Math.round(value * 10) / 10 : value;
  }

  /** Requests of one operation (or all) that started at or after `from` (epoch ms), before `to`. */
  between(from: number, to = Number.POSITIVE_INFINITY, op?: string): RequestRecord[] {
    return this.requests.filter((request) => request.t >= from && request.t < to && (op === undefined || request.op === op));
  }

  summarize(now = Date.now()): ScenarioTimings {
    const second = (t: number) => Math.floor((t - this.startedAt) / 1000);
    const last = Math.max(second(now), ...this.requests.map((request) => second(request.t)));
    const buckets: SecondBucket[] = Array.from({ length: last + 1 }, (_, index) => ({ second: index, ok: 0, failed: 0 }));
    const byOp = new Map<string, { ok: number; failed: number; latencies: number[] }>();
    const failures: Record<string, number> = {};
    for (const request of this.requests) {
      const bucket = buckets[second(request.t)];
      if (bucket && request.ok) bucket.ok++;
      else if (bucket) bucket.failed++;
      const entry = byOp.get(request.op) ?? { ok: 0, failed: 0, latencies: [] };
      if (request.ok) entry.ok++;
      else entry.failed++;
      entry.latencies.push(request.ms);
      byOp.set(request.op, entry);
      if (!request.ok) {
        const reason = request.status ? `${request.status}${request.error ? ` ${request.error}` : ""}` : (request.error ?? "no answer");
        failures[reason] = (failures[reason] ?? 0) + 1;
      }
    }
    const failed = this.requests.filter((request) => !request.ok);
    const errorWindow: ErrorWindow | null =
      failed.length === 0
        ? null
        : (() => {
            const from = Math.min(...failed.map((request) => request.t));
            const to = Math.max(...failed.map((request) => request.t + request.ms));
            return { from: (from - this.startedAt) / 1000, to: (to - this.startedAt) / 1000, seconds: (to - from) / 1000, failed: failed.length };
          })();
    return {
      id: this.id,
      title: this.title,
      startedAt: new Date(this.startedAt).toISOString(),
      durationSeconds: (now - this.startedAt) / 1000,
      marks: this.marks.map((mark) => ({ kind: mark.kind, label: mark.label, second: Math.round((mark.t - this.startedAt) / 100) / 10 })),
      buckets,
      byOperation: Object.fromEntries(
        [...byOp].map(([op, entry]) => {
          const sorted = [...entry.latencies].sort((a, b) => a - b);
          return [op, { ok: entry.ok, failed: entry.failed, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted.at(-1) ?? 0 }];
        }),
      ),
      errorWindow,
      failures,
      facts: { ...this.facts },
    };
  }
}

/** Adds (or replaces) one scenario in `<dir>/timings.json`; scenarios run one after the other, so read-modify-write is safe. */
export function saveTimings(dir: string, scenario: ScenarioTimings): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "timings.json");
  const current: TimingsFile = existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as TimingsFile) : { generatedAt: "", scenarios: [] };
  const scenarios = [...current.scenarios.filter((existing) => existing.id !== scenario.id), scenario].sort((a, b) => a.id.localeCompare(b.id));
  const next: TimingsFile = { generatedAt: new Date().toISOString(), scenarios };
  writeFileSync(`${path}.tmp`, `${JSON.stringify(next, null, 1)}\n`);
  renameSync(`${path}.tmp`, path);
  return path;
}
