/**
 * What each image is, without starting the stack: its user, its command, its labels, its size, and what is (and
 * is not) inside it.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { dockerOk, inspectImage } from "../src/docker.js";
import { APPS, BASE_IMAGE, BUDGET_BYTES, imageName, repoRoot } from "../src/images.js";

const tag = inject("imageTag");

/**
 * Runs inside the image (as its user, read-only) and reports what is there. Plain JavaScript for `node -e`.
 * Packages in node_modules/.pnpm are named like "vitest@4.1.12" or "@folio+testkit@file+packages+testkit".
 */
const SURVEY = `
const fs = require("node:fs");
const onPath = (name) => process.env.PATH.split(":").some((dir) => fs.existsSync(dir + "/" + name));
const store = fs.readdirSync("node_modules/.pnpm").filter((entry) => entry !== "node_modules" && entry !== "lock.yaml");
const packageDir = (entry) => {
  const at = entry.indexOf("@", entry.startsWith("@") ? 1 : 0);
  return "node_modules/.pnpm/" + entry + "/node_modules/" + entry.slice(0, at).replace("+", "/");
};
console.log(JSON.stringify({
  uid: process.getuid(), gid: process.getgid(), cwd: process.cwd(), arch: process.arch, nodeEnv: process.env.NODE_ENV,
  entries: fs.readdirSync("."),
  main: require("./package.json").main,
  mainExists: fs.existsSync(require("./package.json").main),
  store,
  tools: ["npm", "npx", "corepack", "yarn", "pnpm", "tsc", "turbo"].filter(onPath),
  // Licence files at the top of each package, Markdown ones included: the Dockerfile deletes other *.md files.
  licences: store.flatMap((entry) => (fs.existsSync(packageDir(entry)) ? fs.readdirSync(packageDir(entry)) : [])).filter((name) => /^licen[cs]e/i.test(name)),
  npmrc: ["/app/.npmrc", "/root/.npmrc", "/home/node/.npmrc", "/usr/local/etc/npmrc"].filter((file) => fs.existsSync(file)),
}));
`;

interface Survey {
  uid: number;
  gid: number;
  cwd: string;
  arch: string;
  nodeEnv: string;
  entries: string[];
  main: string;
  mainExists: boolean;
  /** Entries of node_modules/.pnpm: "zod@4.6.7", "@aws-sdk+client-s3@3.1175.0", "express-rate-limit@8.7.5_express@5.3.0". */
  store: string[];
  tools: string[];
  licences: string[];
  npmrc: string[];
}

/** "@aws-sdk+client-s3@3.1175.0_peer@1" → { name: "@aws-sdk/client-s3", version: "3.1175.0" } (peers and hashes after "_"). */
function storeEntry(entry: string): { name: string; version: string } {
  const at = entry.indexOf("@", entry.startsWith("@") ? 1 : 0);
  return { name: entry.slice(0, at).replace("+", "/"), version: entry.slice(at + 1).split("_")[0]! };
}

/** "name@version" of every package in the lockfile's packages section. */
function lockedPackages(): Set<string> {
  const lockfile = readFileSync(join(repoRoot, "pnpm-lock.yaml"), "utf8");
  const section = lockfile.slice(lockfile.indexOf("\npackages:\n"), lockfile.indexOf("\nsnapshots:\n"));
  return new Set([...section.matchAll(/^ {2}'?([^\s':]+@[^\s':]+)'?:$/gm)].map((match) => match[1]!));
}

const DEV_TOOLING = ["typescript", "vitest", "vite", "turbo", "eslint", "tsx", "supertest", "testcontainers", "@folio/testkit", "@folio/tsconfig", "pnpm"];

