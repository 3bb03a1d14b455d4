/**
 * A TCP proxy for network faults at exact moments. Put it between a client and a real server, then:
 * - cut() every connection, as a server that dies does;
 * - refuse() new connections (the listening socket is closed, so clients get ECONNREFUSED, as from a stopped
 *   server) and accept() them again on the same port;
 * - hold() what one side sends from the first chunk that contains a given text until release(), to stop a
 *   conversation between two known steps (after the server answered the client's handshake, before it sees the
 *   next command, say) where a real fault would only land by luck.
 * The bytes are never changed; only when and whether they arrive.
 */
import { once } from "node:events";
import { connect, createServer, type Server, type Socket } from "node:net";

export type Direction = "to-server" | "to-client";

export interface Hold {
  /** Resolves once a matching chunk has been held back. */
  readonly held: Promise<void>;
  /** Lets the held bytes, and whatever followed them, through; later traffic flows again. */
  release(): void;
}

interface Rule {
  direction: Direction;
  text: string;
  lanes: Lane[];
  released: boolean;
  onHeld: () => void;
}

/** One direction of one connection: writes to `to` as they come, or queues them while held. */
class Lane {
  readonly #to: Socket;
  #queue: Buffer[] = [];
  #holding = false;
  #ended = false;

  constructor(to: Socket) {
    this.#to = to;
  }

  hold(): void {
    this.#holding = true;
  }

  write(chunk: Buffer): void {
    if (this.#holding) this.#queue.push(chunk);
    else if (!this.#to.destroyed) this.#to.write(chunk);
  }

  /** The sending side finished; the end is passed on after anything held. */
  end(): void {
    this.#ended = true;
    if (!this.#holding) this.#to.end();
  }

  release(): void {
    this.#holding = false;
    for (const chunk of this.#queue) if (!this.#to.destroyed) this.#to.write(chunk);
    this.#queue = [];
    if (this.#ended) this.#to.end();
  }
}

export class TcpProxy {
  readonly #target: { host: string; port: number };
  #server: Server | undefined;
  #port = 0;
  /** Both halves of every proxied connection. */
  readonly #sockets = new Set<Socket>();
  readonly #rules: Rule[] = [];

  private constructor(target: { host: string; port: number }) {
    this.#target = target;
  }

  /** Listens on a free port of 127.0.0.1 and forwards every connection to `target`. */
  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await proxy.accept();
    return proxy;
  }

  /** For a server URL (redis://, postgres://): the URL through the proxy. */
  static async forUrl(url: string): Promise<TcpProxy> {
    const { hostname, port } = new URL(url);
    return TcpProxy.start({ host: hostname, port: Number(port) });
  }

  get port(): number {
    return this.#port;
  }

  /** `url` with its host and port replaced by the proxy's. */
  urlFor(url: string): string {
    const proxied = new URL(url);
    proxied.hostname = "127.0.0.1";
    proxied.port = String(this.#port);
    return proxied.toString().replace(/\/$/, "");
  }

  /** Closes every open connection (both halves), as a server that dies does. */
  cut(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  /** Stops listening and cuts every connection: clients now get ECONNREFUSED, as from a stopped server. */
  async refuse(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server) {
      const closed = once(server, "close");
      server.close();
      this.cut();
      await closed;
    }
  }

  /** Listens (again) on the proxy's port; the first call picks a free one. */
  async accept(): Promise<void> {
    if (this.#server) return;
    const server = createServer({ allowHalfOpen: true }, (client) => this.#connect(client));
    server.listen(this.#port, "127.0.0.1");
    await once(server, "listening");
    this.#port = (server.address() as { port: number }).port;
    this.#server = server;
  }

  /**
   * Holds back, on every connection, the first chunk sent in `direction` that contains `text` (compared without
   * case), and everything sent that way after it, until release().
   */
  hold(direction: Direction, text: string): Hold {
    let onHeld!: () => void;
    const held = new Promise<void>((resolve) => (onHeld = resolve));
    const rule: Rule = { direction, text: text.toLowerCase(), lanes: [], released: false, onHeld };
    this.#rules.push(rule);
    return {
      held,
      release: () => {
        rule.released = true;
        this.#rules.splice(this.#rules.indexOf(rule), 1);
        for (const lane of rule.lanes) lane.release();
      },
    };
  }

  async close(): Promise<void> {
    for (const rule of [...this.#rules]) rule.released = true;
    await this.refuse();
  }

  #connect(client: Socket): void {
    const upstream = connect({ host: this.#target.host, port: this.#target.port, allowHalfOpen: true });
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.on("error", () => {}); // a reset is one of the faults; the other side is closed below
      socket.on("close", () => this.#sockets.delete(socket));
    }
    const toServer = new Lane(upstream);
    const toClient = new Lane(client);
    const forward = (direction: Direction, lane: Lane) => (chunk: Buffer) => {
      const text = chunk.toString("latin1").toLowerCase();
      for (const rule of this.#rules) {
        if (rule.direction === direction && !rule.released && !rule.lanes.includes(lane) && text.includes(rule.text)) {
          lane.hold();
          rule.lanes.push(lane);
          rule.onHeld();
        }
      }
      lane.write(chunk);
    };
    client.on("data", forward("to-server", toServer));
    upstream.on("data", forward("to-client", toClient));
    client.on("end", () => toServer.end());
    upstream.on("end", () => toClient.end());
    // A connection that failed or was reset takes its other half with it; a clean end was passed on above.
    client.on("close", () => upstream.destroy());
    upstream.on("close", (hadError) => {
      if (hadError) client.destroy();
    });
  }
}
