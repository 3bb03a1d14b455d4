/**
 * Containers on a Docker network of their own, named and labelled after one test run, so that everything a run
 * created is found again and removed, even after a failure. Leftovers of a killed run:
 *   docker rm -f -v $(docker ps -aq --filter label=folio.image-tests)
 *   docker network prune --filter label=folio.image-tests
 */
import { randomBytes } from "node:crypto";
import { docker, dockerOk } from "./docker.js";

/** The label every container, network and helper image of these tests carries; its value is the run id. */
export const RUN_LABEL = "folio.image-tests";

/**
 * What the chart's securityContext asks of every Folio container (charts/folio/templates/_pod.tpl), in `docker
 * run` terms: read-only root filesystem with a writable /tmp, no capabilities, no privilege escalation. The
 * user is not set here: it must come from the image.
 */
export const RESTRICTED = ["--read-only", "--tmpfs", "/tmp", "--cap-drop", "ALL", "--security-opt", "no-new-privileges"];

export interface ContainerSpec {
  /** Short name, also the container's DNS name on the network: "api" becomes folio-images-<run>-api. */
  name: string;
  image: string;
  env?: Record<string, string>;
  /** Container ports to publish on 127.0.0.1 (on a free host port). */
  ports?: number[];
  /** RESTRICTED, or other `docker run` options. */
  options?: string[];
  /** Replaces the image's CMD. */
  command?: string[];
}

export class Container {
  constructor(
    /** The short name given in the spec. */
    readonly name: string,
    /** Docker's name for it (and its host name on the network). */
    readonly ref: string,
  ) {}

  /** http://127.0.0.1:<host port> for a published container port. */
  async url(port: number): Promise<string> {
    const published = (await dockerOk(["port", this.ref, `${port}/tcp`])).split("\n")[0]!;
    return `http://${published.replace(/^0\.0\.0\.0:/, "127.0.0.1:")}`;
  }

  /** `docker exec`, as the image's user. */
  exec(command: string[]) {
    return docker(["exec", this.ref, ...command]);
  }

  async state(): Promise<{ Status: string; ExitCode: number; OOMKilled: boolean }> {
    return JSON.parse(await dockerOk(["inspect", "--format", "{{json .State}}", this.ref])) as { Status: string; ExitCode: number; OOMKilled: boolean };
  }
}

export class Stack {
  readonly runId = randomBytes(3).toString("hex");
  readonly network = `folio-images-${this.runId}`;
  private readonly containers: Container[] = [];
  private readonly images: string[] = [];
  private networkCreated = false;

  async createNetwork(): Promise<void> {
    await dockerOk(["network", "create", "--label", `${RUN_LABEL}=${this.runId}`, this.network]);
    this.networkCreated = true;
  }

  /** The container's name on the network, which is also its host name there. */
  host(name: string): string {
    return `${this.network}-${name}`;
  }

  /** Starts a container in the background. */
  async start(spec: ContainerSpec): Promise<Container> {
    const container = new Container(spec.name, this.host(spec.name));
    this.containers.push(container);
    await dockerOk(["run", "--detach", ...this.runOptions(spec), spec.image, ...(spec.command ?? [])]);
    return container;
  }

  /** Runs a container until it exits, as a Job runs its pod; the container is kept for its logs. */
  async runToCompletion(spec: ContainerSpec, timeoutMs = 120_000) {
    const container = new Container(spec.name, this.host(spec.name));
    this.containers.push(container);
    return docker(["run", ...this.runOptions(spec), spec.image, ...(spec.command ?? [])], { timeoutMs });
  }

  /** Builds a helper image from a directory (removed with the stack). */
  async buildImage(name: string, dir: string): Promise<string> {
    const image = `folio-image-tests/${name}:${this.runId}`;
    this.images.push(image);
    await dockerOk(["build", "--quiet", "--label", `${RUN_LABEL}=${this.runId}`, "--tag", image, dir], { timeoutMs: 300_000 });
    return image;
  }

  /** The last lines of every container's output, for a failed test. */
  async logs(lines = 150): Promise<string> {
    const parts: string[] = [];
    for (const container of this.containers) {
      const result = await docker(["logs", "--tail", String(lines), container.ref]).catch((error: Error) => ({ stdout: "", stderr: error.message }));
      parts.push(`----- ${container.name} (last ${lines} lines) -----\n${result.stdout}${result.stderr}`);
    }
    return parts.join("\n");
  }

  /** Removes every container (with its anonymous volumes), the network and the helper images. Never throws. */
  async dispose(): Promise<void> {
    const names = this.containers.map((container) => container.ref);
    if (names.length > 0) await docker(["rm", "--force", "--volumes", ...names]).catch(() => undefined);
    if (this.networkCreated) await docker(["network", "rm", this.network]).catch(() => undefined);
    if (this.images.length > 0) await docker(["image", "rm", "--force", ...this.images]).catch(() => undefined);
  }

  private runOptions(spec: ContainerSpec): string[] {
    return [
      "--name",
      this.host(spec.name),
      "--network",
      this.network,
      "--label",
      `${RUN_LABEL}=${this.runId}`,
      ...Object.entries(spec.env ?? {}).flatMap(([key, value]) => ["--env", `${key}=${value}`]),
      ...(spec.ports ?? []).flatMap((port) => ["--publish", `127.0.0.1::${port}`]),
      ...(spec.options ?? []),
    ];
  }
}