/** Whether this is a git clone, and `revision` one of its commits. */
function git(args: string[]): boolean {
  try {
    execFileSync("git", args, { cwd: repoRoot, stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe.each(APPS)("the %s image", (app) => {
  const image = imageName(app, tag);

  it("runs as the base image's node user, by number (uid 1000), so the kubelet can check runAsNonRoot", async () => {
    const { Config } = await inspectImage(image);
    expect(Config.User).toBe("1000:1000");
  });

  it("starts Node itself as PID 1, in exec form: no shell, no package manager, not the base image's entrypoint", async () => {
    const { Config } = await inspectImage(image);
    expect(Config.Entrypoint ?? []).toEqual([]);
    expect(Config.Cmd).toEqual(["node", "."]);
    expect(Config.WorkingDir).toBe("/app");
  });

  it("carries the OCI labels: title, revision, created, source, licenses, version", async () => {
    const labels = (await inspectImage(image)).Config.Labels ?? {};
    expect(labels["org.opencontainers.image.title"]).toBe(`folio-${app}`);
    expect(labels["org.opencontainers.image.version"]).toBe(tag);
    // A commit of this repository (not necessarily HEAD: FOLIO_TEST_IMAGE_TAG may name images of an earlier one).
    const revision = labels["org.opencontainers.image.revision"] ?? "";
    if (git(["rev-parse", "--git-dir"])) {
      expect(revision).toMatch(/^[0-9a-f]{40}$/);
      expect(git(["cat-file", "-e", `${revision}^{commit}`]), `${revision} is a commit`).toBe(true);
    }
    expect(Date.parse(labels["org.opencontainers.image.created"] ?? "")).toBeGreaterThan(Date.parse("2024-01-01"));
    expect(labels).toHaveProperty(["org.opencontainers.image.source"]);
    expect(labels["org.opencontainers.image.licenses"]).toMatch(/\S/);
    expect(labels["org.opencontainers.image.description"]).toMatch(/\S/);
  });

  it(`adds at most ${BUDGET_BYTES / 1e6} MB over ${BASE_IMAGE}`, async () => {
    const [{ Size: size }, { Size: base }] = await Promise.all([inspectImage(image), inspectImage(BASE_IMAGE)]);
    expect(size - base).toBeGreaterThan(0);
    expect(size - base).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it("holds the compiled app and its production dependencies only: no sources, dev tooling, package managers or .npmrc, licences kept", async () => {
    const survey = JSON.parse(await dockerOk(["run", "--rm", "--read-only", "--cap-drop", "ALL", image, "node", "-e", SURVEY])) as Survey;
    expect(survey).toMatchObject({ uid: 1000, gid: 1000, cwd: "/app", nodeEnv: "production", mainExists: true });
    expect(survey.entries.sort()).toEqual(["dist", "node_modules", "package.json"]);
    expect(survey.store.map((entry) => storeEntry(entry).name).filter((name) => DEV_TOOLING.includes(name))).toEqual([]);
    expect(survey.tools).toEqual([]);
    expect(survey.npmrc).toEqual([]);
    expect(survey.licences.length, "licence files").toBeGreaterThan(5);
    expect(survey.licences.filter((name) => /\.md$/i.test(name)).length, "LICENSE.md files").toBeGreaterThan(0);
  });

  it("installs exactly the lockfile's versions (pnpm deploy --legacy resolves again, preferring them)", async () => {
    const survey = JSON.parse(await dockerOk(["run", "--rm", image, "node", "-e", SURVEY])) as Survey;
    const locked = lockedPackages();
    const thirdParty = survey.store.map(storeEntry).filter(({ version }) => !version.startsWith("file+"));
    expect(thirdParty.length).toBeGreaterThan(0);
    expect(thirdParty.filter(({ name, version }) => !locked.has(`${name}@${version}`))).toEqual([]);
  });

  it("sets no secret in its environment", async () => {
    const { Config } = await inspectImage(image);
    expect(Config.Env.filter((entry) => /TOKEN|SECRET|PASSWORD|_KEY=/i.test(entry))).toEqual([]);
  });
});

describe("what each app needs at run time", () => {
  it("the api image ships the SQL migrations that `node dist/migrate.js` applies", async () => {
    const files = await dockerOk(["run", "--rm", imageName("api", tag), "node", "-e", `console.log(require("node:fs").readdirSync("node_modules/@folio/db/migrations").join("\\n"))`]);
    expect(files.split("\n").filter((file) => file.endsWith(".sql")).length).toBeGreaterThan(0);
    await dockerOk(["run", "--rm", imageName("api", tag), "node", "-e", `require("node:fs").accessSync("dist/migrate.js")`]);
  });

  it("the worker image has sharp's native binary for the image's own platform, and it converts an image", async () => {
    const script = `
      const sharp = require("sharp");
      sharp({ create: { width: 64, height: 48, channels: 3, background: "#336699" } }).webp().toBuffer()
        .then((webp) => console.log(JSON.stringify({ arch: process.arch, platform: process.platform, vips: sharp.versions.vips, bytes: webp.length })));
    `;
    const result = JSON.parse(await dockerOk(["run", "--rm", "--read-only", "--tmpfs", "/tmp", imageName("worker", tag), "node", "-e", script])) as {
      arch: string;
      platform: string;
      vips: string;
      bytes: number;
    };
    expect(result.platform).toBe("linux");
    expect(result.vips).toMatch(/^\d+\.\d+/);
    expect(result.bytes).toBeGreaterThan(0);
    // Only the image's own platform: the other prebuilt binaries are optional dependencies pnpm skipped.
    const binaries = await dockerOk(["run", "--rm", imageName("worker", tag), "node", "-e", `console.log(require("node:fs").readdirSync("node_modules/.pnpm").filter((name) => name.startsWith("@img+sharp-")).join("\\n"))`]);
    const platforms = binaries.split("\n").filter(Boolean);
    expect(platforms.length).toBeGreaterThan(0);
    expect(platforms.every((name) => name.includes(`linux-${result.arch}`))).toBe(true);
  });

  it("the web image holds the built site next to its server", async () => {
    const script = `const fs = require("node:fs"); console.log(fs.existsSync("dist/client/index.html") && fs.readdirSync("dist/client/assets").some((file) => file.endsWith(".js")))`;
    expect(await dockerOk(["run", "--rm", imageName("web", tag), "node", "-e", script])).toBe("true");
  });
});
