import { z } from "zod";
import { usersRepo, withTransaction } from "@folio/db";
import { AppError, type ApiRouter, type RouteSpec } from "@folio/http-kit";
import type { AppDeps } from "../../deps.js";
import type { Idempotency } from "../../domain/idempotency.js";
import { hashPassword } from "../../domain/passwords.js";
import { idempotencyKeyHeader, sendOutcome } from "./respond.js";
import { presentUser } from "./presenters.js";
import { partialUpdate, userSchema, uuidParam, visibleText } from "./schemas.js";

const password = z.string().min(12, "at least 12 characters").max(1024);
const role = z.enum(["admin", "editor"]);
const idParams = z.object({ id: uuidParam });

/** User administration, as data: it drives validation and the OpenAPI document. */
export const userRoutes = {
  listUsers: {
    method: "get",
    path: "/v1/users",
    operationId: "listUsers",
    summary: "List users",
    tags: ["users"],
    auth: "admin",
    uses: ["postgres"],
    responses: { 200: { description: "all users", schema: z.object({ items: z.array(userSchema) }) } },
  },
  createUser: {
    method: "post",
    path: "/v1/users",
    operationId: "createUser",
    summary: "Create a user",
    tags: ["users"],
    auth: "admin",
    idempotent: true,
    headers: idempotencyKeyHeader,
    body: z.strictObject({ email: z.email().max(254), name: visibleText(120), role, password }),
    uses: ["postgres"],
    responses: {
      201: { description: "created", schema: userSchema },
      409: { description: "the email is taken (email_taken)" },
    },
  },
  updateUser: {
    method: "patch",
    path: "/v1/users/:id",
    operationId: "updateUser",
    summary: "Change a user's name, role or password",
    tags: ["users"],
    auth: "admin",
    params: idParams,
    body: partialUpdate(
      z.strictObject({ name: visibleText(120).optional(), role: role.optional(), password: password.optional() }),
      "at least one field",
    ),
    uses: ["postgres"],
    responses: {
      200: { description: "updated", schema: userSchema },
      404: { description: "no such user" },
      409: { description: "it would leave no admin (last_admin)" },
    },
  },
  deleteUser: {
    method: "delete",
    path: "/v1/users/:id",
    operationId: "deleteUser",
    summary: "Delete a user (their articles stay, without an author)",
    tags: ["users"],
    auth: "admin",
    params: idParams,
    uses: ["postgres"],
    responses: {
      204: { description: "deleted" },
      404: { description: "no such user" },
      409: { description: "it is yourself (cannot_delete_self) or the last admin (last_admin)" },
    },
  },
} satisfies Record<string, RouteSpec>;

export function registerUserRoutes(api: ApiRouter, deps: AppDeps, idempotency: Idempotency): void {
  api.add(
    userRoutes.listUsers,
    async (_input, _req, res) => {
      res.json({ items: (await usersRepo.list(deps.pool)).map(presentUser) });
    },
  );

  api.add(
    userRoutes.createUser,
    async ({ body, headers }, req, res) => {
      const passwordHash = await hashPassword(body.password);
      const result = await idempotency.run(
        { userId: req.user!.id, key: headers["idempotency-key"], method: req.method, path: req.path, body: { ...body, password: "" } },
        async (tx) => {
          const user = await usersRepo.create(tx, { email: body.email, name: body.name, role: body.role, passwordHash });
          if (!user) throw new AppError("email_taken", 409, "A user with this email exists.");
          return { status: 201, body: presentUser(user), headers: { location: `/v1/users/${user.id}` } };
        },
      );
      sendOutcome(res, result);
    },
  );

  api.add(
    userRoutes.updateUser,
    async ({ params, body }, _req, res) => {
      const passwordHash = body.password ? await hashPassword(body.password) : undefined;
      const user = await withTransaction(deps.pool, async (tx) => {
        // Serialise role changes so two admins demoting each other cannot leave the site with none.
        await tx.query("SELECT pg_advisory_xact_lock(hashtext('folio:users:admins'))");
        const existing = await usersRepo.findById(tx, params.id);
        if (!existing) throw new AppError("not_found", 404, "No such user.");
        if (existing.role === "admin" && body.role === "editor" && (await usersRepo.countAdmins(tx)) <= 1) {
          throw new AppError("last_admin", 409, "This is the last admin; make another user admin first.");
        }
        return usersRepo.update(tx, params.id, { name: body.name, role: body.role, passwordHash });
      });
      res.json(presentUser(user!));
    },
  );

  api.add(
    userRoutes.deleteUser,
    async ({ params }, req, res) => {
      if (params.id === req.user!.id) throw new AppError("cannot_delete_self", 409, "You cannot delete yourself.");
      await withTransaction(deps.pool, async (tx) => {
        await tx.query("SELECT pg_advisory_xact_lock(hashtext('folio:users:admins'))");
        const existing = await usersRepo.findById(tx, params.id);
        if (!existing) throw new AppError("not_found", 404, "No such user.");
        if (existing.role === "admin" && (await usersRepo.countAdmins(tx)) <= 1) {
          throw new AppError("last_admin", 409, "This is the last admin.");
        }
        await usersRepo.delete(tx, params.id);
      });
      res.status(204).end();
    },
  );
}
