/**
 * Routes are declared once, as data: method, path, zod schemas for params/query/headers/body, the services the
 * handler needs and the responses. The same declaration validates requests at run time and generates the
 * OpenAPI document (openapi.ts), so the two cannot drift apart.
 */
import express, { type IRouter, type Request, type RequestHandler, type Response } from "express";
import type { z } from "zod";
import { AppError, type FieldProblem } from "./errors.js";
import { findUnstorableText } from "./text.js";

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

export interface ResponseSpec {
  description: string;
  /** The body; for a status of 400 or more, a problem schema (default: the plain Problem, see openapi.ts). */
  schema?: z.ZodType;
  /** Defaults to application/json when a schema is given. */
  contentType?: string;
  headers?: Record<string, string>;
  /**
   * OpenAPI links: operations a client can call next with values from this answer, which is also how a fuzzer's
   * stateful phase chains requests. Parameters are runtime expressions, qualified by location where it is not the
   * path: { id: "$response.body#/id", "header.If-Match": "$response.header.ETag" }.
   */
  links?: Record<string, { operationId: string; parameters: Record<string, string>; description?: string }>;
}

export interface RouteSpec {
  method: HttpMethod;
  /** Express syntax: /v1/articles/:id */
  path: string;
  operationId: string;
  summary: string;
  tags: readonly string[];
  /** Who may call it; the app supplies the middleware for each level. */
  auth: "public" | "user" | "admin";
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: z.ZodType;
  /** "json" (default when body is set) or "multipart" (the handler streams it). */
  bodyType?: "json" | "multipart";
  /** Multipart fields, for the document only. */
  multipart?: z.ZodObject;
  /**
   * Honours an Idempotency-Key header, which `headers` must declare: the document then adds the answers a key can
   * cause (409 while its first request runs, 422 when it was used for a different request).
   */
  idempotent?: boolean;
  /**
   * Services the handler reaches, by the names of the document's rules (DocumentRules.dependencies): each one's
   * outage answers 503 with its own problem code, and the document lists them. What the auth level's middleware
   * reaches is added by the rules too.
   */
  uses?: readonly string[];
  /**
   * The answers only this route gives, and those whose description or problem schema it makes more precise.
   * 401/403, 400/413/415 for bad input and 503 for the services in `uses` are added by the document's rules.
   */
  responses: Record<number, ResponseSpec>;
}

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;

export interface RouteInput<S extends RouteSpec> {
  params: Out<S["params"]>;
  query: Out<S["query"]>;
  headers: Out<S["headers"]>;
  body: Out<S["body"]>;
}

export type RouteHandler<S extends RouteSpec> = (input: RouteInput<S>, req: Request, res: Response) => Promise<void> | void;

export interface RouterOptions {
  /** Middleware enforcing each auth level. */
  auth: Record<RouteSpec["auth"], RequestHandler[]>;
  jsonLimit: string | number;
}

/**
 * Collects route specs while mounting them on an Express router: by default a new one for the app to mount,
 * or the app itself, which spares every request the descent into a nested router.
 */
export class ApiRouter {
  readonly specs: RouteSpec[] = [];
  /** Express path → the methods declared for it, upper case. */
  readonly #methods = new Map<string, Set<string>>();

  constructor(
    private readonly options: RouterOptions,
    readonly router: IRouter = express.Router(),
  ) {}

  add<S extends RouteSpec>(spec: S, handler: RouteHandler<S>): void {
    if (spec.idempotent && !spec.headers?.shape["idempotency-key"]) {
      throw new Error(`${spec.operationId}: an idempotent route declares the idempotency-key header in its headers schema`);
    }
    this.specs.push(spec);
    let methods = this.#methods.get(spec.path);
    if (!methods) {
      methods = new Set();
      this.#methods.set(spec.path, methods);
      // route().all() rather than all(): the app's all() adds one route per method, which would list them all.
      this.router.route(spec.path).all(otherMethods(methods));
    }
    methods.add(spec.method.toUpperCase());
    const chain: RequestHandler[] = [...this.options.auth[spec.auth]];
    if (spec.body && (spec.bodyType ?? "json") === "json") {
      chain.push(requireContentType("application/json"), express.json({ limit: this.options.jsonLimit, strict: true }));
    }
    if (spec.bodyType === "multipart") chain.push(requireContentType("multipart/form-data"));
    chain.push(async (req, res) => {
      // Only the parts the route declares are read: Express parses req.query on first access.
      const input = {
        params: spec.params && parsePart("params", spec.params, req.params),
        query: spec.query && parsePart("query", spec.query, req.query),
        headers: spec.headers && parsePart("headers", spec.headers, req.headers),
        body: spec.body && parsePart("body", spec.body, req.body ?? undefined),
      } as RouteInput<S>;
      await handler(input, req, res);
    });
    this.router[spec.method](spec.path, ...chain);
  }
}

/**
 * The path exists but not with this method: 405 with Allow, and OPTIONS answered with Allow alone
 * (RFC 9110 §15.5.6, §9.3.7). Mounted after the path's first route; it reads `methods` at request time, so it
 * passes on to routes of the same path that were added after it.
 */
function otherMethods(methods: ReadonlySet<string>): RequestHandler {
  return (req, res, next) => {
    if (methods.has(req.method) || (req.method === "HEAD" && methods.has("GET"))) {
      next();
      return;
    }
    const allow = [...methods, ...(methods.has("GET") ? ["HEAD"] : []), "OPTIONS"].join(", ");
    if (req.method === "OPTIONS") {
      res.setHeader("allow", allow).status(204).end();
      return;
    }
    next(new AppError("method_not_allowed", 405, `${req.path} does not accept ${req.method}.`, { headers: { allow } }));
  };
}

function parsePart(where: string, schema: z.ZodType, value: unknown): unknown {
  const unstorable = findUnstorableText(where, value);
  if (unstorable.length > 0) throw new AppError("validation", 400, `The request ${where} is invalid.`, { errors: unstorable });
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw validationError(where, result.error);
}

export function validationError(where: string, error: z.ZodError): AppError {
  const errors: FieldProblem[] = error.issues.map((issue) => ({
    in: where,
    path: issue.path.join("."),
    message: describeIssue(issue),
  }));
  return new AppError("validation", 400, `The request ${where} is invalid.`, { errors });
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") return `unknown field(s): ${issue.keys.join(", ")}`;
  return issue.message;
}

/** 415 unless the request's Content-Type is the one the route reads. */
export function requireContentType(expected: string): RequestHandler {
  return (req, _res, next) => {
    const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
    if (type !== expected) {
      next(
        new AppError("unsupported_media_type", 415, `This endpoint reads ${expected}, not ${type || "an unlabelled body"}.`, {
          headers: { "accept-post": expected },
        }),
      );
      return;
    }
    next();
  };
}
