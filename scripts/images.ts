#!/usr/bin/env node
/**
 * pnpm images: builds Folio's production images from the repository's Dockerfile, prints each one's size and the
 * size it adds over its base image, and fails when one adds more than the budget (80 MB). With --load, it then
 * puts them on the kind cluster's nodes, together with every third-party image the chart and the cluster's
 * add-ons use that exists in the local Docker (nothing is pulled by the nodes then: a workshop room's network
 * is spared, and an offline machine works).
 *
 * The images are <prefix>/<app>:<tag> for api, web, worker, cleanup and agent (the migrations Job runs the api
 * image). The tag is the commit's short sha, with "-dirty" when the working tree has changes, tracked or not.
 * Why one Dockerfile, and what is in an image: docs/adr/0015-container-images.md.
 *
 * Usage: pnpm images [--app api …] [--tag TAG] [--base IMAGE] [--prefix folio] [--load [--cluster NAME] [--skip-build]] [--verbose]
 * Environment: Docker's own (DOCKER_HOST, DOCKER_CONTEXT) select the engine; FOLIO_CLUSTER names the cluster for
 *   --load; FOLIO_TRAEFIK_IMAGE and FOLIO_METRICS_SERVER_IMAGE replace the add-ons' images.
 */
import { chalk, echo, type ProcessPromise } from "zx";
import { runScript, step, UsageError, type CliSpec, type ParsedOptions } from "./lib/cli.ts";
import { buildChartDependencies, renderChart } from "./lib/chart.ts";
import {
  APPS,
  BUDGET_MB,
  DEFAULT_BASE,
  MB,
  addonImageGroups,
  buildImages,
  chartImageGroups,
  commitTag,
  dockerProblem,
  imageName,
  loadImages,
  treeFingerprint,
  type Built,
} from "./lib/images.ts";
import { checkNode } from "./lib/prerequisites.ts";
import { clusterSettings } from "./lib/settings.ts";

const spec: CliSpec = {
  usage: "pnpm images [options]",
  summary: [
    `Builds the production images ${APPS.map((app) => `folio/${app}`).join(", ")} from the Dockerfile,`,
    `tagged with the commit (short sha, "-dirty" when the tree has changes), and prints their sizes. Fails when an`,
    `image adds more than ${BUDGET_MB} MB over its base. --load then puts them, and the third-party images of the`,
    "chart and the cluster add-ons that exist locally, on every node of the kind cluster.",
  ].join("\n"),
  options: [
    { name: "app", type: "string", value: "NAME", repeatable: true, description: `build only this app: ${APPS.join(", ")}` },
    { name: "tag", type: "string", value: "TAG", description: "tag instead of the commit's" },
    { name: "base", type: "string", value: "IMAGE", description: "base image (the Dockerfile's NODE_IMAGE)", default: DEFAULT_BASE },
    { name: "prefix", type: "string", value: "PREFIX", description: 'repository prefix, e.g. registry.example.com/folio', default: "folio" },
    { name: "load", type: "boolean", description: "load the images into the kind cluster's nodes" },
    { name: "cluster", type: "string", value: "NAME", description: "kind cluster for --load (or FOLIO_CLUSTER)", default: "folio" },
    { name: "skip-build", type: "boolean", description: "with --load: load images built earlier under --tag, build nothing" },
  ],
};

// Ctrl-C or SIGTERM stops the running `docker build` (the engine then cancels it); runScript exits 130 or 143.
let running: ProcessPromise | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) process.prependListener(signal, () => void running?.kill(signal));

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("   ")).join("\n");
}

const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

