import { Link } from "react-router";
import type { Page, PublicSummary } from "../api/types.ts";
import { formatDate } from "../ui/format.ts";
import { Picture } from "../ui/Picture.tsx";

/** A page of published articles, newest first, with a link to the next (older) page. */
export function ArticleList({ page, cursor, emptyText }: { page: Page<PublicSummary>; cursor: string | undefined; emptyText: string }) {
  if (page.items.length === 0 && !cursor) return <p>{emptyText}</p>;
  return (
    <>
      <ul className="article-list">
        {page.items.map((article, index) => (
          <li key={article.slug}>
            <article className="article-card">
              {article.cover && (
                // Decorative: the title beside it is the link's text, so the thumbnail would only repeat it
                // (https://www.w3.org/WAI/tutorials/images/decorative/). The article page gives the cover its text.
                <Picture className="card-thumb" variants={article.cover.variants} size="thumb" alt="" eager={index === 0 && !cursor} />
              )}
              <div>
                <h2>
                  <Link to={`/articles/${article.slug}`}>{article.title}</Link>
                </h2>
                <p className="meta">
                  <time dateTime={article.publishedAt}>{formatDate(article.publishedAt)}</time>
                </p>
                {article.excerpt && <p>{article.excerpt}</p>}
                <Tags tags={article.tags} />
              </div>
            </article>
          </li>
        ))}
      </ul>
      <nav className="pagination" aria-label="More articles">
        {cursor && <Link to=".">Newest articles</Link>}
        {page.nextCursor && (
          <Link to={`?cursor=${encodeURIComponent(page.nextCursor)}`} rel="next">
            Older articles
          </Link>
        )}
      </nav>
    </>
  );
}

export function Tags({ tags }: { tags: string[] }) {
  if (tags.length === 0) return null;
  return (
    <ul className="tags" aria-label="Tags">
      {tags.map((tag) => (
        <li key={tag}>
          <Link to={`/tags/${encodeURIComponent(tag)}`}>{tag}</Link>
        </li>
      ))}
    </ul>
  );
}
