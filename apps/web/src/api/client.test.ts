import { describe, expect, it, vi } from "vitest";
import { createApiClient, type ApiClientOptions } from "./client.ts";
import type { ApiError } from "./errors.ts";
import { NetworkError } from "./errors.ts";

type Answer = Response | Error;

/** A client whose fetch replays `answers` in order and records every request. */
function clientWith(answers: Answer[], options: Partial<ApiClientOptions> = {}) {
  const requests: { url: string; init: RequestInit; headers: Record<string, string> }[] = [];
  const fetch = vi.fn(async (url: string | URL | Request, init: RequestInit = {}) => {
    requests.push({ url: String(url), init, headers: { ...(init.headers as Record<string, string>) } });
    const answer = answers.shift();
    if (!answer) throw new Error("no more answers");
    if (answer instanceof Error) throw answer;
    return answer;
  });
  const sleeps: number[] = [];
  const client = createApiClient({
    baseUrl: "http://api.test",
    fetch,
    sleep: async (ms) => void sleeps.push(ms),
    getToken: () => "t0ken",
    ...options,
  });
  return { client, requests, sleeps };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": status >= 400 ? "application/problem+json" : "application/json", ...headers } });

const problem = (status: number, code: string, extra: object = {}) =>
  json(status, { type: `urn:folio:problem:${code}`, title: "x", status, detail: `detail of ${code}`, code, requestId: "req-1", ...extra });

describe("API client", () => {
  it("sends the token, a request id and JSON, and returns the body and the ETag's version", async () => {
    const { client, requests } = clientWith([json(200, { id: "a" }, { etag: '"7"' })]);
    const res = await client<{ id: string }>({ method: "PATCH", path: "/v1/articles/a", body: { title: "T" }, ifMatch: 6 });
    expect(res).toMatchObject({ data: { id: "a" }, etag: "7" });
    expect(requests[0]?.url).toBe("http://api.test/v1/articles/a");
    expect(requests[0]?.headers).toMatchObject({ authorization: "Bearer t0ken", "if-match": '"6"', "content-type": "application/json" });
    expect(requests[0]?.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(requests[0]?.init.body).toBe('{"title":"T"}');
  });

  it("a public read sends no Authorization and no custom header, so the browser needs no CORS preflight", async () => {
    const { client, requests } = clientWith([json(200, { items: [] })]);
    await client({ path: "/v1/public/articles", query: { tag: "k8s", cursor: undefined, limit: 10 }, anonymous: true });
    expect(requests[0]?.url).toBe("http://api.test/v1/public/articles?tag=k8s&limit=10");
    expect(Object.keys(requests[0]!.headers)).toEqual(["accept"]);
  });

  it("when a GET fails on the network, then it is retried and succeeds", async () => {
    const { client, requests } = clientWith([new TypeError("Failed to fetch"), json(200, { ok: true })]);
    await expect(client({ path: "/v1/articles" })).resolves.toMatchObject({ data: { ok: true } });
    expect(requests).toHaveLength(2);
    expect(requests[1]?.headers["x-request-id"]).toBe(`${requests[0]?.headers["x-request-id"]}.2`);
  });

  it("when a POST with an Idempotency-Key fails, then it is retried with the same key", async () => {
    const { client, requests } = clientWith([new TypeError("Failed to fetch"), problem(503, "database_unavailable"), json(201, { id: "n" })]);
    await client({ method: "POST", path: "/v1/articles", body: { title: "T" }, idempotencyKey: "key-1" });
    expect(requests.map((request) => request.headers["idempotency-key"])).toEqual(["key-1", "key-1", "key-1"]);
  });

  it("when a PATCH fails on the network, then it is not retried and the failure is reported with its request id", async () => {
    const { client, requests } = clientWith([new TypeError("Failed to fetch"), json(200, {})]);
    const error = await client({ method: "PATCH", path: "/v1/articles/a", body: {}, ifMatch: 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ attempts: 1, requestId: requests[0]?.headers["x-request-id"] });
    expect((error as Error).message).toBe("Could not reach the API at http://api.test.");
    expect(requests).toHaveLength(1);
  });

  it("when the API stays unavailable, then it gives up after three attempts, waiting Retry-After up to a cap", async () => {
    const unavailable = () => problem(503, "database_unavailable", {});
    const answers = [unavailable(), unavailable(), unavailable()];
    for (const answer of answers) answer.headers.set("retry-after", "30");
    const { client, requests, sleeps } = clientWith(answers);
    await expect(client({ path: "/v1/articles" })).rejects.toMatchObject({ status: 503, code: "database_unavailable", requestId: "req-1" });
    expect(requests).toHaveLength(3);
    expect(sleeps).toEqual([5_000, 5_000]);
  });

  it("turns a 412 into an ApiError that carries the current version", async () => {
    const { client } = clientWith([problem(412, "version_mismatch", { currentVersion: 4, current: { id: "a", version: 4 } })]);
    const error = (await client({ method: "PATCH", path: "/v1/articles/a", body: {}, ifMatch: 3 }).catch((caught: unknown) => caught)) as ApiError;
    expect(error).toMatchObject({ status: 412, code: "version_mismatch", message: "detail of version_mismatch" });
    expect(error.problem.current).toEqual({ id: "a", version: 4 });
  });

  it("when a proxy answers with an HTML error page, then the error still reads well", async () => {
    const { client } = clientWith([new Response("<html>Bad gateway</html>", { status: 502, statusText: "Bad Gateway", headers: { "content-type": "text/html" } })]);
    const error = await client({ method: "DELETE", path: "/v1/users/u" }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 502, code: "http_502", message: "The server answered 502 Bad Gateway." });
  });

  it("when the token is rejected (401), then the app is told so it can sign the user out", async () => {
    const onUnauthorized = vi.fn();
    const { client } = clientWith([problem(401, "unauthorized")], { onUnauthorized });
    await expect(client({ path: "/v1/articles" })).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });
});
