import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { saveTimings, Timeline, type TimingsFile } from "./timeline.ts";

function timelineWithRequests(): Timeline {
  const timeline = new Timeline("03", "Node crash");
  const t0 = timeline.startedAt;
  // Second 0: 3 ok writes; second 2: 1 ok, 2 failed (503 and no answer); second 4: 1 ok read.
  for (const offset of [100, 200, 900]) timeline.record({ t: t0 + offset, op: "write", ok: true, status: 201, ms: 20 });
  timeline.record({ t: t0 + 2_100, op: "write", ok: true, status: 201, ms: 30 });
  timeline.record({ t: t0 + 2_300, op: "write", ok: false, status: 503, ms: 40 });
  timeline.record({ t: t0 + 2_500, op: "write", ok: false, status: 0, ms: 2_000, error: "ECONNRESET" });
  timeline.record({ t: t0 + 4_000, op: "read", ok: true, status: 200, ms: 5 });
  timeline.mark("fault", "worker2 killed", t0 + 2_000);
  timeline.mark("recovered", "first write", t0 + 4_550);
  return timeline;
}

describe("Timeline", () => {
  it("counts requests per second, ok and failed, from the scenario's start", () => {
    const summary = timelineWithRequests().summarize(timelineWithRequests().startedAt + 5_000);
    expect(summary.buckets.slice(0, 5)).toEqual([
      { second: 0, ok: 3, failed: 0 },
      { second: 1, ok: 0, failed: 0 },
      { second: 2, ok: 1, failed: 2 },
      { second: 3, ok: 0, failed: 0 },
      { second: 4, ok: 1, failed: 0 },
    ]);
  });

  it("reports the error window from the first failed request's start to the last one's end", () => {
    const timeline = timelineWithRequests();
    const summary = timeline.summarize(timeline.startedAt + 5_000);
    expect(summary.errorWindow).toEqual({ from: 2.3, to: 4.5, seconds: 2.2, failed: 2 });
    expect(summary.failures).toEqual({ "503": 1, ECONNRESET: 1 });
    const coded = new Timeline("07", "x");
    coded.record({ t: coded.startedAt, op: "write", ok: false, status: 503, ms: 3, error: "database_unavailable" });
    expect(coded.summarize().failures).toEqual({ "503 database_unavailable": 1 });
  });

  it("keeps marks in seconds since the start, and latency percentiles per operation", () => {
    const timeline = timelineWithRequests();
    const summary = timeline.summarize(timeline.startedAt + 5_000);
    expect(summary.marks).toEqual([
      { kind: "fault", label: "worker2 killed", second: 2 },
      { kind: "recovered", label: "first write", second: 4.6 },
    ]);
    expect(summary.byOperation.write).toMatchObject({ ok: 4, failed: 2, maxMs: 2_000 });
    expect(summary.byOperation.read).toMatchObject({ ok: 1, failed: 0, p50Ms: 5 });
  });

  it("when nothing failed, then there is no error window", () => {
    const timeline = new Timeline("08", "Upgrade");
    timeline.record({ t: timeline.startedAt, op: "read", ok: true, status: 200, ms: 3 });
    expect(timeline.summarize().errorWindow).toBeNull();
  });

  it("rounds facts to one decimal", () => {
    const timeline = new Timeline("04", "Lost");
    timeline.fact("failoverSeconds", 61.2749);
    timeline.fact("movedTo", "folio-worker3");
    expect(timeline.summarize().facts).toEqual({ failoverSeconds: 61.3, movedTo: "folio-worker3" });
  });
});

describe("saveTimings", () => {
  it("adds scenarios to one file in id order and replaces a scenario saved again", () => {
    const dir = mkdtempSync(join(tmpdir(), "timings-"));
    saveTimings(dir, new Timeline("04", "Lost").summarize());
    saveTimings(dir, new Timeline("02", "Pods").summarize());
    const path = saveTimings(dir, new Timeline("04", "Lost again").summarize());
    const file = JSON.parse(readFileSync(path, "utf8")) as TimingsFile;
    expect(file.scenarios.map((scenario) => `${scenario.id} ${scenario.title}`)).toEqual(["02 Pods", "04 Lost again"]);
  });
});
