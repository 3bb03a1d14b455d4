import { Link } from "react-router";
import { listRevisions } from "../api/editor.ts";
import { ErrorMessage } from "../ui/ErrorMessage.tsx";
import { formatDateTime } from "../ui/format.ts";
import { useResource } from "../ui/useResource.ts";

/** Earlier versions of the article, newest first; reloaded whenever the version changes. */
export function RevisionList({ articleId, version }: { articleId: string; version: number }) {
  const revisions = useResource(`${articleId}@${version}`, (signal) => listRevisions(articleId, signal));
  if (revisions.error !== undefined) return <ErrorMessage error={revisions.error} onRetry={revisions.reload} />;
  if (!revisions.data) return <p className="muted">Loading…</p>;
  if (revisions.data.length === 0) return <p className="muted">No earlier versions yet.</p>;
  return (
    <ol className="revisions" reversed>
      {revisions.data.map((revision) => (
        <li key={revision.version}>
          <Link to={`/editor/articles/${articleId}/revisions/${revision.version}`}>Version {revision.version}</Link>
          <span className="small muted">
            {" "}
            {revision.status} · {formatDateTime(revision.savedAt)}
          </span>
        </li>
      ))}
    </ol>
  );
}
