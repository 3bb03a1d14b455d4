/** The signed-in pages' error boundary: 401 → sign in again, 403 → not allowed, 404 → not found, else the error. */
import { Navigate, Outlet, useLocation, useRevalidator, useRouteError } from "react-router";
import { isApiError } from "../api/errors.ts";
import { ErrorMessage } from "../ui/ErrorMessage.tsx";
import { NotFoundPage } from "../ui/NotFoundPage.tsx";
import { NotAllowed } from "./NotAllowed.tsx";

export function ErrorBoundary() {
  const error = useRouteError();
  const location = useLocation();
  const revalidator = useRevalidator();
  if (isApiError(error, 401)) return <Navigate to={`/editor/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  if (isApiError(error, 403)) return <NotAllowed what="do this" />;
  if (isApiError(error, 404)) return <NotFoundPage />;
  return (
    <section aria-labelledby="error-title">
      <title>Error · Folio</title>
      <h1 id="error-title">This page could not be loaded</h1>
      <ErrorMessage error={error} onRetry={() => void revalidator.revalidate()} />
    </section>
  );
}

/** A pathless route whose only job is to hold the boundary inside the editor's frame. */
export const Component = Outlet;
