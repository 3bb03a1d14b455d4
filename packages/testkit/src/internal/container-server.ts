// A server in a container, through testcontainers: the fallback when neither the environment nor the local
// machine provides one. testcontainers' Ryuk sidecar removes the containers if the test process dies.
import type { ContainerRuntimeClient } from "testcontainers";
import type { ServerHandle } from "../types.js";
import { waitFor } from "../wait-for.js";
import { freePort } from "./host.js";

type Container = ReturnType<ContainerRuntimeClient["container"]["getById"]>;

export interface ContainerSpec {
  /** For messages: "PostgreSQL". */
  name: string;
  image: string;
  /** The port the server listens on inside the container. */
  port: number;
  environment?: Record<string, string>;
  command?: string[];
  /** One readiness probe against the published port: resolves when the server answers, throws otherwise. */
  ready(host: string, port: number): Promise<void>;
}

/** Whether a container runtime answers. FOLIO_TEST_CONTAINERS=0 turns the container fallback off. */
export async function containersAvailable(): Promise<boolean> {
  if (process.env.FOLIO_TEST_CONTAINERS === "0") return false;
  try {
    const { getContainerRuntimeClient } = await import("testcontainers");
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

export class ContainerServer implements ServerHandle {
  readonly source = "container" as const;
  readonly controllable = true;
  readonly host: string;
  readonly port: number;
  #spec: ContainerSpec;
  #container: Container;
  #running = true;
  #disposed = false;

  private constructor(spec: ContainerSpec, host: string, port: number, container: Container) {
    this.#spec = spec;
    this.host = host;
    this.port = port;
    this.#container = container;
  }

  static async start(spec: ContainerSpec): Promise<ContainerServer> {
    const { GenericContainer, getContainerRuntimeClient } = await import("testcontainers");
    // A fixed host port, because Docker may publish a restarted container on a different random one.
    const hostPort = await freePort();
    const started = await new GenericContainer(spec.image)
      .withExposedPorts({ container: spec.port, host: hostPort })
      .withEnvironment(spec.environment ?? {})
      .withCommand(spec.command ?? [])
      .withStartupTimeout(120_000)
      .start();
    const client = await getContainerRuntimeClient();
    const server = new ContainerServer(spec, started.getHost(), hostPort, client.container.getById(started.getId()));
    await server.#waitUntilReady();
    return server;
  }

  get running(): boolean {
    return this.#running;
  }

  async start(): Promise<void> {
    if (this.#disposed) throw new Error(`this ${this.#spec.name} container was disposed; start a new one`);
    if (this.#running) return;
    await this.#container.start();
    this.#running = true;
    await this.#waitUntilReady();
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    await this.#container.stop({ t: 30 });
    this.#running = false;
  }

  async kill(): Promise<void> {
    if (!this.#running) return;
    await this.#container.kill({ signal: "SIGKILL" });
    await this.#container.wait();
    this.#running = false;
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#running = false;
    await this.#container.remove({ force: true, v: true });
  }

  async #waitUntilReady(): Promise<void> {
    await waitFor(async () => (await this.#spec.ready(this.host, this.port), true), {
      timeoutMs: 60_000,
      description: `${this.#spec.name} in container ${this.#spec.image} to accept connections`,
    });
  }
}
