import type { Pool } from "pg";
import { usersRepo, withTransaction } from "@folio/db";
import type { Logger } from "@folio/logger";
import { hashPassword } from "./passwords.js";

/**
 * Creates the first admin from configuration when there is no admin at all. Several API replicas start at
 * once, so the check and the insert run under one advisory lock: exactly one of them creates the user.
 */
export async function ensureFirstAdmin(pool: Pool, logger: Logger, email: string | undefined, password: string | undefined): Promise<void> {
  if (!email || !password) return;
  const passwordHash = await hashPassword(password);
  const created = await withTransaction(pool, async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('folio:users:admins'))");
    if ((await usersRepo.countAdmins(tx)) > 0) return false;
    return Boolean(await usersRepo.create(tx, { email, name: "Administrator", role: "admin", passwordHash }));
  });
  if (created) logger.info({ email }, "created the first admin from ADMIN_EMAIL");
}
