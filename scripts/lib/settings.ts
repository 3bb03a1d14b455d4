/**
 * Where the scripts' settings come from, in one place: command-line options first, then environment variables,
 * then the defaults below. Every script that touches the cluster reads them through `clusterSettings`.
 */
import { join } from "node:path";
import { repoRoot } from "./prerequisites.ts";

/**
 * The node image for laptops: kind's own build of Kubernetes 1.34, pinned by digest as kind's release notes ask
 * (an image built for one kind release may not start with another). `KIND_NODE_IMAGE` or `--node-image` replace it.
 */
export const DEFAULT_NODE_IMAGE = "kindest/node:v1.34.11@sha256:44e222ee2132dab25ff87301682f89eb82c7880ea3a1bf543bfe9708fd08d67d";

export interface ClusterSettings {
  /** kind's cluster name; the node containers are <name>-control-plane, <name>-worker, <name>-worker2, … */
  name: string;
  /** kubectl context kind creates for it. */
  context: string;
  nodeImage: string;
  /** Host ports that reach the ingress controller's 80 and 443. */
  httpPort: number;
  httpsPort: number;
  /** Host directory mounted at /shared in every node: the `shared` storage class keeps its volumes there. */
  sharedDir: string;
  /** Where generated files (kind config, kubeconfig excerpts) and run state go: <repo>/.folio/kind/<name>. */
  stateDir: string;
  /** Folio's namespace and Helm release. */
  namespace: string;
  release: string;
}

export interface SettingsInput {
  name?: string;
  nodeImage?: string;
  httpPort?: number;
  httpsPort?: number;
  namespace?: string;
  release?: string;
}

function envPort(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`${name} must be a port number (1-65535), not ${raw}`);
  return port;
}

export function clusterSettings(input: SettingsInput = {}, root = repoRoot()): ClusterSettings {
  const name = input.name ?? process.env.FOLIO_CLUSTER ?? "folio";
  if (!/^[a-z0-9][a-z0-9-]{0,40}$/.test(name)) throw new Error(`cluster name "${name}" must be lowercase letters, digits and hyphens (kind's rule)`);
  const stateDir = join(root, ".folio", "kind", name);
  return {
    name,
    context: `kind-${name}`,
    nodeImage: input.nodeImage ?? (process.env.KIND_NODE_IMAGE || DEFAULT_NODE_IMAGE),
    httpPort: input.httpPort ?? envPort("FOLIO_HTTP_PORT") ?? 80,
    httpsPort: input.httpsPort ?? envPort("FOLIO_HTTPS_PORT") ?? 443,
    sharedDir: join(stateDir, "shared"),
    stateDir,
    namespace: input.namespace ?? process.env.FOLIO_NAMESPACE ?? "folio",
    release: input.release ?? process.env.FOLIO_RELEASE ?? "folio",
  };
}

/** The public hosts the chart's Ingress serves (charts/folio/values.yaml, ingress.hosts). */
export const HOSTS = { web: "folio.localtest.me", api: "api.folio.localtest.me" } as const;

/** URL of a host through the ingress port, e.g. http://api.folio.localtest.me:8080 (no port when it is 80). */
export function publicUrl(host: string, httpPort: number): string {
  return httpPort === 80 ? `http://${host}` : `http://${host}:${httpPort}`;
}
