/**
 * A small fetch wrapper for the Folio API: JSON in and out, the bearer token, If-Match and Idempotency-Key
 * headers, problem+json errors, and retries where a retry cannot do harm:
 *  - GET requests, which change nothing;
 *  - POST requests that carry an Idempotency-Key: the API stores the first outcome with the change and replays
 *    it for a retry with the same key, so a retry never creates a second article or upload
 *    (apps/api/README.md, "Idempotency").
 * Other writes (PATCH, status changes, DELETE, login) are tried once and their failure is reported: the user
 * decides. They are guarded by If-Match anyway, so repeating one by hand is safe too.
 * Retried failures: no answer (network error or timeout) and 502/503/504. A 503 carries Retry-After, which is
 * honoured up to a cap so the page does not hang.
 */
import { ApiError, NetworkError, readProblem } from "./errors.ts";
import { randomId } from "./ids.ts";

export type Method = "GET" | "POST" | "PATCH" | "DELETE";

export interface ApiRequest {
  method?: Method;
  /** Path on the API, such as "/v1/articles". */
  path: string;
  query?: Record<string, string | number | undefined | null>;
  /** Sent as JSON. */
  body?: unknown;
  /** The version the change is based on, sent as If-Match: "<version>". */
  ifMatch?: number;
  /** Makes a POST safe to retry. Keep the same key for every retry of one logical request. */
  idempotencyKey?: string;
  signal?: AbortSignal;
  /**
   * A public read: sent without Authorization and X-Request-Id, which makes it a "simple" cross-origin request
   * that needs no CORS preflight, one round trip less on every public page
   * (https://developer.mozilla.org/docs/Web/HTTP/Guides/CORS#simple_requests).
   */
  anonymous?: boolean;
}

export interface ApiResponse<T> {
  data: T;
  status: number;
  /** The ETag header without quotes, for articles their version. */
  etag: string | undefined;
}

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface ApiClientOptions {
  baseUrl: string;
  getToken?: () => string | undefined;
  /** Called when the API rejects the token (401), so the app can drop the session. */
  onUnauthorized?: () => void;
  fetch?: typeof fetch;
  retry?: Partial<RetryPolicy>;
  /** Per attempt. */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export type ApiClient = <T>(request: ApiRequest) => Promise<ApiResponse<T>>;

const RETRY_STATUSES = new Set([502, 503, 504]);
const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 300, maxDelayMs: 5_000 };

export function createApiClient(options: ApiClientOptions): ApiClient {
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const timeoutMs = options.timeoutMs ?? 20_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));

  return async function request<T>(req: ApiRequest): Promise<ApiResponse<T>> {
    const method = req.method ?? "GET";
    const url = buildUrl(options.baseUrl, req.path, req.query);
    const canRetry = method === "GET" || (method === "POST" && req.idempotencyKey !== undefined);
    const attempts = canRetry ? retry.attempts : 1;
    const requestId = req.anonymous ? undefined : randomId();
    const token = req.anonymous ? undefined : options.getToken?.();

    for (let attempt = 1; ; attempt++) {
      // One id per attempt, related by prefix, so the API's logs show each try.
      const attemptId = requestId && (attempt === 1 ? requestId : `${requestId}.${attempt}`);
      const headers: Record<string, string> = { accept: "application/json" };
      if (attemptId) headers["x-request-id"] = attemptId;
      if (token) headers.authorization = `Bearer ${token}`;
      if (req.body !== undefined) headers["content-type"] = "application/json";
      if (req.ifMatch !== undefined) headers["if-match"] = `"${req.ifMatch}"`;
      if (req.idempotencyKey !== undefined) headers["idempotency-key"] = req.idempotencyKey;

      const timeout = AbortSignal.timeout(timeoutMs);
      let response: Response;
      try {
        response = await doFetch(url, {
          method,
          headers,
          body: req.body === undefined ? undefined : JSON.stringify(req.body),
          signal: req.signal ? AbortSignal.any([req.signal, timeout]) : timeout,
        });
      } catch (error) {
        if (req.signal?.aborted) throw error; // the caller gave up; not a failure to report
        if (attempt < attempts) {
          await sleep(backoff(retry, attempt));
          continue;
        }
        throw new NetworkError(url, attempt, attemptId, { cause: error });
      }

      if (response.ok) {
        const data = response.status === 204 ? undefined : await response.json();
        return { data: data as T, status: response.status, etag: response.headers.get("etag")?.replace(/"/g, "") };
      }
      if (attempt < attempts && RETRY_STATUSES.has(response.status)) {
        await response.body?.cancel();
        await sleep(retryAfterMs(response, retry) ?? backoff(retry, attempt));
        continue;
      }
      const problem = await readProblem(response);
      if (response.status === 401 && token) options.onUnauthorized?.();
      throw new ApiError({ ...problem, requestId: problem.requestId ?? attemptId });
    }
  };
}

function buildUrl(baseUrl: string, path: string, query: ApiRequest["query"]): string {
  // Concatenated rather than resolved, so an API_URL with a path prefix (https://example.com/api) keeps it.
  const url = new URL(`${baseUrl}${path}`);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, String(value));
  }
  return url.toString();
}

/**
 * Exponential back-off with jitter, so clients that failed together do not retry together
 * (https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/).
 */
export function backoff(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

function retryAfterMs(response: Response, policy: RetryPolicy): number | undefined {
  const seconds = Number(response.headers.get("retry-after"));
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, policy.maxDelayMs) : undefined;
}
