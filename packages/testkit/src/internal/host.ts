// What the local machine offers: free ports, executables, an unprivileged user for PostgreSQL.
import { execFileSync } from "node:child_process";
import { accessSync, constants, readdirSync, realpathSync } from "node:fs";
import { createServer } from "node:net";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("could not allocate a TCP port");
  return address.port;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/** `postgres` on PATH, else the newest /usr/lib/postgresql/N/bin (Debian keeps it off PATH); initdb beside it. */
export function findPostgresBinaries(): PostgresBinaries | undefined {
  const onPath = findOnPath("postgres");
  const candidates = onPath ? [dirname(realpathSync(onPath))] : debianPostgresBinDirs();
  for (const dir of candidates) {
    const binaries = { initdb: join(dir, "initdb"), postgres: join(dir, "postgres") };
    if (isExecutable(binaries.initdb) && isExecutable(binaries.postgres)) return binaries;
  }
  return undefined;
}

function debianPostgresBinDirs(): string[] {
  try {
    return readdirSync("/usr/lib/postgresql")
      .filter((version) => /^\d+$/.test(version))
      .sort((a, b) => Number(b) - Number(a))
      .map((version) => join("/usr/lib/postgresql", version, "bin"));
  } catch {
    return [];
  }
}

export const VERSITYGW_VERSION = "v1.8.0";

/** Where `scripts/ci/install-versitygw.sh` puts tools when FOLIO_TOOLS_DIR is not set. */
export function defaultToolsDir(): string {
  return join(homedir(), ".cache", "folio");
}

export function findVersitygw(): string | undefined {
  const candidates = [process.env.FOLIO_TOOLS_DIR, defaultToolsDir()]
    .filter((dir): dir is string => Boolean(dir))
    .map((dir) => join(dir, "bin", "versitygw"));
  return findOnPath("versitygw") ?? candidates.find(isExecutable);
}

/**
 * PostgreSQL refuses to run as root, so as root we run it as `postgres` (or `nobody` on machines without that
 * account). Undefined when not root: then it runs as we do.
 */
export function unprivilegedUser(): { name: string; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ["postgres", "nobody"]) {
    try {
      const id = (flag: string): number =>
        Number(execFileSync("id", [flag, name], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim());
      return { name, uid: id("-u"), gid: id("-g") };
    } catch {
      // no such user: try the next one
    }
  }
  throw new Error("running as root, and neither a postgres nor a nobody user exists to run PostgreSQL as");
}
