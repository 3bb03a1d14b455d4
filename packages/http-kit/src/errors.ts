/**
 * Expected failures are AppErrors; one middleware renders every error as RFC 9457 problem+json
 * with the request id, and never leaks a stack trace or an internal message for a 5xx.
 */
import type { ErrorRequestHandler, Request, RequestHandler } from "express";
import type { Logger } from "@folio/logger";

export interface FieldProblem {
  /** Where the bad value was: body, query, params, headers. */
  in: string;
  /** Dotted path inside it ("" for the whole part). */
  path: string;
  message: string;
}

export interface AppErrorOptions {
  cause?: unknown;
  errors?: FieldProblem[];
  headers?: Record<string, string>;
  /** Extra members for the problem document (e.g. the current version on a 412). */
  extra?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly errors?: FieldProblem[];
  readonly headers?: Record<string, string>;
  readonly extra?: Record<string, unknown>;

  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.errors = options.errors;
    this.headers = options.headers;
    this.extra = options.extra;
  }
}

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** Reason phrases (RFC 9110 §15), also used as problem titles. */
export const TITLES: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  428: "Precondition Required",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  requestId?: string;
  errors?: FieldProblem[];
  [extra: string]: unknown;
}

export function problemType(code: string): string {
  return `urn:folio:problem:${code}`;
}

/** Maps errors from libraries (body-parser, pg, ioredis, …) to AppErrors; return undefined for "not mine". */
export type ErrorClassifier = (error: unknown, req: Request) => AppError | undefined;

/** body-parser errors carry `type` and `status`; translate them to our vocabulary. */
export const classifyBodyParserError: ErrorClassifier = (error, req) => {
  if (!error || typeof error !== "object") return undefined;
  const encoding = String(req.headers["content-encoding"] ?? "identity").toLowerCase();
  // A body that does not decompress: body-parser passes zlib's own error on with status 400 and no `type`.
  // zlib errors, and only they among body-parser's, carry a numeric errno (Z_DATA_ERROR is -3, …).
  if (!("type" in error) && (error as { status?: unknown }).status === 400 && typeof (error as { errno?: unknown }).errno === "number" && encoding !== "identity") {
    return new AppError("invalid_content_encoding", 400, `The request body is not valid ${encoding} data, as its Content-Encoding header says it is.`, {
      cause: error,
    });
  }
  if (!("type" in error)) return undefined;
  switch ((error as { type: unknown }).type) {
    case "entity.too.large":
      return new AppError("body_too_large", 413, "The request body is larger than this endpoint accepts.", { cause: error });
    case "entity.parse.failed":
      return new AppError("invalid_json", 400, "The request body is not valid JSON.", {
        cause: error,
        errors: [{ in: "body", path: "", message: "malformed JSON" }],
      });
    case "encoding.unsupported":
      // RFC 9110 §15.5.16: a 415 for a content coding says which codings are accepted.
      return new AppError("unsupported_encoding", 415, `The Content-Encoding ${encoding} is not supported; send identity, gzip, deflate, br or zstd.`, {
        cause: error,
        headers: { "accept-encoding": "gzip, deflate, br, zstd" },
      });
    case "charset.unsupported":
      return new AppError("unsupported_encoding", 415, "The request body's charset is not supported; send UTF-8.", { cause: error });
    default:
      return undefined;
  }
};

/** Problem codes for the 4xx statuses Express, its router and body-parser set on their own errors. */
const CLIENT_ERROR_CODES: Record<number, string> = {
  400: "bad_request",
  404: "not_found",
  405: "method_not_allowed",
  408: "request_timeout",
  411: "length_required",
  413: "body_too_large",
  415: "unsupported_media_type",
  431: "headers_too_large",
};

/**
 * Any other error that carries a 4xx `status` or `statusCode` (the http-errors convention of Express, its router,
 * body-parser and raw-body) is the client's: answered with that status, never as a 500. The router's URIError
 * for a path like /v1/articles/%C0%AE is the common one.
 */
export const classifyHttpError: ErrorClassifier = (error) => {
  if (!error || typeof error !== "object") return undefined;
  const { status, statusCode, expose, message } = error as { status?: unknown; statusCode?: unknown; expose?: unknown; message?: unknown };
  const code = typeof status === "number" ? status : statusCode;
  if (typeof code !== "number" || code < 400 || code > 499) return undefined;
  if (error instanceof URIError) {
    return new AppError("invalid_path", 400, "The request path has invalid percent-encoding.", { cause: error });
  }
  // http-errors marks the messages that are safe to show with `expose`; others may describe internals.
  const detail = expose === true && typeof message === "string" && message ? `${message[0]!.toUpperCase()}${message.slice(1)}.` : `${TITLES[code] ?? "Bad Request"}.`;
  return new AppError(CLIENT_ERROR_CODES[code] ?? "client_error", code, detail, { cause: error });
};

/**
 * The client hung up before its request was complete (body-parser's "request aborted", busboy's "Unexpected end of
 * form", ECONNRESET on the request…). Whatever error that caused, there is nobody left to answer, and nothing was
 * wrong with the server: it must not be logged as an error or counted as a 5xx.
 */
function clientClosedRequest(req: Request): boolean {
  return !req.complete && (req.destroyed || req.socket?.destroyed === true);
}

/** nginx's status for "client closed request": recorded in access logs and metrics, never sent (no one is there). */
const CLIENT_CLOSED_REQUEST = 499;

export interface ErrorHandlerOptions {
  logger: Logger;
  classifiers?: ErrorClassifier[];
}

export function errorHandler(options: ErrorHandlerOptions): ErrorRequestHandler {
  // Library errors with a 4xx status are the client's before anything else: raw-body's "request aborted" carries
  // ECONNABORTED, which the dependency classifiers would otherwise take for a database outage.
  const classifiers = [classifyBodyParserError, classifyHttpError, ...(options.classifiers ?? [])];
  return (error, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const log = (req as { log?: Logger }).log ?? options.logger;
    if (clientClosedRequest(req)) {
      log.info({ err: error }, "the client closed the connection before sending the whole request");
      res.status(CLIENT_CLOSED_REQUEST).end();
      return;
    }
    const appError = toAppError(error, req, classifiers);
    if (appError.status >= 500) log.error({ err: error }, appError.message);
    const requestId = String((req as { id?: unknown }).id ?? res.getHeader("x-request-id") ?? "");
    const problem: Problem = {
      ...appError.extra,
      type: problemType(appError.code),
      title: TITLES[appError.status] ?? "Error",
      status: appError.status,
      detail: appError.message,
      code: appError.code,
      instance: req.originalUrl,
      ...(requestId ? { requestId } : {}),
      ...(appError.errors ? { errors: appError.errors } : {}),
    };
    for (const [name, value] of Object.entries(appError.headers ?? {})) res.setHeader(name, value);
    res.status(appError.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  };
}

function toAppError(error: unknown, req: Request, classifiers: ErrorClassifier[]): AppError {
  if (error instanceof AppError) return error;
  for (const classify of classifiers) {
    const classified = classify(error, req);
    if (classified) return classified;
  }
  // Unknown errors are bugs: say nothing about them to the client.
  return new AppError("internal", 500, "An unexpected error occurred. Quote the request id when reporting it.", {
    cause: error,
  });
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError("not_found", 404, `No route for ${req.method} ${req.path}.`));
};
