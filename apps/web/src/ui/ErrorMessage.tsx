/**
 * An error as a person can read it: what happened, what to do, and the request id to quote when reporting it
 * (the API logs every request with that id).
 */
import { ApiError, NetworkError } from "../api/errors.ts";

export function describeError(error: unknown): { title: string; detail: string; requestId?: string; fields: string[] } {
  if (error instanceof ApiError) {
    return {
      title: TITLES[error.status] ?? "The request failed",
      detail: error.problem.detail,
      requestId: error.requestId,
      fields: error.fieldProblems.map((problem) => (problem.path ? `${problem.path}: ${problem.message}` : problem.message)),
    };
  }
  if (error instanceof NetworkError) {
    return {
      title: "No connection to the server",
      detail: `${error.message} Check your connection and try again.`,
      requestId: error.requestId,
      fields: [],
    };
  }
  return { title: "Something went wrong", detail: error instanceof Error ? error.message : String(error), fields: [] };
}

const TITLES: Record<number, string> = {
  400: "Some values are not valid",
  401: "Please sign in again",
  403: "Not allowed",
  404: "Not found",
  409: "That is not possible right now",
  412: "Someone else saved first",
  413: "Too large",
  415: "Unsupported file",
  429: "Too many attempts",
  500: "The server failed",
  503: "The service is unavailable for a moment",
};

export function ErrorMessage({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { title, detail, requestId, fields } = describeError(error);
  return (
    <div className="error-box" role="alert">
      <p className="error-title">{title}</p>
      <p>{detail}</p>
      {fields.length > 0 && (
        <ul>
          {fields.map((field) => (
            <li key={field}>{field}</li>
          ))}
        </ul>
      )}
      {requestId && (
        <p className="muted small">
          Request id: <code>{requestId}</code>
        </p>
      )}
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
