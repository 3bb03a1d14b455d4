/**
 * Before any scenario: the cluster answers and the release is ready. A clear message otherwise, since the
 * usual cause is running the suite without `pnpm e2e` (which creates and deploys first).
 */
import { Kube } from "@folio/scripts/lib/kube.ts";
import { suiteEnv } from "./env.ts";

export default async function setup(): Promise<void> {
  const env = suiteEnv();
  const kube = new Kube(env.settings.context);
  if (!(await kube.reachable())) {
    throw new Error(`the kind cluster's API server (context ${env.settings.context}) does not answer: run the suite with \`pnpm e2e\`, or create the cluster with \`pnpm stack:up\``);
  }
  const release = await kube.run(["get", "deployment", `${env.settings.release}-api`, "-n", env.settings.namespace], { nothrow: true });
  if (release.exitCode !== 0) throw new Error(`Folio is not deployed in namespace ${env.settings.namespace}: \`pnpm chart:deploy\` (or \`pnpm e2e\`) installs it`);
}