function sizeReport(built: Built[], base: string): number {
  const over = built.filter((image) => image.addedBytes > BUDGET_MB * MB);
  const baseBytes = built[0] ? built[0].bytes - built[0].addedBytes : 0;
  echo("");
  echo(
    table([
      ["image", "size", `added over ${base} (${mb(baseBytes)})`, "build"],
      ...built.map((image) => [
        image.image,
        mb(image.bytes),
        `${mb(image.addedBytes)}${over.includes(image) ? chalk.red(" over budget") : ""}`,
        `${image.seconds.toFixed(0)} s`,
      ]),
    ]),
  );
  echo(chalk.dim(`budget: at most ${BUDGET_MB} MB added per image (1 MB = 10^6 bytes)`));
  if (over.length === 0) return 0;
  echo(chalk.red(`${over.map((image) => image.image).join(", ")} add(s) more than ${BUDGET_MB} MB over the base.`));
  echo(`See what takes the space: docker history ${over[0]!.image}, and`);
  echo(`  docker run --rm ${over[0]!.image} sh -c 'du -sh /app/dist /app/node_modules/.pnpm/* | sort -h | tail'`);
  return 1;
}

export async function main(options: ParsedOptions): Promise<number> {
  const apps = ((options.app as string[] | undefined) ?? []).flatMap((value) => value.split(",")).filter(Boolean);
  const wrong = apps.filter((app) => !(APPS as readonly string[]).includes(app));
  if (wrong.length > 0) throw new UsageError(`unknown app: ${wrong.join(", ")} (one of ${APPS.join(", ")})`);
  const tagOption = options.tag as string | undefined;
  if (tagOption !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tagOption)) throw new UsageError(`not a valid Docker tag: ${tagOption}`);
  if (options["skip-build"] && !options.load) throw new UsageError("--skip-build only makes sense with --load");
  if (options["skip-build"] && !tagOption) throw new UsageError("--skip-build needs --tag: the tag of the images built earlier");
  const selected = apps.length > 0 ? [...new Set(apps)] : [...APPS];
  const base = (options.base as string | undefined) || DEFAULT_BASE;
  const prefix = (options.prefix as string | undefined) || "folio";

  checkNode();
  const problem = await dockerProblem();
  if (problem) {
    echo(chalk.red(problem));
    return 1;
  }
  const commit = await commitTag();
  if (typeof commit === "string" && !tagOption) {
    echo(chalk.red(commit));
    return 1;
  }
  const tag = tagOption ?? (commit as { tag: string }).tag;

  if (!options["skip-build"]) {
    const fingerprint = await treeFingerprint();
    echo(`Building ${selected.length} image(s) tagged ${chalk.bold(tag)} from ${base}`);
    const built = await buildImages({
      apps: selected,
      tag,
      revision: typeof commit === "string" ? "" : commit.revision,
      base,
      prefix,
      verbose: Boolean(options.verbose),
      onBuild: (build) => (running = build),
    });
    if ((await treeFingerprint()) !== fingerprint) {
      echo(chalk.yellow("The working tree changed while the images were built. If the change is in what the images hold, they may come from two versions of the code: run `pnpm images` again."));
    }
    if (sizeReport(built, base) !== 0) return 1;
  }

  if (options.load) {
    const settings = clusterSettings({ name: options.cluster as string | undefined });
    const folio = selected.map((app) => imageName(prefix, app, tag));
    // Each image goes to the nodes where it can run; Folio's apps that were not selected are left out.
    const groups = await step("listing the chart's and the add-ons' images", async () => {
      await buildChartDependencies();
      const chart = chartImageGroups(await renderChart(settings, { imageTag: tag, imagePrefix: prefix }));
      return [...chart, ...addonImageGroups()].map((group) => ({
        ...group,
        images: group.images.filter((image) => !image.startsWith(`${prefix}/`) || folio.includes(image)),
      }));
    });
    const count = new Set(groups.flatMap((group) => group.images)).size;
    const result = await step(`loading ${count} images into the nodes of ${settings.name}`, () => loadImages(settings.name, groups, Boolean(options.verbose)));
    echo(`loaded: ${result.loaded.join(", ")}`);
    const missingOwn = result.missing.filter((image) => folio.includes(image));
    if (missingOwn.length > 0) throw new Error(`Folio's images ${missingOwn.join(", ")} are not in the local Docker: build them (pnpm images) first`);
    if (result.missing.length > 0) {
      echo(chalk.yellow(`not in the local Docker, so the nodes will pull them: ${result.missing.join(", ")}`));
      echo(chalk.dim("(offline? `docker pull` them here first, or point the chart's values at a mirror)"));
    }
  }
  return 0;
}

if (import.meta.main) await runScript(spec, main);
