/**
 * What can go wrong talking to the API, in a form the UI can show: the API's problem+json (RFC 9457, with
 * Folio's `code`, `detail`, `errors[]` and `requestId`), or no answer at all.
 */

export interface FieldProblem {
  in: string;
  path: string;
  message: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail: string;
  code: string;
  requestId?: string;
  errors?: FieldProblem[];
  /** Problem-specific members, such as `current` and `currentVersion` on a 412. */
  [extra: string]: unknown;
}

/** The API answered with an error status. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;
  readonly fieldProblems: FieldProblem[];

  constructor(readonly problem: Problem) {
    super(problem.detail);
    this.status = problem.status;
    this.code = problem.code;
    this.requestId = problem.requestId;
    this.fieldProblems = problem.errors ?? [];
  }
}

/** No answer: the network failed or timed out, after `attempts` tries. The request may or may not have arrived. */
export class NetworkError extends Error {
  override readonly name = "NetworkError";

  constructor(
    readonly url: string,
    readonly attempts: number,
    /** The X-Request-Id the last attempt carried, in case it reached the API and was logged. */
    readonly requestId: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(`Could not reach the API at ${new URL(url).origin}${attempts > 1 ? ` (tried ${attempts} times)` : ""}.`, options);
  }
}

/** Builds a Problem from any error response, including an HTML error page from a proxy. */
export async function readProblem(response: Response): Promise<Problem> {
  const requestId = response.headers.get("x-request-id") ?? undefined;
  const type = response.headers.get("content-type") ?? "";
  if (type.includes("json")) {
    try {
      const body = (await response.json()) as Partial<Problem>;
      if (typeof body.code === "string" && typeof body.detail === "string") {
        return { ...body, status: response.status, code: body.code, detail: body.detail, requestId: body.requestId ?? requestId };
      }
    } catch {
      // Not JSON after all: described below.
    }
  }
  return {
    status: response.status,
    code: `http_${response.status}`,
    detail: `The server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ""}.`,
    requestId,
  };
}

export function isApiError(error: unknown, status?: number): error is ApiError {
  return error instanceof ApiError && (status === undefined || error.status === status);
}
