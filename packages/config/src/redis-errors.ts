/**
 * What a failed Redis command means, for every caller that maps Redis errors to answers:
 *   - unavailable: Redis could not be reached, the connection dropped, a command timed out, or the server says it
 *     cannot serve now (loading its data set, a script is busy, out of memory, a replica that is read-only).
 *     Retrying later can succeed: 503 with Retry-After.
 *   - anything else, above all a ReplyError (the server answered "ERR …" or "WRONGTYPE …"): Redis is there, the
 *     command was wrong. A bug, or input that should have been validated first: retrying the same request fails
 *     the same way, so it must not be reported as an outage that clients retry forever.
 */
import { isNetworkError } from "./network-errors.js";

/** Reply prefixes that describe the server's state, not the command (https://redis.io/docs/latest/develop/reference/protocol-spec/#simple-errors). */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|OOM)\b/;

/** ioredis's own messages for a command that never got an answer. */
const CONNECTION_MESSAGES = [
  "Connection is closed.",
  "Command timed out",
  "Stream isn't writeable and enableOfflineQueue options is false",
  "connect ETIMEDOUT",
  "Socket timeout.",
];

/** The server's error reply to a command (ioredis re-exports redis-errors' ReplyError; compared by name, as pnpm may hold two copies). */
export function isRedisReplyError(error: unknown): boolean {
  return error instanceof Error && error.name === "ReplyError";
}

export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (isRedisReplyError(error)) return TRANSIENT_REPLY.test(error.message);
  if (isNetworkError(error) || error.name === "MaxRetriesPerRequestError") return true;
  return CONNECTION_MESSAGES.some((message) => error.message.startsWith(message));
}
