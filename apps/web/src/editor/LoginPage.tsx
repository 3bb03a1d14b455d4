import { useState, type FormEvent } from "react";
import { Link, redirect, useNavigate, useSearchParams, type LoaderFunctionArgs } from "react-router";
import { login } from "../api/editor.ts";
import { getSession, saveSession } from "../session.ts";
import { ErrorMessage } from "../ui/ErrorMessage.tsx";
import { safeNext } from "./auth.ts";

export function loader({ request }: LoaderFunctionArgs) {
  if (getSession()) throw redirect(safeNext(new URL(request.url).searchParams.get("next")));
  return null;
}

export function LoginPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      saveSession(await login(String(form.get("email")), String(form.get("password"))));
      await navigate(safeNext(params.get("next")), { replace: true });
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <main className="wrap narrow" id="main" tabIndex={-1}>
      <title>Sign in · Folio</title>
      <h1>Sign in to the editor</h1>
      {error !== undefined && <ErrorMessage error={error} />}
      <form className="stack" onSubmit={(event) => void submit(event)}>
        <div className="field">
          <label htmlFor="email">Email</label>
          <input id="email" name="email" type="email" autoComplete="username" required />
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input id="password" name="password" type="password" autoComplete="current-password" required />
        </div>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p>
        <Link to="/">← Back to the site</Link>
      </p>
    </main>
  );
}

export { LoginPage as Component };
