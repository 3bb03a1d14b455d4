/**
 * One chart per scenario: requests per second that succeeded and that failed, over the scenario's time, with
 * its moments marked (fault injected in red, noticed in orange, recovered in green) and the error window
 * shaded. The same ECharts option draws the interactive report (report.html) and the SVG the docs show.
 */
import type { ScenarioTimings } from "../helpers/timeline.ts";

const COLORS = { ok: "#2e7d32", failed: "#c62828", fault: "#c62828", noticed: "#ef6c00", recovered: "#2e7d32", note: "#607d8b" } as const;

/** A mark's label on the chart: scheduler messages run to hundreds of characters (the tooltip has them whole). */
export function shortLabel(label: string, max = 48): string {
  return label.length <= max ? label : `${label.slice(0, max - 1).trimEnd()}…`;
}

export interface ChartOptions {
  animation?: boolean;
  /** Draw only the first `until` seconds (a picture of one part of a scenario). */
  until?: number;
}

export function chartOption(scenario: ScenarioTimings, options: ChartOptions = {}): Record<string, unknown> {
  const end = Math.ceil(Math.min(scenario.durationSeconds, options.until ?? Infinity));
  const shown = scenario.marks
    .filter((mark) => mark.kind !== "note" || !mark.label.startsWith("harness"))
    .filter((mark) => mark.second <= end)
    .sort((a, b) => a.second - b.second);
  // Two marks a moment apart would print their labels over each other: the second goes on the other side of its line.
  let side = "insideEndTop";
  const lines = shown.map((mark, index) => {
    const close = index > 0 && mark.second - shown[index - 1]!.second < end / 50;
    side = close && side === "insideEndTop" ? "insideEndBottom" : "insideEndTop";
    return {
      xAxis: mark.second,
      name: mark.label,
      lineStyle: { color: COLORS[mark.kind], type: mark.kind === "note" ? "dotted" : "dashed", width: mark.kind === "note" ? 1 : 2 },
      label: { formatter: shortLabel(mark.label), color: COLORS[mark.kind], position: side, fontSize: 11 },
    };
  });
  const buckets = scenario.buckets.filter((bucket) => bucket.second < end);
  const window = scenario.errorWindow && scenario.errorWindow.from < end ? scenario.errorWindow : null;
  return {
    animation: options.animation ?? true,
    title: { text: `${scenario.id}. ${scenario.title}`, left: 8, top: 4, textStyle: { fontSize: 15 } },
    tooltip: { trigger: "axis" },
    legend: { data: ["ok", "failed"], right: 8 },
    grid: { left: 56, right: 24, top: 64, bottom: 48 },
    xAxis: { type: "value", name: "seconds", nameLocation: "middle", nameGap: 28, min: 0, max: end },
    yAxis: { type: "value", name: "requests/s", minInterval: 1 },
    series: [
      {
        name: "ok",
        type: "bar",
        stack: "requests",
        barCategoryGap: "0%",
        itemStyle: { color: COLORS.ok },
        data: buckets.map((bucket) => [bucket.second + 0.5, bucket.ok]),
        markLine: { symbol: "none", silent: true, data: lines },
        ...(window
          ? { markArea: { silent: true, itemStyle: { color: "rgba(198, 40, 40, 0.08)" }, data: [[{ xAxis: window.from, name: `errors for ${window.seconds.toFixed(1)} s` }, { xAxis: Math.min(window.to, end) }]] } }
          : {}),
      },
      {
        name: "failed",
        type: "bar",
        stack: "requests",
        itemStyle: { color: COLORS.failed },
        data: buckets.map((bucket) => [bucket.second + 0.5, bucket.failed]),
      },
    ],
  };
}
