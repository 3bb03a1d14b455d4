import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ContainerServer } from "./internal/container-server.js";
import { ExternalServer, checkExternal } from "./internal/external.js";
import { VERSITYGW_VERSION, findVersitygw, freePort } from "./internal/host.js";
import { LocalServer, makeTempDir, removeTempDir } from "./internal/local-server.js";
import { resolveServer, withDetails } from "./internal/resolve.js";
import type { S3Options, S3Server } from "./types.js";

const ENVIRONMENT = ["FOLIO_TEST_S3_ENDPOINT", "FOLIO_TEST_S3_ACCESS_KEY_ID", "FOLIO_TEST_S3_SECRET_ACCESS_KEY"];

/**
 * An S3 server for tests: the one in FOLIO_TEST_S3_*, else a throwaway versitygw over a temp dir (its POSIX
 * backend: buckets are directories, objects are files), else a versity/versitygw container
 * (FOLIO_TEST_S3_IMAGE overrides the image). Servers started here get random keys.
 */
export async function startS3(options: S3Options = {}): Promise<S3Server> {
  const region = options.region ?? process.env.FOLIO_TEST_S3_REGION ?? "us-east-1";
  return resolveServer<S3Server>(
    {
      service: "S3",
      binaries: "versitygw (on PATH, in $FOLIO_TOOLS_DIR/bin or in ~/.cache/folio/bin)",
      fixes: [
        `install versitygw with \`bash scripts/ci/install-versitygw.sh\` (needs Go; it runs \`go install ` +
          `github.com/versity/versitygw/cmd/versitygw@${VERSITYGW_VERSION}\` into ~/.cache/folio/bin)`,
        "set FOLIO_TEST_S3_ENDPOINT, FOLIO_TEST_S3_ACCESS_KEY_ID and FOLIO_TEST_S3_SECRET_ACCESS_KEY",
      ],
      environment: () => {
        const [endpoint, accessKeyId, secretAccessKey] = ENVIRONMENT.map((name) => process.env[name]);
        if (!endpoint) return undefined;
        if (!accessKeyId || !secretAccessKey) {
          const unset = ENVIRONMENT.filter((name) => !process.env[name]).join(" and ");
          throw new Error(`FOLIO_TEST_S3_ENDPOINT is set but ${unset} is not: set all three`);
        }
        return () => useExternal({ endpoint, region, accessKeyId, secretAccessKey });
      },
      local: () => {
        const command = findVersitygw();
        return command ? () => startLocal(command, region) : undefined;
      },
      container: () => startContainer(region),
    },
    options.allowExternal ?? true,
  );
}

interface Connection {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

async function useExternal(connection: Connection): Promise<S3Server> {
  // Any HTTP answer will do (an unsigned request earns a 403): it shows that something listens.
  await checkExternal("FOLIO_TEST_S3_ENDPOINT", async () => void (await fetch(connection.endpoint)).body?.cancel());
  return withDetails(new ExternalServer("FOLIO_TEST_S3_ENDPOINT"), connection);
}

function randomKeys(): { accessKeyId: string; secretAccessKey: string } {
  return {
    accessKeyId: `FOLIO${randomBytes(10).toString("hex").toUpperCase().slice(0, 15)}`,
    secretAccessKey: randomBytes(30).toString("base64url"),
  };
}

const HEALTH_PATH = "/health";

async function probe(endpoint: string): Promise<void> {
  const response = await fetch(`${endpoint}${HEALTH_PATH}`);
  await response.body?.cancel();
  if (!response.ok) throw new Error(`GET ${HEALTH_PATH} answered ${response.status}`);
}

async function startLocal(command: string, region: string): Promise<S3Server> {
  const dir = makeTempDir("s3");
  try {
    const keys = randomKeys();
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const root = join(dir, "buckets");
    mkdirSync(root);
    const server = new LocalServer({
      name: "S3 (versitygw)",
      dir,
      command,
      args: ["--port", `127.0.0.1:${port}`, "--region", region, "--health", HEALTH_PATH, "--keep-alive", "posix", root],
      // Keys by environment rather than argument, so that they do not show in `ps`.
      env: { ...process.env, ROOT_ACCESS_KEY: keys.accessKeyId, ROOT_SECRET_KEY: keys.secretAccessKey },
      stopSignal: "SIGTERM",
      ready: () => probe(endpoint),
    });
    await server.start();
    return withDetails(server, { endpoint, region, ...keys });
  } catch (error) {
    removeTempDir(dir);
    throw error;
  }
}

async function startContainer(region: string): Promise<S3Server> {
  const keys = randomKeys();
  const server = await ContainerServer.start({
    name: "S3 (versitygw)",
    image: process.env.FOLIO_TEST_S3_IMAGE ?? `versity/versitygw:${VERSITYGW_VERSION}`,
    port: 7070,
    // The image's entrypoint is the versitygw binary, which reads its global options from these variables.
    environment: {
      ROOT_ACCESS_KEY: keys.accessKeyId,
      ROOT_SECRET_KEY: keys.secretAccessKey,
      VGW_PORT: ":7070",
      VGW_REGION: region,
      VGW_HEALTH: HEALTH_PATH,
    },
    command: ["--keep-alive", "posix", "/tmp/vgw"],
    ready: (host, port) => probe(`http://${host}:${port}`),
  });
  return withDetails(server, { endpoint: `http://${server.host}:${server.port}`, region, ...keys });
}
