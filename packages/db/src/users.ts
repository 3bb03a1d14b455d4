import type { Queryable } from "./pool.js";

export type UserRole = "admin" | "editor";

export interface User {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  createdAt: Date;
  updatedAt: Date;
}

export interface UserWithHash extends User {
  passwordHash: string;
}

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  password_hash: string;
  created_at: Date;
  updated_at: Date;
}

const toUser = (row: UserRow): User => ({
  id: row.id,
  email: row.email,
  name: row.name,
  role: row.role,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export const usersRepo = {
  async findByEmail(db: Queryable, email: string): Promise<UserWithHash | undefined> {
    const { rows } = await db.query<UserRow>("SELECT * FROM users WHERE email = $1", [email.toLowerCase()]);
    return rows[0] && { ...toUser(rows[0]), passwordHash: rows[0].password_hash };
  },

  async findById(db: Queryable, id: string): Promise<User | undefined> {
    const { rows } = await db.query<UserRow>("SELECT * FROM users WHERE id = $1", [id]);
    return rows[0] && toUser(rows[0]);
  },

  async list(db: Queryable): Promise<User[]> {
    const { rows } = await db.query<UserRow>("SELECT * FROM users ORDER BY created_at, id");
    return rows.map(toUser);
  },

  async countAdmins(db: Queryable): Promise<number> {
    const { rows } = await db.query<{ count: string }>("SELECT count(*) FROM users WHERE role = 'admin'");
    return Number(rows[0]?.count ?? 0);
  },

  /** Inserts unless the email is taken; returns undefined when it is. */
  async create(
    db: Queryable,
    user: { email: string; name: string; role: UserRole; passwordHash: string },
  ): Promise<User | undefined> {
    const { rows } = await db.query<UserRow>(
      `INSERT INTO users (email, name, role, password_hash) VALUES ($1, $2, $3, $4)
       ON CONFLICT (email) DO NOTHING RETURNING *`,
      [user.email.toLowerCase(), user.name, user.role, user.passwordHash],
    );
    return rows[0] && toUser(rows[0]);
  },

  async update(
    db: Queryable,
    id: string,
    changes: { name?: string; role?: UserRole; passwordHash?: string },
  ): Promise<User | undefined> {
    const { rows } = await db.query<UserRow>(
      `UPDATE users SET
         name = COALESCE($2, name),
         role = COALESCE($3, role),
         password_hash = COALESCE($4, password_hash),
         updated_at = now()
       WHERE id = $1 RETURNING *`,
      [id, changes.name ?? null, changes.role ?? null, changes.passwordHash ?? null],
    );
    return rows[0] && toUser(rows[0]);
  },

  async delete(db: Queryable, id: string): Promise<boolean> {
    const { rowCount } = await db.query("DELETE FROM users WHERE id = $1", [id]);
    return (rowCount ?? 0) > 0;
  },
};
