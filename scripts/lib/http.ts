/**
 * HTTP to the cluster's ingress by its public host names (folio.localtest.me, api.folio.localtest.me).
 *
 * *.localtest.me is public DNS that answers 127.0.0.1 for every name, which is what makes the URLs work in a
 * laptop's browser without editing /etc/hosts. Scripts and tests should not depend on a DNS server being
 * reachable (an offline workshop room, a sealed CI machine), so this client resolves *.localtest.me and
 * localhost to 127.0.0.1 itself and sends the real host name in the Host header, exactly as a browser would.
 * fetch() cannot do that (it ignores a Host header), hence node:http.
 */
import { request as httpRequest, Agent, type IncomingHttpHeaders } from "node:http";
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";

/** True for names that mean this machine: *.localtest.me and localhost. */
export function isLocalName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, "");
  return name === "localhost" || name === "localtest.me" || name.endsWith(".localtest.me");
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A dns.lookup that answers 127.0.0.1 for local names without asking DNS, and asks DNS for the rest. */
export function localLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  if (isLocalName(hostname)) {
    if (options.all) callback(null, [{ address: "127.0.0.1", family: 4 }]);
    else callback(null, "127.0.0.1", 4);
    return;
  }
  dnsLookup(hostname, options, callback as never);
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text(): string;
  json<T = unknown>(): T;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Milliseconds for the whole exchange; the request is aborted after it. Default 10 s. */
  timeout?: number;
  agent?: Agent;
  signal?: AbortSignal;
}

/** An agent with keep-alive and the local resolver; one per load generator keeps connection reuse realistic. */
export function createAgent(options: { maxSockets?: number } = {}): Agent {
  return new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 16, lookup: localLookup as never });
}

const defaultAgent = createAgent();

export function http(url: string, options: HttpOptions = {}): Promise<HttpResponse> {
  const target = new URL(url);
  if (target.protocol !== "http:") return Promise.reject(new Error(`only http:// URLs are supported here, not ${url}`));
  const timeout = options.timeout ?? 10_000;
  const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(timeout)]) : AbortSignal.timeout(timeout);
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body);
    const req = httpRequest(
      target,
      {
        method: options.method ?? "GET",
        agent: options.agent ?? defaultAgent,
        headers: { ...options.headers, ...(body ? { "content-length": String(body.length) } : {}) },
        signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const buffer = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: buffer,
            text: () => buffer.toString("utf8"),
            json: <T>() => JSON.parse(buffer.toString("utf8")) as T,
          });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
