import { describe, expect, it } from "vitest";
import { Timeline, type TimingsFile } from "../helpers/timeline.ts";
import { chartOption, shortLabel } from "./chart.ts";
import { renderHtml } from "./html.ts";
import { renderSvg } from "./svg.ts";

function scenario() {
  const timeline = new Timeline("04", "Node lost for good");
  const t0 = timeline.startedAt;
  timeline.record({ t: t0 + 500, op: "write", ok: true, status: 201, ms: 10 });
  timeline.record({ t: t0 + 3_200, op: "write", ok: false, status: 503, ms: 12 });
  timeline.mark("fault", "folio-worker2 stopped", t0 + 3_000);
  timeline.mark("recovered", "postgres-0 Ready on folio-worker3", t0 + 5_000);
  return timeline.summarize(t0 + 6_000);
}

describe("report", () => {
  it("charts ok and failed requests per second, with every mark as a line and the error window shaded", () => {
    const option = chartOption(scenario()) as { series: { name: string; data: number[][]; markLine?: { data: { xAxis: number; name: string }[] }; markArea?: unknown }[] };
    expect(option.series.map((series) => series.name)).toEqual(["ok", "failed"]);
    expect(option.series[0]!.data[0]).toEqual([0.5, 1]);
    expect(option.series[1]!.data[3]).toEqual([3.5, 1]);
    expect(option.series[0]!.markLine!.data.map((line) => [line.xAxis, line.name])).toEqual([
      [3, "folio-worker2 stopped"],
      [5, "postgres-0 Ready on folio-worker3"],
    ]);
    expect(option.series[0]!.markArea).toBeDefined();
  });

  it("when asked for the first seconds only, then the chart ends there: later requests and marks are left out", () => {
    type Option = { xAxis: { max: number }; series: { data: number[][]; markLine?: { data: { name: string }[] } }[] };
    const option = chartOption(scenario(), { until: 4 }) as Option;
    expect(option.xAxis.max).toBe(4);
    expect(option.series[0]!.data.map(([second]) => second)).toEqual([0.5, 1.5, 2.5, 3.5]);
    expect(option.series[0]!.markLine!.data.map((line) => line.name)).toEqual(["folio-worker2 stopped"]);
  });

  it("when a mark's label is long (a scheduler's message), then the chart shows its start and the tooltip all of it", () => {
    const long = `folio-redis-0 Pending: ${"0/4 nodes are available ".repeat(8)}`;
    expect(shortLabel(long).length).toBeLessThanOrEqual(48);
    expect(long.startsWith(shortLabel(long).slice(0, -1))).toBe(true);
    expect(shortLabel(long).endsWith("…")).toBe(true);
    expect(shortLabel("folio-worker2 stopped")).toBe("folio-worker2 stopped");
  });

  it("renders a self-contained page: the chart library inlined, a chart and a summary per scenario", () => {
    const timings: TimingsFile = { generatedAt: "2026-12-02T12:00:00Z", scenarios: [scenario(), { ...scenario(), id: "05", title: "Worker <killed>" }] };
    const html = renderHtml(timings, "window.echarts = {};");
    expect(html).toContain("window.echarts = {};");
    expect(html.match(/class="chart"/g)).toHaveLength(2);
    expect(html).toContain("Worker &lt;killed&gt;");
    expect(html).not.toMatch(/<script src=/);
    expect(html).toContain("1 failed requests between +3.2 s");
  });

  it("inlines the real ECharts build by default", () => {
    expect(renderHtml({ generatedAt: "", scenarios: [] }).length).toBeGreaterThan(500_000);
  });

  it("draws a scenario as an SVG picture with its title and marks", () => {
    const svg = renderSvg(scenario());
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("04. Node lost for good");
    expect(svg).toContain("folio-worker2 stopped");
  });
});
