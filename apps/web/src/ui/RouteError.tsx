/** The public pages' error boundary: a 404 from the API is the "not found" page; anything else is explained. */
import { useRevalidator, useRouteError } from "react-router";
import { isApiError } from "../api/errors.ts";
import { ErrorMessage } from "./ErrorMessage.tsx";
import { NotFoundPage } from "./NotFoundPage.tsx";

export function RouteError() {
  const error = useRouteError();
  const revalidator = useRevalidator();
  if (isApiError(error, 404)) return <NotFoundPage what="article" />;
  return (
    <section aria-labelledby="error-title">
      <title>Error · Folio</title>
      <h1 id="error-title">This page could not be loaded</h1>
      <ErrorMessage error={error} onRetry={() => void revalidator.revalidate()} />
    </section>
  );
}
