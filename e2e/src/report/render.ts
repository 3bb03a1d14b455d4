#!/usr/bin/env node
/**
 * Renders e2e/.artifacts/timings.json into report.html (pnpm e2e runs this), and with --svg ID FILE one
 * scenario's chart as an SVG picture for the docs.
 *
 * Usage: node src/report/render.ts TIMINGS.json REPORT.html [--svg SCENARIO-ID OUT.svg [--until SECONDS]]
 *   --until  draw only the scenario's first SECONDS (docs/e2e-node-loss.svg: the PostgreSQL half of scenario 4)
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { TimingsFile } from "../helpers/timeline.ts";
import { renderHtml } from "./html.ts";
import { renderSvg } from "./svg.ts";

const USAGE = "Usage: node src/report/render.ts TIMINGS.json REPORT.html [--svg SCENARIO-ID OUT.svg [--until SECONDS]]\n";
const [input, output, flag, id, svgOut, untilFlag, untilValue, ...rest] = process.argv.slice(2);
const until = untilFlag === undefined ? undefined : Number(untilValue);
const badUntil = untilFlag !== undefined && (untilFlag !== "--until" || until === undefined || !Number.isFinite(until) || until <= 0);
if (!input || !output || (flag !== undefined && (flag !== "--svg" || !id || !svgOut)) || badUntil || rest.length > 0) {
  process.stderr.write(USAGE);
  process.exitCode = 2;
} else {
  const timings = JSON.parse(readFileSync(input, "utf8")) as TimingsFile;
  writeFileSync(output, renderHtml(timings));
  process.stdout.write(`wrote ${output} (${timings.scenarios.length} scenarios)\n`);
  if (flag === "--svg") {
    const scenario = timings.scenarios.find((candidate) => candidate.id === id);
    if (!scenario) {
      process.stderr.write(`no scenario ${id} in ${input} (it has ${timings.scenarios.map((candidate) => candidate.id).join(", ")})\n`);
      process.exitCode = 1;
    } else {
      writeFileSync(svgOut!, renderSvg(scenario, { until }));
      process.stdout.write(`wrote ${svgOut}\n`);
    }
  }
}
