/**
 * Facts about an installed release that the scripts print or check: the admin's login, the public URLs, and
 * whether Folio's images are on every node.
 */
import { $ } from "zx";
import { nodesOf, type ImageGroup } from "./images.ts";
import { Kube } from "./kube.ts";
import { nodeContainers } from "./cluster.ts";
import { HOSTS, publicUrl, type ClusterSettings } from "./settings.ts";

/** The Secret the chart keeps every credential in (charts/folio/templates/_credentials.tpl). */
export const credentialsSecret = (release: string) => `${release}-credentials`;

export const ADMIN_EMAIL = "admin@folio.localtest.me";

export async function adminPassword(settings: ClusterSettings): Promise<string> {
  const secret = await new Kube(settings.context).json<{ data: Record<string, string> }>(["get", "secret", credentialsSecret(settings.release), "-n", settings.namespace]);
  const encoded = secret.data["admin-password"];
  if (!encoded) throw new Error(`the Secret ${credentialsSecret(settings.release)} has no admin-password`);
  return Buffer.from(encoded, "base64").toString("utf8");
}

export function urls(settings: Pick<ClusterSettings, "httpPort">) {
  return {
    site: publicUrl(HOSTS.web, settings.httpPort),
    editor: `${publicUrl(HOSTS.web, settings.httpPort)}/editor`,
    api: publicUrl(HOSTS.api, settings.httpPort),
  };
}

/** Images missing from a node that needs them (by the groups' placement), with the nodes that lack each. */
export async function imagesMissingOnNodes(cluster: string, groups: ImageGroup[]): Promise<Record<string, string[]>> {
  const missing: Record<string, string[]> = {};
  const all = await nodeContainers(cluster);
  for (const node of all) {
    const listed = await $({ quiet: true, nothrow: true })`docker exec ${node} crictl images -o json`;
    if (listed.exitCode !== 0) continue; // a stopped node: nothing to say about it
    const tags = new Set((JSON.parse(listed.stdout) as { images: { repoTags?: string[] }[] }).images.flatMap((image) => image.repoTags ?? []));
    for (const group of groups) {
      if (!nodesOf(all, cluster, group.nodes).includes(node)) continue;
      for (const image of group.images) {
        const full = image.includes("/") ? `docker.io/${image}` : `docker.io/library/${image}`;
        if (!tags.has(full) && !tags.has(image)) (missing[image] ??= []).push(node);
      }
    }
  }
  return missing;
}
