/**
 * Image upload with progress. fetch() cannot report upload progress, XMLHttpRequest can
 * (https://developer.mozilla.org/docs/Web/API/XMLHttpRequest/upload). The request carries an Idempotency-Key,
 * so after a network failure it is sent again with the same key: if the first one arrived, the API answers with
 * its stored response instead of storing the file twice.
 */
import { backoff } from "./client.ts";
import { ApiError, NetworkError, type Problem } from "./errors.ts";
import { api } from "./folio.ts";
import { randomId } from "./ids.ts";
import type { Media } from "./types.ts";
import { runtimeConfig } from "../runtime-config.ts";
import { clearSession, getSession } from "../session.ts";

export interface UploadOptions {
  /** Called with the fraction sent, 0 to 1. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
  attempts?: number;
}

export async function uploadMedia(file: File, options: UploadOptions = {}): Promise<Media> {
  const url = `${runtimeConfig().apiUrl}/v1/media`;
  const idempotencyKey = randomId();
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    const requestId = `${idempotencyKey}.${attempt}`;
    const outcome = await send(url, file, idempotencyKey, requestId, options);
    if (outcome.kind === "done") return outcome.media;
    const retryable = outcome.kind === "network" || [502, 503, 504].includes(outcome.problem.status);
    if (!retryable || attempt >= attempts || options.signal?.aborted) {
      if (outcome.kind === "network") throw new NetworkError(url, attempt, requestId);
      if (outcome.problem.status === 401) clearSession();
      throw new ApiError(outcome.problem);
    }
    await new Promise((resolve) => setTimeout(resolve, backoff({ attempts, baseDelayMs: 500, maxDelayMs: 5_000 }, attempt)));
  }
}

type Outcome = { kind: "done"; media: Media } | { kind: "network" } | { kind: "problem"; problem: Problem };

function send(url: string, file: File, idempotencyKey: string, requestId: string, options: UploadOptions): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.responseType = "json";
    const token = getSession()?.token;
    if (token) xhr.setRequestHeader("authorization", `Bearer ${token}`);
    xhr.setRequestHeader("idempotency-key", idempotencyKey);
    xhr.setRequestHeader("x-request-id", requestId);
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) options.onProgress?.(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300 && xhr.response) {
        options.onProgress?.(1);
        resolve({ kind: "done", media: xhr.response as Media });
        return;
      }
      const body = xhr.response as Partial<Problem> | null;
      const problem: Problem =
        body && typeof body.code === "string" && typeof body.detail === "string"
          ? { ...body, status: xhr.status, code: body.code, detail: body.detail, requestId: body.requestId ?? requestId }
          : { status: xhr.status, code: `http_${xhr.status}`, detail: `The server answered ${xhr.status}.`, requestId };
      resolve({ kind: "problem", problem });
    });
    xhr.addEventListener("error", () => resolve({ kind: "network" }));
    xhr.addEventListener("timeout", () => resolve({ kind: "network" }));
    xhr.addEventListener("abort", () => reject(new DOMException("The upload was cancelled.", "AbortError")));
    options.signal?.addEventListener("abort", () => xhr.abort(), { once: true });

    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}

/**
 * Polls a media item until the worker has made its variants (or failed), with a growing pause.
 * Resolves with the last state seen when `timeoutMs` passes, still pending: the caller says so.
 */
export async function waitUntilProcessed(id: string, options: { signal?: AbortSignal; timeoutMs?: number; onUpdate?: (media: Media) => void } = {}): Promise<Media> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let pause = 500;
  for (;;) {
    const media = (await api()<Media>({ path: `/v1/media/${id}`, signal: options.signal })).data;
    options.onUpdate?.(media);
    if (media.status !== "pending" || Date.now() + pause > deadline) return media;
    await new Promise((resolve) => setTimeout(resolve, pause));
    if (options.signal?.aborted) throw options.signal.reason;
    pause = Math.min(pause * 1.5, 3_000);
  }
}
