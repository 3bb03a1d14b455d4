/**
 * What arrives below Express: requests Node's HTTP parser refuses, and clients that hang up in the middle of a body.
 * Raw TCP sockets (node:net) against the server built as main.ts builds it, so nothing normalises the bytes.
 */
import { createServer, type Server } from "node:http";
import { once } from "node:events";
import { connect } from "node:net";
import { Writable } from "node:stream";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerClientErrors } from "@folio/http-kit";
import { createLogger } from "@folio/logger";
import { rawHttp, waitFor } from "@folio/testkit";
import { PNG_1X1, createHarness, type Harness } from "./harness.js";

/** Every line the app logs, parsed. */
const lines: { level: string; msg: string; req?: { url?: string }; res?: { statusCode?: number }; err?: unknown }[] = [];
const logger = createLogger({ name: "api-test", level: "debug" }, new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
}));

let h: Harness;
let token: string;
let server: Server;
let port: number;
beforeAll(async () => {
  h = await createHarness({ logger });
  token = await h.login();
  server = answerClientErrors(createServer(h.app));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await h.close();
});

describe("requests the HTTP parser refuses", () => {
  const cases = [
    ["huge headers", `GET /v1/public/articles HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`, 431, "headers_too_large"],
    ["a huge URL", `GET /v1/public/articles?q=${"a".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431, "headers_too_large"],
    ["a Content-Length that is not a number", "POST /v1/articles HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400, "malformed_request"],
    ["two Content-Lengths", "POST /v1/articles HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400, "malformed_request"],
    ["a control character in a header", "GET /v1/public/articles HTTP/1.1\r\nHost: x\r\nX-Odd: a\u0001b\r\n\r\n", 400, "malformed_request"],
    ["a garbage request line", "HELLO THERE\r\n\r\n", 400, "malformed_request"],
  ] as const;

  for (const [what, raw, status, code] of cases) {
    it(`when a request has ${what}, then the answer is ${status} problem+json and the connection closes`, async () => {
      const response = await rawHttp(port, raw);
      expect(response.status).toBe(status);
      expect(response.headers["content-type"]).toBe("application/problem+json");
      expect(response.headers.connection).toBe("close");
      expect(JSON.parse(response.body)).toMatchObject({ status, code, type: `urn:folio:problem:${code}`, detail: expect.any(String) });
    });
  }

  it("when a good request follows on another connection, then it is answered as usual", async () => {
    expect((await request(server).get("/v1/public/articles")).status).toBe(200);
  });
});

describe("clients that hang up mid-body", () => {
  /**
   * Sends the head and part of the body, then destroys the socket after `delayMs`. Nothing the server does can be
   * observed from outside before it answers, so the delays only make each path likely: 0 hangs up before the
   * handler runs (while authentication queries the database), 300 while the handler reads the body. The
   * assertions hold on either path.
   */
  async function hangUp(head: string, partialBody: Buffer, delayMs: number): Promise<void> {
    const socket = connect(port, "127.0.0.1");
    await once(socket, "connect");
    socket.write(head);
    socket.write(partialBody);
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    socket.destroy();
  }

  const accessLine = (url: string) => lines.find((line) => line.req?.url === url && line.res !== undefined);
  /** The error handler's line: the handler has finished, whichever path the hang-up took. */
  const handled = (url: string) => lines.find((line) => line.req?.url === url && line.msg === "the client closed the connection before sending the whole request");
  /** Lines about one request (the access line and anything logged through req.log) at error level or above. */
  const errorLines = (url: string) => lines.filter((line) => line.req?.url === url && (line.level === "error" || line.level === "fatal"));

  it.each([0, 300])("when a JSON body is cut off (after %i ms), then nothing is logged as an error and no 500 is counted", async (delayMs) => {
    const url = `/v1/articles?cut=json-${delayMs}`;
    await hangUp(
      `POST ${url} HTTP/1.1\r\nHost: x\r\nAuthorization: ${token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`,
      Buffer.from('{"title": "cut'),
      delayMs,
    );
    expect((await waitFor(() => handled(url), { description: "the handler to finish" })).level).toBe("info");
    expect(["info", "warn"]).toContain(accessLine(url)?.level);
    expect(errorLines(url)).toEqual([]);
    expect((await request(h.app).get("/metrics")).text).not.toMatch(/status="5\d\d"/);
    expect(Number((await h.pool.query("SELECT count(*) FROM articles")).rows[0].count)).toBe(0);
  });

  it.each([0, 300])("when an upload is cut off (after %i ms), then nothing is logged as an error, and no row or object is left", async (delayMs) => {
    const url = `/v1/media?cut=upload-${delayMs}`;
    const boundary = "cut-boundary";
    const start = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.png"\r\nContent-Type: image/png\r\n\r\n`),
      PNG_1X1,
      Buffer.alloc(64 * 1024, 1),
    ]);
    await hangUp(
      `POST ${url} HTTP/1.1\r\nHost: x\r\nAuthorization: ${token}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${1024 * 1024}\r\n\r\n`,
      start,
      delayMs,
    );
    // Without its own listener on the request, the upload would wait for the rest of the body forever.
    expect((await waitFor(() => handled(url), { description: "the upload handler to finish" })).level).toBe("info");
    expect(["info", "warn"]).toContain(accessLine(url)?.level);
    let objects = 0;
    for await (const _object of h.storage.list("media/")) objects++;
    expect(objects).toBe(0);
    expect(Number((await h.pool.query("SELECT count(*) FROM media")).rows[0].count)).toBe(0);
    expect(errorLines(url)).toEqual([]);
    expect((await request(h.app).get("/metrics")).text).not.toMatch(/status="5\d\d"/);
  });
});
