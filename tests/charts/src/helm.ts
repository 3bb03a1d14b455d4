/**
 * Runs helm and parses what it renders. helm is a prerequisite like PostgreSQL for the other tests: checkHelm()
 * says how to install it when it is missing.
 */
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { promisify } from "node:util";
import { parseDocument } from "yaml";
import { folioChart } from "./paths.js";

const exec = promisify(execFile);

/** A rendered Kubernetes object; `source` is the template it came from. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
  source: string;
}

export interface HelmResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

export async function helm(args: string[]): Promise<HelmResult> {
  try {
    const { stdout, stderr } = await exec("helm", args, { maxBuffer: 64 * 1024 * 1024 });
    return { ok: true, stdout, stderr };
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    return { ok: false, stdout: failure.stdout ?? "", stderr: failure.stderr ?? failure.message };
  }
}

export async function checkHelm(): Promise<string> {
  const result = await helm(["version", "--short"]);
  if (!result.ok) {
    throw new Error(
      "helm is needed for the chart tests and was not found on PATH. Install Helm 3.18+ or 4: " +
        "https://helm.sh/docs/intro/install/ (macOS: brew install helm; Debian/Ubuntu: see that page).",
    );
  }
  return result.stdout.trim();
}

export interface RenderOptions {
  chart?: string;
  release?: string;
  namespace?: string;
  valuesFiles?: string[];
  set?: Record<string, string | number | boolean>;
}

/** `helm template` (test hooks included) with the given values; throws with helm's message when it fails. */
export async function render(options: RenderOptions = {}): Promise<K8sObject[]> {
  const result = await helm(templateArgs(options));
  if (!result.ok) throw new Error(`helm template failed:\n${result.stderr}`);
  return parseObjects(result.stdout);
}

/** `helm template` expected to fail: resolves with helm's error output. */
export async function renderError(options: RenderOptions): Promise<string> {
  const result = await helm(templateArgs(options));
  if (result.ok) throw new Error("helm template succeeded, but it was expected to fail");
  return result.stderr;
}

function templateArgs({ chart = folioChart, release = "folio", namespace = "folio", valuesFiles = [], set = {} }: RenderOptions): string[] {
  return [
    "template",
    release,
    chart,
    "--namespace",
    namespace,
    ...valuesFiles.flatMap((file) => ["--values", file]),
    ...Object.entries(set).flatMap(([key, value]) => [typeof value === "string" ? "--set-string" : "--set", `${key}=${value}`]),
  ];
}

export function parseObjects(text: string): K8sObject[] {
  const objects: K8sObject[] = [];
  // helm separates objects with "---" and names each one's template in a "# Source:" comment.
  for (const chunk of text.split(/^---$/m)) {
    const document = parseDocument(chunk);
    if (document.errors.length) throw new Error(`helm rendered invalid YAML: ${document.errors[0]!.message}\n${chunk}`);
    const value = document.toJSON() as Omit<K8sObject, "source"> | null;
    if (!value) continue;
    objects.push({ ...value, source: /^# Source: (\S+)/m.exec(chunk)?.[1] ?? "?" } as K8sObject);
  }
  return objects;
}

/** The values files in charts/folio/ci/, which the chart tests render besides the defaults. */
export const ciValuesFiles = readdirSync(`${folioChart}/ci`)
  .filter((name) => name.endsWith(".yaml"))
  .sort()
  .map((name) => `${folioChart}/ci/${name}`);
