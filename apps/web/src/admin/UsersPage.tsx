/** Users and roles, for admins. An editor who opens it is told plainly that it is not for them. */
import { useState, type FormEvent } from "react";
import { useLoaderData, useRevalidator, type LoaderFunctionArgs } from "react-router";
import { createUser, deleteUser, listUsers, updateUser, type NewUser } from "../api/editor.ts";
import { randomId } from "../api/ids.ts";
import type { Role, User } from "../api/types.ts";
import { requireSession } from "../editor/auth.ts";
import { NotAllowed } from "../editor/NotAllowed.tsx";
import { useSession } from "../session.ts";
import { ErrorMessage } from "../ui/ErrorMessage.tsx";
import { formatDate } from "../ui/format.ts";

export async function loader({ request }: LoaderFunctionArgs) {
  const session = requireSession(request);
  // Not even asked: the API would answer 403, and the page says why without a round trip.
  if (session.user.role !== "admin") return { allowed: false as const };
  return { allowed: true as const, users: await listUsers(request.signal) };
}

export function UsersPage() {
  const result = useLoaderData<typeof loader>();
  if (!result.allowed) return <NotAllowed what="manage users" />;
  return <Users users={result.users} />;
}

function Users({ users }: { users: User[] }) {
  const session = useSession();
  const revalidator = useRevalidator();
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();

  async function run(action: () => Promise<unknown>, done: string): Promise<boolean> {
    setError(undefined);
    setNotice(undefined);
    try {
      await action();
      setNotice(done);
      await revalidator.revalidate();
      return true;
    } catch (caught) {
      setError(caught);
      return false;
    }
  }

  return (
    <>
      <title>Users · Folio editor</title>
      <h1>Users</h1>
      <div aria-live="polite">{notice && <p className="notice">{notice}</p>}</div>
      {error !== undefined && <ErrorMessage error={error} />}
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Since</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {users.map((user) => {
            const self = user.id === session?.user.id;
            return (
              <tr key={user.id}>
                <th scope="row">
                  {user.name}
                  {self && <span className="muted"> (you)</span>}
                </th>
                <td>{user.email}</td>
                <td>
                  <label className="visually-hidden" htmlFor={`role-${user.id}`}>
                    Role of {user.name}
                  </label>
                  <select
                    id={`role-${user.id}`}
                    value={user.role}
                    onChange={(event) => void run(() => updateUser(user.id, { role: event.target.value as Role }), `${user.name} is now ${event.target.value === "admin" ? "an admin" : "an editor"}.`)}
                  >
                    <option value="editor">Editor</option>
                    <option value="admin">Admin</option>
                  </select>
                </td>
                <td>{formatDate(user.createdAt)}</td>
                <td>
                  {!self && (
                    <button
                      type="button"
                      className="danger"
                      onClick={() => {
                        if (window.confirm(`Delete ${user.name} (${user.email})? Their articles stay, without an author.`)) {
                          void run(() => deleteUser(user.id), `${user.name} was deleted.`);
                        }
                      }}
                    >
                      Delete<span className="visually-hidden"> {user.name}</span>
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <NewUserForm onCreate={(user, key) => run(() => createUser(user, key), `${user.name} can now sign in as ${user.email}.`)} />
    </>
  );
}

function NewUserForm({ onCreate }: { onCreate: (user: NewUser, idempotencyKey: string) => Promise<boolean> }) {
  // One key per user being created: a retry after a lost answer does not hit "email taken" on our own user.
  const [attempt, setAttempt] = useState<{ email: string; key: string }>();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const user: NewUser = {
      name: String(form.get("name")).trim(),
      email: String(form.get("email")).trim(),
      role: form.get("role") === "admin" ? "admin" : "editor",
      password: String(form.get("password")),
    };
    const key = attempt?.email === user.email ? attempt.key : randomId();
    setAttempt({ email: user.email, key });
    if (await onCreate(user, key)) formElement.reset();
  }

  return (
    <section aria-labelledby="new-user-title" className="narrow">
      <h2 id="new-user-title">Add a user</h2>
      <form className="stack" onSubmit={(event) => void submit(event)}>
        <div className="field">
          <label htmlFor="new-name">Name</label>
          <input id="new-name" name="name" required maxLength={120} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="new-email">Email</label>
          <input id="new-email" name="email" type="email" required autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="new-role">Role</label>
          <select id="new-role" name="role" defaultValue="editor">
            <option value="editor">Editor: writes and publishes articles</option>
            <option value="admin">Admin: also manages users and sees operations</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="new-password">Password</label>
          <input id="new-password" name="password" type="password" minLength={12} required autoComplete="new-password" aria-describedby="new-password-hint" />
          <p className="hint" id="new-password-hint">
            At least 12 characters. Give it to the person another way than by email.
          </p>
        </div>
        <button type="submit" className="primary">
          Add user
        </button>
      </form>
    </section>
  );
}

export { UsersPage as Component };
