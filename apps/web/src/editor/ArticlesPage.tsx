/** The editor's article list: filter by status, search titles, page through, start a new article. */
import { Form, Link, useLoaderData, type LoaderFunctionArgs } from "react-router";
import { listArticles } from "../api/editor.ts";
import type { ArticleStatus } from "../api/types.ts";
import { formatDateTime } from "../ui/format.ts";
import { requireSession } from "./auth.ts";
import { StatusBadge } from "./StatusBadge.tsx";

const FILTERS: { status: ArticleStatus | undefined; label: string }[] = [
  { status: undefined, label: "All" },
  { status: "draft", label: "Drafts" },
  { status: "published", label: "Published" },
  { status: "trashed", label: "Trash" },
];

function parseStatus(value: string | null): ArticleStatus | undefined {
  return value === "draft" || value === "published" || value === "trashed" ? value : undefined;
}

export async function loader({ request }: LoaderFunctionArgs) {
  requireSession(request);
  const params = new URL(request.url).searchParams;
  const status = parseStatus(params.get("status"));
  const q = params.get("q") ?? "";
  const cursor = params.get("cursor") ?? undefined;
  return { status, q, cursor, page: await listArticles({ status, q: q || undefined, cursor }, request.signal) };
}

export function ArticlesPage() {
  const { status, q, cursor, page } = useLoaderData<typeof loader>();
  const query = (next: Record<string, string | undefined>) => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries({ status, q: q || undefined, ...next })) if (value) params.set(name, value);
    const text = params.toString();
    return text ? `?${text}` : ".";
  };

  return (
    <>
      <title>Articles · Folio editor</title>
      <div className="page-heading">
        <h1>Articles</h1>
        <Link className="button primary" to="/editor/new">
          New article
        </Link>
      </div>
      <div className="toolbar">
        <nav aria-label="Filter by status">
          <ul className="segmented">
            {FILTERS.map((filter) => (
              <li key={filter.label}>
                <Link to={query({ status: filter.status, cursor: undefined })} aria-current={filter.status === status ? "page" : undefined}>
                  {filter.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <Form role="search" className="search">
          {status && <input type="hidden" name="status" value={status} />}
          <label htmlFor="q" className="visually-hidden">
            Search titles
          </label>
          <input id="q" name="q" type="search" defaultValue={q} placeholder="Search titles" />
          <button type="submit">Search</button>
        </Form>
      </div>
      {page.items.length === 0 ? (
        <p>{q ? "No article matches this search." : status === "trashed" ? "The trash is empty." : "No articles yet."}</p>
      ) : (
        <table className="table">
          <caption className="visually-hidden">Articles, most recently changed first</caption>
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Status</th>
              <th scope="col">Last change</th>
              <th scope="col">Version</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((article) => (
              <tr key={article.id}>
                <td>
                  <Link to={`/editor/articles/${article.id}`}>{article.title}</Link>
                  <div className="muted small">/{article.slug}</div>
                </td>
                <td>
                  <StatusBadge status={article.status} />
                </td>
                <td>{formatDateTime(article.updatedAt)}</td>
                <td>{article.version}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav className="pagination" aria-label="More articles">
        {cursor && <Link to={query({ cursor: undefined })}>First page</Link>}
        {page.nextCursor && (
          <Link to={query({ cursor: page.nextCursor })} rel="next">
            Next page
          </Link>
        )}
      </nav>
    </>
  );
}

export { ArticlesPage as Component };
