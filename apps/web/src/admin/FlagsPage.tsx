/** The feature flags the API process serving this request sees (read-only; they come from a ConfigMap). */
import { useLoaderData, type LoaderFunctionArgs } from "react-router";
import { getFlags } from "../api/editor.ts";
import { requireSession } from "../editor/auth.ts";
import { formatDateTime } from "../ui/format.ts";

export async function loader({ request }: LoaderFunctionArgs) {
  requireSession(request);
  return getFlags(request.signal);
}

export function FlagsPage() {
  const snapshot = useLoaderData<typeof loader>();
  const flags = Object.entries(snapshot.flags).sort(([a], [b]) => a.localeCompare(b));
  return (
    <>
      <title>Feature flags · Folio editor</title>
      <h1>Feature flags</h1>
      <p>
        Read-only: flags come from {snapshot.source ? <code>{snapshot.source}</code> : "no file"} (a ConfigMap in Kubernetes), loaded{" "}
        {formatDateTime(snapshot.loadedAt)}. Each API replica reads the file by itself, so replicas can differ for a few seconds after a
        change.
      </p>
      {snapshot.error && (
        <div className="warning" role="status">
          <p>
            <strong>The file&apos;s current content was not applied</strong>; the last good flags are shown.
          </p>
          <p>
            <code>{snapshot.error}</code>
          </p>
        </div>
      )}
      {flags.length === 0 ? (
        <p>No flags are set.</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Flag</th>
              <th scope="col">Value</th>
              <th scope="col">Type</th>
            </tr>
          </thead>
          <tbody>
            {flags.map(([name, value]) => (
              <tr key={name}>
                <th scope="row">
                  <code>{name}</code>
                </th>
                <td>
                  <code>{JSON.stringify(value)}</code>
                </td>
                <td>{typeof value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export { FlagsPage as Component };
