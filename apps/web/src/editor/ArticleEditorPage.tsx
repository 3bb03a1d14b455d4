import { useEffect } from "react";
import { useLoaderData, useLocation, useNavigate, type LoaderFunctionArgs } from "react-router";
import { getArticle } from "../api/editor.ts";
import type { Revision } from "../api/types.ts";
import { requireSession } from "./auth.ts";
import { ArticleEditor } from "./ArticleEditor.tsx";
import { draftOf, fieldsOf } from "./draft.ts";

/** Navigation state set by the revision page's "copy into the editor". */
export interface EditorLocationState {
  fromRevision?: Revision;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  requireSession(request);
  return getArticle(params.id!, request.signal);
}

export function ArticleEditorPage() {
  const article = useLoaderData<typeof loader>();
  const location = useLocation();
  const navigate = useNavigate();
  const fromRevision = (location.state as EditorLocationState | null)?.fromRevision;

  // Use the revision once: a reload should show the article, not copy the revision again.
  useEffect(() => {
    if (fromRevision) void navigate(".", { replace: true, state: null });
  }, [fromRevision, navigate]);

  return (
    <ArticleEditor
      key={article.id}
      initial={article}
      initialDraft={fromRevision ? draftOf(fieldsOf(fromRevision)) : undefined}
    />
  );
}

export { ArticleEditorPage as Component };
