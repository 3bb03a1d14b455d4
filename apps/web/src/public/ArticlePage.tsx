import { Link, useLoaderData, type LoaderFunctionArgs } from "react-router";
import { getPublicArticle } from "../api/folio.ts";
import { Markdown } from "../markdown/Markdown.tsx";
import { formatDate } from "../ui/format.ts";
import { Picture } from "../ui/Picture.tsx";
import { Tags } from "./ArticleList.tsx";

export async function articleLoader({ request, params }: LoaderFunctionArgs) {
  return getPublicArticle(params.slug!, request.signal);
}

export function ArticlePage() {
  const article = useLoaderData<typeof articleLoader>();
  return (
    <article className="article">
      <title>{`${article.title} · Folio`}</title>
      <meta name="description" content={article.excerpt} />
      <header>
        <h1>{article.title}</h1>
        <p className="meta">
          Published <time dateTime={article.publishedAt}>{formatDate(article.publishedAt)}</time>
          {formatDate(article.updatedAt) !== formatDate(article.publishedAt) && (
            <>
              {" "}
              · updated <time dateTime={article.updatedAt}>{formatDate(article.updatedAt)}</time>
            </>
          )}
        </p>
        <Tags tags={article.tags} />
      </header>
      {article.cover && (
        // The API has no alt text for images yet, so the cover is described by what it illustrates.
        <Picture className="cover" variants={article.cover.variants} size="display" alt={`Cover image of “${article.title}”`} eager />
      )}
      <Markdown source={article.body} />
      <p>
        <Link to="/">← All articles</Link>
      </p>
    </article>
  );
}
