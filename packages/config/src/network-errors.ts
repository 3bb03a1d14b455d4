/**
 * Which errors mean "the other end cannot be reached right now", for every client of a backing service (the
 * PostgreSQL pool, the S3 client, ioredis). One list, so that a code found missing on a real cluster (EHOSTUNREACH
 * when a node dies) is added once and every service answers 503 for it, instead of one of them answering 500.
 *
 * It lives here because @folio/config has no dependencies of its own and is the package every service already
 * builds on.
 */

/**
 * Node's errno codes for a connection that could not be made, was cut, or timed out
 * (https://nodejs.org/api/errors.html#common-system-errors). ECONNABORTED is what some clients (pg, the AWS SDK's
 * handler) set on a connection they gave up themselves.
 */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED", // nothing listens: the server is down or restarting
  "ECONNRESET", // the peer closed the connection mid-conversation
  "ECONNABORTED",
  "ETIMEDOUT", // connect or read timed out
  "EHOSTUNREACH", // no route to the host: on Kubernetes, the node of the pod is gone
  "EHOSTDOWN",
  "ENETUNREACH", // no route to the network
  "ENETDOWN",
  "EPIPE", // writing to a connection the peer already closed
  "ENOTFOUND", // DNS: the name does not exist (yet): a Service being created, a typo
  "EAI_AGAIN", // DNS: temporary failure (CoreDNS restarting)
]);

/**
 * True when `error` carries one of NETWORK_ERROR_CODES, or is an AggregateError of such errors (Node's
 * happy-eyeballs connect tries every address of a name and reports the failures together).
 *
 * `cause` is deliberately not followed: a wrapper such as StorageUnavailableError exists so that callers can tell
 * whose outage it is, and an S3 failure must not look like a database one.
 */
export function isNetworkError(error: unknown): boolean {
  if (!error || typeof error !== "object") return false;
  const { code, errors } = error as { code?: unknown; errors?: unknown };
  if (typeof code === "string" && NETWORK_ERROR_CODES.has(code)) return true;
  return Array.isArray(errors) && errors.some((inner) => isNetworkError(inner));
}
