/**
 * report.html: one self-contained page (ECharts inlined, no network needed) with a chart and a summary per
 * scenario, built from timings.json.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { TimingsFile, ScenarioTimings } from "../helpers/timeline.ts";
import { chartOption } from "./chart.ts";

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export function echartsSource(): string {
  const require = createRequire(import.meta.url);
  return readFileSync(require.resolve("echarts/dist/echarts.min.js"), "utf8");
}

function summary(scenario: ScenarioTimings): string {
  const operations = Object.entries(scenario.byOperation)
    .map(([op, stats]) => `<tr><td>${escape(op)}</td><td>${stats.ok}</td><td>${stats.failed}</td><td>${stats.p50Ms}</td><td>${stats.p99Ms}</td><td>${stats.maxMs}</td></tr>`)
    .join("");
  const facts = Object.entries(scenario.facts)
    .map(([name, value]) => `<li><code>${escape(name)}</code>: ${escape(String(value))}</li>`)
    .join("");
  const marks = scenario.marks.map((mark) => `<li>+${mark.second.toFixed(1)} s <b>${mark.kind}</b> ${escape(mark.label)}</li>`).join("");
  const window = scenario.errorWindow ? `${scenario.errorWindow.failed} failed requests between +${scenario.errorWindow.from.toFixed(1)} s and +${scenario.errorWindow.to.toFixed(1)} s (${scenario.errorWindow.seconds.toFixed(1)} s)` : "no failed request";
  return `<div class="summary">
<p>${escape(window)}; ${Object.keys(scenario.failures).length ? `failures by answer: ${escape(JSON.stringify(scenario.failures))}` : ""}</p>
<table><thead><tr><th>operation</th><th>ok</th><th>failed</th><th>p50 ms</th><th>p99 ms</th><th>max ms</th></tr></thead><tbody>${operations}</tbody></table>
<details><summary>timeline and measurements</summary><ul>${marks}</ul><ul>${facts}</ul></details>
</div>`;
}

export function renderHtml(timings: TimingsFile, echarts = echartsSource()): string {
  const sections = timings.scenarios
    .map((scenario, index) => `<section><h2>${escape(`${scenario.id}. ${scenario.title}`)}</h2><div class="chart" id="chart-${index}"></div>${summary(scenario)}</section>`)
    .join("\n");
  const options = JSON.stringify(timings.scenarios.map((scenario) => chartOption(scenario)));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Folio e2e report</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1100px; color: #222; }
section { border-top: 1px solid #ddd; padding: 12px 0; }
.chart { width: 100%; height: 320px; }
table { border-collapse: collapse; margin: 8px 0; } td, th { border: 1px solid #ddd; padding: 2px 8px; text-align: right; } td:first-child, th:first-child { text-align: left; }
</style></head>
<body>
<h1>Folio e2e report</h1>
<p>Generated ${escape(timings.generatedAt)}. Each chart shows requests per second through the ingress (ok and failed) while the scenario ran; dashed lines mark the fault (red), when it was noticed (orange) and the recovery (green).</p>
${sections}
<script>${echarts.replace(/<\/script/gi, "<\\/script")}</script>
<script>
const options = ${options.replace(/</g, "\\u003c")};
options.forEach((option, index) => echarts.init(document.getElementById("chart-" + index)).setOption(option));
</script>
</body></html>
`;
}
