import type { Server } from "node:http";

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
