/** One earlier version of an article, read-only, with a way to bring its content back into the editor. */
import { Link, useLoaderData, useNavigate, useParams, type LoaderFunctionArgs } from "react-router";
import { getRevision } from "../api/editor.ts";
import { Markdown } from "../markdown/Markdown.tsx";
import { formatDateTime } from "../ui/format.ts";
import type { EditorLocationState } from "./ArticleEditorPage.tsx";
import { requireSession } from "./auth.ts";
import { StatusBadge } from "./StatusBadge.tsx";

export async function loader({ request, params }: LoaderFunctionArgs) {
  requireSession(request);
  return getRevision(params.id!, Number(params.version), request.signal);
}

export function RevisionPage() {
  const revision = useLoaderData<typeof loader>();
  const navigate = useNavigate();
  const { id } = useParams();
  const editor = `/editor/articles/${id}`;

  return (
    <article className="revision">
      <title>{`Version ${revision.version} of ${revision.title} · Folio editor`}</title>
      <p>
        <Link to={editor}>← Back to the editor</Link>
      </p>
      <h1>
        Version {revision.version}: {revision.title} <StatusBadge status={revision.status} />
      </h1>
      <p className="muted">
        Saved {formatDateTime(revision.savedAt)}. Address /articles/{revision.slug}
        {revision.tags.length > 0 && <> · tags: {revision.tags.join(", ")}</>}
      </p>
      <p className="notice">
        This is an earlier version, shown read-only.{" "}
        <button
          type="button"
          onClick={() => void navigate(editor, { state: { fromRevision: revision } satisfies EditorLocationState })}
        >
          Copy it into the editor
        </button>{" "}
        (nothing is saved until you press Save).
      </p>
      {revision.excerpt && <p className="lede">{revision.excerpt}</p>}
      <Markdown source={revision.body} />
    </article>
  );
}

export { RevisionPage as Component };
