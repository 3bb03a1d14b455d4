/**
 * Before any chart test: helm must be installed (the error says how), and the folio chart's local subcharts are
 * packed into charts/folio/charts/ from their current sources (`helm dependency build`, offline for file://
 * dependencies), so a test never renders a stale copy.
 */
import { checkHelm, helm } from "./helm.js";
import { folioChart } from "./paths.js";

export default async function setup(): Promise<void> {
  await checkHelm();
  const build = await helm(["dependency", "build", folioChart, "--skip-refresh"]);
  if (!build.ok) throw new Error(`helm dependency build ${folioChart} failed:\n${build.stderr}`);
}
