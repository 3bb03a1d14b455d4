/**
 * Expected failures are AppErrors; one middleware renders every error as RFC 9457 problem+json
 * with the request id, and never leaks a stack trace or an internal message for a 5xx.
 */
import type { ErrorRequestHandler, RequestHandler } from "express";
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

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  428: "Precondition Required",
  429: "Too Many Requests",
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
export type ErrorClassifier = (error: unknown) => AppError | undefined;

/** body-parser errors carry `type` and `status`; translate them to our vocabulary. */
export const classifyBodyParserError: ErrorClassifier = (error) => {
  if (!error || typeof error !== "object" || !("type" in error)) return undefined;
  switch ((error as { type: unknown }).type) {
    case "entity.too.large":
      return new AppError("body_too_large", 413, "The request body is larger than this endpoint accepts.", { cause: error });
    case "entity.parse.failed":
      return new AppError("invalid_json", 400, "The request body is not valid JSON.", {
        cause: error,
        errors: [{ in: "body", path: "", message: "malformed JSON" }],
      });
    case "encoding.unsupported":
    case "charset.unsupported":
      return new AppError("unsupported_encoding", 415, "The request body's encoding or charset is not supported.", { cause: error });
    default:
      return undefined;
  }
};

export interface ErrorHandlerOptions {
  logger: Logger;
  classifiers?: ErrorClassifier[];
}

export function errorHandler(options: ErrorHandlerOptions): ErrorRequestHandler {
  const classifiers = [classifyBodyParserError, ...(options.classifiers ?? [])];
  return (error, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const appError = toAppError(error, classifiers);
    const log = (req as { log?: Logger }).log ?? options.logger;
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

function toAppError(error: unknown, classifiers: ErrorClassifier[]): AppError {
  if (error instanceof AppError) return error;
  for (const classify of classifiers) {
    const classified = classify(error);
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
