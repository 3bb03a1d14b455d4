/**
 * The workshop's window on the cluster: node heartbeats and recent logs from the node agents, refreshed every
 * few seconds. When a node dies, its heartbeat goes late here, then the node is shown as gone.
 */
import { useRef, useState, type FormEvent } from "react";
import { useLoaderData, useSearchParams, type LoaderFunctionArgs } from "react-router";
import { listLogs, listNodes } from "../api/editor.ts";
import type { LogEntry } from "../api/types.ts";
import { requireSession } from "../editor/auth.ts";
import { NotAllowed } from "../editor/NotAllowed.tsx";
import { ErrorMessage } from "../ui/ErrorMessage.tsx";
import { formatBytes } from "../ui/format.ts";
import { usePolling } from "../ui/usePolling.ts";
import { LATE_AFTER_SECONDS, emptyMemory, observeNodes, type NodeView } from "./nodes.ts";

const REFRESH_MS = 5_000;

export function loader({ request }: LoaderFunctionArgs) {
  return { isAdmin: requireSession(request).user.role === "admin" };
}

export function OperationsPage() {
  const { isAdmin } = useLoaderData<typeof loader>();
  return isAdmin ? <Operations /> : <NotAllowed what="see the operations page" />;
}

function Operations() {
  const [params, setParams] = useSearchParams();
  const node = params.get("node") ?? "";
  const app = params.get("app") ?? "";
  const [auto, setAuto] = useState(true);
  const memory = useRef(emptyMemory());
  const nodes = usePolling("nodes", async (signal) => observeNodes(memory.current, await listNodes(signal), Date.now()), REFRESH_MS, auto);
  const logs = usePolling(`logs:${node}:${app}`, (signal) => listLogs({ node: node || undefined, app: app || undefined, limit: 100 }, signal), REFRESH_MS, auto);

  function filter(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = new URLSearchParams();
    for (const name of ["node", "app"]) {
      const value = String(form.get(name) ?? "").trim();
      if (value) next.set(name, value);
    }
    setParams(next);
  }

  return (
    <>
      <title>Operations · Folio editor</title>
      <h1>Operations</h1>
      <p>
        Heartbeats of the node agents and recent log lines of Folio&apos;s pods, as the API reads them from Redis. When a node
        dies, its heartbeat goes late here within {LATE_AFTER_SECONDS} seconds, and then the node is shown as gone.
      </p>
      <div className="toolbar">
        <label className="checkbox">
          <input type="checkbox" checked={auto} onChange={(event) => setAuto(event.target.checked)} /> Refresh every {REFRESH_MS / 1000} s
        </label>
        <button
          type="button"
          onClick={() => {
            nodes.refresh();
            logs.refresh();
          }}
        >
          Refresh now
        </button>
        {nodes.updatedAt !== undefined && <span className="muted small">Updated {new Date(nodes.updatedAt).toLocaleTimeString()}</span>}
      </div>

      <section aria-labelledby="nodes-title">
        <h2 id="nodes-title">Nodes</h2>
        {nodes.error !== undefined && (
          <>
            <p className="warning">The last refresh failed{nodes.data ? "; the table shows the last answer." : "."}</p>
            <ErrorMessage error={nodes.error} onRetry={nodes.refresh} />
          </>
        )}
        {nodes.data && <NodeTable nodes={nodes.data} selected={node} onShowLogs={(name) => setParams(name ? { node: name } : {})} />}
        {!nodes.data && nodes.error === undefined && <p className="muted">Loading…</p>}
      </section>

      <section aria-labelledby="logs-title">
        <h2 id="logs-title">Recent logs{node ? ` on ${node}` : ""}</h2>
        <form className="toolbar" onSubmit={filter} aria-label="Filter the logs">
          <div className="field inline">
            <label htmlFor="logs-node">Node</label>
            <select id="logs-node" name="node" defaultValue={node} key={`node:${node}`}>
              <option value="">All nodes</option>
              {nodes.data?.map((view) => (
                <option key={view.heartbeat.node} value={view.heartbeat.node}>
                  {view.heartbeat.node}
                </option>
              ))}
            </select>
          </div>
          <div className="field inline">
            <label htmlFor="logs-app">App</label>
            <input id="logs-app" name="app" defaultValue={app} key={`app:${app}`} placeholder="api, worker, folio-web…" />
          </div>
          <button type="submit">Show</button>
        </form>
        {logs.error !== undefined && <ErrorMessage error={logs.error} onRetry={logs.refresh} />}
        {logs.data && <LogTable entries={logs.data} />}
      </section>
    </>
  );
}

const STATE_TEXT = { live: "Live", late: "Late", gone: "Gone" } as const;

function NodeTable({ nodes, selected, onShowLogs }: { nodes: NodeView[]; selected: string; onShowLogs: (node: string) => void }) {
  if (nodes.length === 0) {
    return (
      <p>
        No node agent has sent a heartbeat. The agents run on every Kubernetes node (apps/agent, a DaemonSet); a laptop
        running <code>pnpm dev</code> has none.
      </p>
    );
  }
  return (
    <table className="table">
      <thead>
        <tr>
          <th scope="col">Node</th>
          <th scope="col">State</th>
          <th scope="col">Last heartbeat</th>
          <th scope="col">Agent</th>
          <th scope="col">Files tailed</th>
          <th scope="col">Not yet shipped</th>
          <th scope="col">
            <span className="visually-hidden">Logs</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {nodes.map(({ heartbeat, state, ageSeconds }) => (
          <tr key={heartbeat.node} className={`node-${state}`}>
            <th scope="row">{heartbeat.node}</th>
            <td>
              <span className={`badge badge-node-${state}`}>{STATE_TEXT[state]}</span>
            </td>
            <td>
              {Math.round(ageSeconds)} s ago
              {state !== "live" && <span className="small"> (expected every 5 s)</span>}
            </td>
            <td>{heartbeat.agentVersion}</td>
            <td>{heartbeat.filesTailed}</td>
            <td>{formatBytes(heartbeat.lagBytes)}</td>
            <td>
              <button type="button" onClick={() => onShowLogs(heartbeat.node)} aria-pressed={selected === heartbeat.node}>
                Logs
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function LogTable({ entries }: { entries: LogEntry[] }) {
  if (entries.length === 0) return <p className="muted">No log lines match.</p>;
  return (
    <div className="log-scroll">
      <table className="table logs">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Node</th>
            <th scope="col">Pod / container</th>
            <th scope="col">Level</th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.id} className={entry.level === "error" || entry.level === "fatal" || entry.stream === "stderr" ? "log-error" : undefined}>
              <td className="nowrap">
                <time dateTime={entry.time}>{new Date(entry.time).toLocaleTimeString()}</time>
              </td>
              <td>{entry.node}</td>
              <td>
                {entry.pod}
                <span className="muted"> / {entry.container}</span>
              </td>
              <td>{entry.level ?? entry.stream}</td>
              <td>
                <code className="log-message">{entry.message}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
export { OperationsPage as Component };
