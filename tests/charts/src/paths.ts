import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
export const chartsDir = `${repoRoot}charts`;
export const folioChart = `${chartsDir}/folio`;
export const subcharts = ["postgres", "redis", "objectstore"] as const;
