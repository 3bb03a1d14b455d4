import { Link } from "react-router";

export function NotFoundPage({ what = "page" }: { what?: string }) {
  return (
    <section className="not-found" aria-labelledby="not-found-title">
      <title>Not found · Folio</title>
      <h1 id="not-found-title">Page not found</h1>
      <p>There is no {what} at this address. It may have been unpublished or moved.</p>
      <p>
        <Link to="/">Go to the latest articles</Link>
      </p>
    </section>
  );
}
