/**
 * The docker command, as the tests use it: arguments as an array (nothing goes through a shell), output captured,
 * and a failure that says which command failed and what it printed.
 */
import { execFile } from "node:child_process";

export interface DockerResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `docker ...args` and resolves with its exit code and output, whatever the exit code. */
export function docker(args: readonly string[], { timeoutMs = 120_000 }: { timeoutMs?: number } = {}): Promise<DockerResult> {
  return new Promise((resolve, reject) => {
    execFile("docker", args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") {
        // Not an exit code: docker is missing (ENOENT) or was killed by the timeout.
        reject(new Error(`docker ${args.join(" ")}: ${error.killed ? `no answer within ${timeoutMs} ms` : error.message}`, { cause: error }));
        return;
      }
      resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
    });
  });
}

/** Runs `docker ...args` and returns its stdout, trimmed; throws with its stderr when it exits non-zero. */
export async function dockerOk(args: readonly string[], options?: { timeoutMs?: number }): Promise<string> {
  const result = await docker(args, options);
  if (result.code !== 0) throw new Error(`docker ${args.join(" ")} exited ${result.code}:\n${result.stderr || result.stdout}`);
  return result.stdout.trim();
}

/**
 * Throws unless a Docker engine answers. These tests exist to run the images, so a missing engine is a failure
 * that says how to fix it, never a skip.
 */
export async function assertDockerReachable(): Promise<void> {
  let result: DockerResult;
  try {
    result = await docker(["version", "--format", "{{.Server.Version}}"], { timeoutMs: 20_000 });
  } catch (error) {
    throw new Error(
      "The image tests need Docker, and the docker command could not run " +
        `(${(error as Error).message}). Install Docker Engine or Docker Desktop (https://docs.docker.com/engine/install/).`,
    );
  }
  if (result.code !== 0) {
    throw new Error(
      `The image tests need a running Docker engine, and none answered (${result.stderr.trim().split("\n").at(-1)}). ` +
        "Start Docker (`sudo systemctl start docker` on Linux, or open Docker Desktop) and run the tests again; " +
        "for a remote engine, set DOCKER_HOST.",
    );
  }
}

export interface ImageInfo {
  Size: number;
  Config: { User: string; Entrypoint: string[] | null; Cmd: string[] | null; Env: string[]; WorkingDir: string; Labels: Record<string, string> | null };
}

export async function inspectImage(image: string): Promise<ImageInfo> {
  return (JSON.parse(await dockerOk(["image", "inspect", image])) as ImageInfo[])[0]!;
}
