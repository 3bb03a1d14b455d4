/**
 * Folio's HTTP API as the suite uses it: black-box, through the cluster's ingress, by the public host names
 * (scripts/lib/http.ts resolves *.localtest.me to 127.0.0.1 without DNS). Every request can be recorded on a
 * timeline with its outcome and latency.
 */
import type { Agent } from "node:http";
import { http, createAgent, type HttpResponse } from "@folio/scripts/lib/http.ts";
import type { RequestRecord } from "./timeline.ts";

export interface ClientOptions {
  apiUrl: string;
  webUrl: string;
  token?: string;
  /** Called with every request's outcome. */
  record?: (request: RequestRecord) => void;
  agent?: Agent;
  /** Per-request timeout in milliseconds (default 15 s). */
  timeout?: number;
}

export interface ApiResponse extends HttpResponse {
  /** The problem's `code` for a problem+json answer. */
  problemCode?: string;
}

export interface Article {
  id: string;
  slug: string;
  title: string;
  body: string;
  excerpt: string;
  status: "draft" | "published" | "trashed";
  version: number;
  coverMediaId: string | null;
  tags: string[];
}

export interface Media {
  id: string;
  filename: string;
  status: "pending" | "ready" | "failed" | "deleted";
  sizeBytes: number;
  failureReason: string | null;
  variants: { name: string; url: string; bytes: number }[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;

  constructor(status: number, code: string | undefined, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export class FolioClient {
  readonly agent: Agent;
  private token?: string;
  private readonly options: ClientOptions;

  constructor(options: ClientOptions) {
    this.options = options;
    this.agent = options.agent ?? createAgent();
    this.token = options.token;
  }

  withRecorder(record: ClientOptions["record"]): FolioClient {
    return new FolioClient({ ...this.options, token: this.token, record, agent: createAgent() });
  }

  get bearer(): string | undefined {
    return this.token;
  }

  /** One request; `op` names it on the timeline. Never throws for an HTTP status; throws for no answer. */
  async request(op: string, method: string, path: string, init: { body?: string | Buffer; headers?: Record<string, string>; host?: "api" | "web"; timeout?: number } = {}): Promise<ApiResponse> {
    const base = init.host === "web" ? this.options.webUrl : this.options.apiUrl;
    const headers: Record<string, string> = { ...init.headers };
    if (this.token && init.host !== "web") headers.authorization = `Bearer ${this.token}`;
    const started = Date.now();
    try {
      const response: ApiResponse = await http(`${base}${path}`, {
        method,
        headers,
        body: init.body,
        agent: this.agent,
        timeout: init.timeout ?? this.options.timeout ?? 15_000,
      });
      if (String(response.headers["content-type"] ?? "").startsWith("application/problem+json")) {
        try {
          response.problemCode = response.json<{ code?: string }>().code;
        } catch {
          // a truncated body; the status says enough
        }
      }
      this.options.record?.({
        t: started,
        op,
        ok: response.status < 500 && response.status !== 429,
        status: response.status,
        ms: Date.now() - started,
        // Who answered: the API's problem code, or (no problem+json) the ingress controller itself.
        ...(response.status >= 500 ? { error: response.problemCode ?? `from ${String(response.headers.server ?? "the ingress")}` } : {}),
      });
      return response;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).name;
      this.options.record?.({ t: started, op, ok: false, status: 0, ms: Date.now() - started, error: code });
      throw error;
    }
  }

  /**
   * A request with a JSON body and answer; throws ApiError for any status from 300 up. A GET (safe to repeat) is
   * retried for up to 60 s while the answer says "try again" (502, 503, 504, or no answer): the checks read the
   * truth after a fault, and a replica that is still reconnecting must not fail them.
   */
  async json<T>(op: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const send = () =>
      this.request(op, method, path, {
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
      });
    const deadline = Date.now() + 60_000;
    let response = await send().catch(() => undefined);
    while (method === "GET" && (response === undefined || [502, 503, 504].includes(response.status)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      response = await send().catch(() => undefined);
    }
    if (!response) response = await send();
    if (response.status >= 300) throw new ApiError(response.status, response.problemCode, `${method} ${path} answered ${response.status} ${response.problemCode ?? ""}: ${response.text().slice(0, 300)}`);
    return response.status === 204 ? (undefined as T) : response.json<T>();
  }

  async login(email: string, password: string): Promise<string> {
    const result = await this.json<{ token: string }>("login", "POST", "/v1/auth/login", { email, password });
    this.token = result.token;
    return result.token;
  }

  getArticle(id: string): Promise<Article> {
    return this.json("verify", "GET", `/v1/articles/${id}`);
  }

  listArticles(query: { q?: string; cursor?: string | null; limit?: number }): Promise<Page<Article>> {
    const params = new URLSearchParams({ limit: String(query.limit ?? 100) });
    if (query.q) params.set("q", query.q);
    if (query.cursor) params.set("cursor", query.cursor);
    return this.json("verify", "GET", `/v1/articles?${params}`);
  }

  /** Every article whose title contains `q`, all pages. */
  async allArticles(q: string): Promise<Article[]> {
    const all: Article[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<Article> = await this.listArticles({ q, cursor });
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  }

  getRevision(id: string, version: number): Promise<{ version: number; title: string; body: string }> {
    return this.json("verify", "GET", `/v1/articles/${id}/revisions/${version}`);
  }

  getMedia(id: string): Promise<Media> {
    return this.json("verify", "GET", `/v1/media/${id}`);
  }

  /** Every media item, all pages (the list has no filter by name). */
  async allMedia(): Promise<Media[]> {
    const all: Media[] = [];
    let cursor: string | null = null;
    do {
      const params: URLSearchParams = new URLSearchParams({ limit: "100", ...(cursor ? { cursor } : {}) });
      const page: Page<Media> = await this.json("verify", "GET", `/v1/media?${params}`);
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  }

  async mediaContent(id: string, variant: string): Promise<Buffer> {
    const response = await this.request("verify", "GET", `/v1/media/${id}/content/${variant}`, { timeout: 30_000 });
    if (response.status !== 200) throw new ApiError(response.status, response.problemCode, `media ${id}/${variant} answered ${response.status}`);
    return response.body;
  }
}

/** A multipart/form-data body with one file part, as a browser sends it. */
export function multipartFile(filename: string, contentType: string, bytes: Buffer): { body: Buffer; contentType: string } {
  const boundary = `----folio-e2e-${Math.random().toString(16).slice(2)}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { body: Buffer.concat([head, bytes, tail]), contentType: `multipart/form-data; boundary=${boundary}` };
}
