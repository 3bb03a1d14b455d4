/** One scenario's chart as an SVG file (ECharts' server-side renderer), for pictures in the docs. */
import * as echarts from "echarts";
import type { ScenarioTimings } from "../helpers/timeline.ts";
import { chartOption, type ChartOptions } from "./chart.ts";

export function renderSvg(scenario: ScenarioTimings, options: Pick<ChartOptions, "until"> = {}, width = 960, height = 360): string {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  chart.setOption({ ...chartOption(scenario, { ...options, animation: false }), backgroundColor: "#ffffff" });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}
