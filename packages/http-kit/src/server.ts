import type { Server } from "node:http";
import type { Duplex } from "node:stream";
import { PROBLEM_CONTENT_TYPE, TITLES, problemType } from "./errors.js";

/**
 * Stops accepting connections and resolves once every in-flight request has finished.
 * server.close() alone waits for keep-alive sockets that go idle after it was called (a client that
 * just got its response keeps the socket open), so idle sockets are closed as soon as they appear.
 * The caller's shutdown deadline bounds a request that never finishes.
 */
export function closeHttpServer(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.close((error) => {
      clearInterval(sweep);
      if (error && (error as NodeJS.ErrnoException).code !== "ERR_SERVER_NOT_RUNNING") reject(error);
      else resolve();
    });
    server.closeIdleConnections();
  });
}

/** What Node's HTTP parser refused, as a status and a problem code (the statuses Node itself would send). */
function clientErrorAnswer(code: string | undefined): { status: number; code: string; detail: string } {
  switch (code) {
    case "HPE_HEADER_OVERFLOW":
      return { status: 431, code: "headers_too_large", detail: "The request's headers, its URL included, are larger than this server accepts." };
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return { status: 413, code: "body_too_large", detail: "The request's chunk extensions are larger than this server accepts." };
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return { status: 408, code: "request_timeout", detail: "The request was not received in time." };
    default:
      return { status: 400, code: "malformed_request", detail: "The request is not valid HTTP/1.1." };
  }
}

/**
 * Answers what Node's HTTP parser refuses (headers or a URL too large, a bad Content-Length, control characters, a
 * garbage request line) with a problem+json body, as every other error of the API is answered. Node's default
 * answer is a bare status line; no Express middleware ever sees these requests, so this is the only place to do it.
 * The connection is closed afterwards: the parser cannot find where the next request would start.
 * https://nodejs.org/api/http.html#event-clienterror
 */
export function answerClientErrors<S extends Server>(server: S): S {
  server.on("clientError", (error: NodeJS.ErrnoException & { reason?: string }, socket: Duplex) => {
    // A response already under way on this socket (keep-alive) cannot be followed by another one.
    const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === "ECONNRESET" || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const answer = clientErrorAnswer(error.code);
    // llhttp's reason ("Invalid header value char") is a fixed string, safe and useful to show.
    const reason = typeof error.reason === "string" && error.reason ? ` ${error.reason}.` : "";
    const body = JSON.stringify({
      type: problemType(answer.code),
      title: TITLES[answer.status] ?? "Error",
      status: answer.status,
      detail: `${answer.detail}${answer.status === 400 ? reason : ""}`,
      code: answer.code,
    });
    socket.end(
      `HTTP/1.1 ${answer.status} ${TITLES[answer.status] ?? "Error"}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        "Connection: close\r\n\r\n" +
        body,
      () => socket.destroy(),
    );
  });
  return server;
}
