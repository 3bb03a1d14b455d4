/**
 * One chart per scenario: requests per second that succeeded and that failed, over the scenario's time, with
 * its moments marked (fault injected in red, noticed in orange, recovered in green) and the error window
 * shaded. The same ECharts option draws the interactive report (report.html) and the SVG the docs show.
 */
import type { ScenarioTimings } from "../helpers/timeline.ts";

const COLORS = { ok: "#2e7d32", failed: "#c62828", fault: "#c62828", noticed: "#ef6c00", recovered: "#2e7d32", note: "#607d8b" } as const;

export function chartOption(scenario: ScenarioTimings, options: { animation?: boolean } = {}): Record<string, unknown> {
  const lines = scenario.marks
    .filter((mark) => mark.kind !== "note" || !mark.label.startsWith("harness"))
    .map((mark) => ({
      xAxis: mark.second,
      name: mark.label,
      lineStyle: { color: COLORS[mark.kind], type: mark.kind === "note" ? "dotted" : "dashed", width: mark.kind === "note" ? 1 : 2 },
      label: { formatter: mark.label, color: COLORS[mark.kind], position: "insideEndTop", fontSize: 11 },
    }));
  const window = scenario.errorWindow;
  return {
    animation: options.animation ?? true,
    title: { text: `${scenario.id}. ${scenario.title}`, left: 8, textStyle: { fontSize: 15 } },
    tooltip: { trigger: "axis" },
    legend: { data: ["ok", "failed"], right: 8 },
    grid: { left: 56, right: 24, top: 48, bottom: 48 },
    xAxis: { type: "value", name: "seconds", nameLocation: "middle", nameGap: 28, min: 0, max: Math.ceil(scenario.durationSeconds) },
    yAxis: { type: "value", name: "requests/s", minInterval: 1 },
    series: [
      {
        name: "ok",
        type: "bar",
        stack: "requests",
        barCategoryGap: "0%",
        itemStyle: { color: COLORS.ok },
        data: scenario.buckets.map((bucket) => [bucket.second + 0.5, bucket.ok]),
        markLine: { symbol: "none", silent: true, data: lines },
        ...(window
          ? { markArea: { silent: true, itemStyle: { color: "rgba(198, 40, 40, 0.08)" }, data: [[{ xAxis: window.from, name: `errors for ${window.seconds.toFixed(1)} s` }, { xAxis: window.to }]] } }
          : {}),
      },
      {
        name: "failed",
        type: "bar",
        stack: "requests",
        itemStyle: { color: COLORS.failed },
        data: scenario.buckets.map((bucket) => [bucket.second + 0.5, bucket.failed]),
      },
    ],
  };
}
