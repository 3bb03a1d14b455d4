/** Start a draft: a title is enough; the rest is edited on the article's page. */
import { useState, type FormEvent } from "react";
import { useNavigate, type LoaderFunctionArgs } from "react-router";
import { createArticle } from "../api/editor.ts";
import { randomId } from "../api/ids.ts";
import { ErrorMessage } from "../ui/ErrorMessage.tsx";
import { requireSession } from "./auth.ts";

export function loader({ request }: LoaderFunctionArgs) {
  requireSession(request);
  return null;
}

export function NewArticlePage() {
  const navigate = useNavigate();
  // One key per article the user means to create: sending the same title again after a lost response gets the
  // same article back instead of a second one. A different title is a different request, with a new key.
  const [attempt, setAttempt] = useState<{ title: string; key: string }>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const title = String(new FormData(event.currentTarget).get("title")).trim();
    const key = attempt?.title === title ? attempt.key : randomId();
    setAttempt({ title, key });
    setBusy(true);
    setError(undefined);
    try {
      const article = await createArticle({ title }, key);
      await navigate(`/editor/articles/${article.id}`, { replace: true });
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <div className="narrow">
      <title>New article · Folio editor</title>
      <h1>New article</h1>
      {error !== undefined && <ErrorMessage error={error} />}
      <form className="stack" onSubmit={(event) => void submit(event)}>
        <div className="field">
          <label htmlFor="title">Title</label>
          <input id="title" name="title" required maxLength={200} autoComplete="off" />
          <p className="hint">The address (slug) is made from the title; you can change it later.</p>
        </div>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Creating…" : "Create draft"}
        </button>
      </form>
    </div>
  );
}

export { NewArticlePage as Component };
