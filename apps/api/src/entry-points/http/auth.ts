import type { RequestHandler } from "express";
import { ipKeyGenerator, rateLimit } from "express-rate-limit";
import { z } from "zod";
import { usersRepo, type UserRole } from "@folio/db";
import { AppError, type ApiRouter, type RouteSpec } from "@folio/http-kit";
import type { AppDeps } from "../../deps.js";
import { dummyPasswordHash, verifyPassword } from "../../domain/passwords.js";
import { SharedRateLimitStore } from "../../domain/rate-limit-store.js";
import type { TokenService } from "../../domain/tokens.js";
import { presentUser } from "./presenters.js";
import { userSchema } from "./schemas.js";

export interface AuthUser {
  id: string;
  email: string;
  role: UserRole;
}

declare global {
  // Express's own extension point for request properties (the types use a namespace).
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      user?: AuthUser;
    }
  }
}

const unauthorized = () =>
  new AppError("unauthorized", 401, "A valid bearer token is required.", { headers: { "www-authenticate": 'Bearer realm="folio"' } });

/**
 * Checks the bearer token, then loads the user, so a deleted user or a changed role takes effect at once
 * rather than when the token expires.
 */
export function authenticate(deps: AppDeps, tokens: TokenService): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers.authorization ?? "";
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header);
    const claims = match ? await tokens.verify(match[1]!) : undefined;
    if (!claims) throw unauthorized();
    const user = await usersRepo.findById(deps.pool, claims.userId);
    if (!user) throw unauthorized();
    req.user = { id: user.id, email: user.email, role: user.role };
    next();
  };
}

export const requireAdmin: RequestHandler = (req, _res, next) => {
  if (req.user?.role !== "admin") throw new AppError("forbidden", 403, "Only admins may do this.");
  next();
};

/** Login and the current user, as data: they drive validation and the OpenAPI document. */
export const authRoutes = {
  login: {
    method: "post",
    path: "/v1/auth/login",
    operationId: "login",
    summary: "Exchange email and password for a bearer token",
    tags: ["auth"],
    auth: "public",
    body: z.strictObject({ email: z.email().max(254), password: z.string().min(1).max(1024) }),
    // Not Redis: the attempt counters fall back to this process while it is away (ADR 0016).
    uses: ["postgres"],
    responses: {
      200: {
        description: "logged in",
        schema: z.object({ token: z.string(), expiresAt: z.iso.datetime(), user: userSchema }).meta({ id: "LoginResult" }),
      },
      401: { description: "wrong email or password, the same answer for both (invalid_credentials)" },
      429: { description: "too many failed attempts for this client and email (rate_limited)" },
    },
  },
  me: {
    method: "get",
    path: "/v1/auth/me",
    operationId: "me",
    summary: "The user the token belongs to",
    tags: ["auth"],
    auth: "user",
    responses: { 200: { description: "the current user", schema: userSchema } },
  },
} satisfies Record<string, RouteSpec>;

export function registerAuthRoutes(api: ApiRouter, deps: AppDeps, tokens: TokenService): void {
  const { config } = deps;
  // Counted in Redis, so the limit holds across every replica (per replica only while Redis is down).
  const limiter = rateLimit({
    store: new SharedRateLimitStore(deps.cache, "folio:rate-limit:login:", deps.logger),
    windowMs: config.LOGIN_RATE_WINDOW_SECONDS * 1000,
    limit: config.LOGIN_RATE_LIMIT,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    skipSuccessfulRequests: true, // count failed attempts only: a user who logs in often is not an attacker
    keyGenerator: (req) => `${ipKeyGenerator(req.ip ?? "")}|${String((req.body as { email?: unknown } | undefined)?.email ?? "").toLowerCase()}`,
    handler: (_req, _res, next, options) =>
      next(new AppError("rate_limited", 429, "Too many login attempts; wait and try again.", { headers: { "retry-after": String(Math.ceil(options.windowMs / 1000)) } })),
  });

  api.add(
    authRoutes.login,
    async ({ body }, req, res) => {
      await new Promise<void>((resolve, reject) => limiter(req, res, (error?: unknown) => (error ? reject(error) : resolve())));
      if (res.headersSent) return;
      const user = await usersRepo.findByEmail(deps.pool, body.email);
      // Same work and same answer whether or not the email exists.
      const valid = await verifyPassword(body.password, user?.passwordHash ?? (await dummyPasswordHash()));
      if (!user || !valid) throw new AppError("invalid_credentials", 401, "The email or password is wrong.");
      const { token, expiresAt } = await tokens.issue({ userId: user.id, role: user.role });
      res.json({ token, expiresAt: expiresAt.toISOString(), user: presentUser(user) });
    },
  );

  api.add(
    authRoutes.me,
    async (_input, req, res) => {
      const user = await usersRepo.findById(deps.pool, req.user!.id);
      if (!user) throw unauthorized();
      res.json(presentUser(user));
    },
  );
}
