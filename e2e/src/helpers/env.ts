/**
 * What the suite runs against, as scripts/e2e.ts passes it in the environment. Run the suite by hand on a
 * cluster made by `pnpm stack:up` with the same variables (FOLIO_E2E_TAG = the images' tag).
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { clusterSettings, type ClusterSettings } from "@folio/scripts/lib/settings.ts";

export interface SuiteEnv {
  settings: ClusterSettings;
  /** Tag of Folio's images that is deployed; upgrades in the scenarios keep it. */
  imageTag: string;
  /** Values files the release was installed with after values-kind.yaml (e2e/values-e2e.yaml). */
  valuesFiles: string[];
  artifacts: string;
}

const e2eDir = fileURLToPath(new URL("../..", import.meta.url));

export function suiteEnv(env: NodeJS.ProcessEnv = process.env): SuiteEnv {
  const imageTag = env.FOLIO_E2E_TAG;
  if (!imageTag) {
    throw new Error("FOLIO_E2E_TAG is not set: run the suite with `pnpm e2e` (or set it to the tag of the deployed images, as `pnpm images` printed it)");
  }
  return {
    settings: clusterSettings(),
    imageTag,
    valuesFiles: [env.FOLIO_E2E_VALUES || join(e2eDir, "values-e2e.yaml")],
    artifacts: env.FOLIO_E2E_ARTIFACTS || join(e2eDir, ".artifacts"),
  };
}
