/**
 * What reaches the error handler from below the routes (Express's router, body-parser, Node's HTTP parser) and
 * strings no text column can hold. Real Express apps and real sockets; the API's own tests cover the routes.
 */
import { once } from "node:events";
import { createServer } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { Writable } from "node:stream";
import zlib from "node:zlib";
import express from "express";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createHttpLogger, createLogger } from "@folio/logger";
import { ApiRouter, answerClientErrors, errorHandler, findUnstorableText, notFoundHandler, unstorableText } from "./index.js";

const logger = createLogger({ name: "test", level: "silent" }, new Writable({ write: (_c, _e, done) => done() }));

function buildApp() {
  const api = new ApiRouter({ auth: { public: [], user: [], admin: [] }, jsonLimit: 1000 });
  api.add(
    {
      method: "post",
      path: "/notes/:name",
      operationId: "addNote",
      summary: "Add a note",
      tags: ["notes"],
      auth: "public",
      params: z.object({ name: z.string() }),
      body: z.strictObject({ text: z.string(), tags: z.array(z.string()).default([]) }),
      responses: { 201: { description: "added" } },
    },
    ({ body }, _req, res) => {
      res.status(201).json(body);
    },
  );
  const app = express();
  app.use(createHttpLogger(logger));
  app.use(api.router);
  app.use(notFoundHandler);
  app.use(errorHandler({ logger }));
  return app;
}

describe("text no column can hold", () => {
  it("when a string holds NUL or a lone surrogate, then it is reported; a surrogate pair and other controls are fine", () => {
    expect(unstorableText("a\u0000b")).toMatch(/NUL/);
    expect(unstorableText("half \ud83d")).toMatch(/surrogate/);
    expect(unstorableText("\ude00 half")).toMatch(/surrogate/);
    expect(unstorableText("emoji \ud83d\ude00, tab\t, bell \u0007")).toBeUndefined();
  });

  it("when strings are nested in objects and arrays, then each bad one is named by its path", () => {
    expect(findUnstorableText("body", { a: "ok", b: ["fine", "x\u0000"], c: { d: "\ud800" } })).toEqual([
      { in: "body", path: "b.1", message: expect.stringMatching(/NUL/) },
      { in: "body", path: "c.d", message: expect.stringMatching(/surrogate/) },
    ]);
  });

  it("when a body is nested a hundred thousand levels deep, then the walk does not overflow the stack", () => {
    const deep = JSON.parse(`${"[".repeat(100_000)}"\\u0000"${"]".repeat(100_000)}`);
    expect(findUnstorableText("body", deep)).toHaveLength(1);
  });

  it("when a request carries such a string anywhere, then 400 validation names the field before the schema runs", async () => {
    const res = await request(buildApp()).post("/notes/a%00b").send({ text: "ok", tags: ["fine", "bad\u0000"] });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ in: "params", path: "name", message: expect.stringMatching(/NUL/) }]);
    const body = await request(buildApp()).post("/notes/n").send({ text: "ok", tags: ["fine", "bad\u0000"] });
    expect(body.body.errors).toEqual([{ in: "body", path: "tags.1", message: expect.stringMatching(/NUL/) }]);
  });
});

describe("errors with a 4xx status from Express and body-parser", () => {
  it("when a path has invalid percent-encoding, then the router's URIError becomes 400 invalid_path", async () => {
    const res = await request(buildApp()).post("/notes/%C0%AE").send({ text: "x" });
    expect(res.status).toBe(400);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: "invalid_path", status: 400 });
  });

  it("when a body does not decompress as its Content-Encoding says, then 400 invalid_content_encoding", async () => {
    for (const encoding of ["gzip", "deflate", "br", "zstd"]) {
      const res = await request(buildApp())
        .post("/notes/n")
        .set("content-type", "application/json")
        .set("content-encoding", encoding)
        .serialize((body: unknown) => body as string)
        .send(Buffer.from('{"text": "plain, not compressed"}'));
      expect(res.status, encoding).toBe(400);
      expect(res.body).toMatchObject({ code: "invalid_content_encoding" });
    }
  });

  it("when a gzip body ends early, then 400 invalid_content_encoding too", async () => {
    const truncated = zlib.gzipSync('{"text": "cut short"}').subarray(0, 15);
    const res = await request(buildApp())
      .post("/notes/n")
      .set("content-type", "application/json")
      .set("content-encoding", "gzip")
      .serialize((body: unknown) => body as string)
      .send(truncated);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("invalid_content_encoding");
  });

  it("when an unknown error carries a 4xx status, then that status is answered with a problem, not 500", async () => {
    const app = express();
    app.get("/teapot", () => {
      throw Object.assign(new Error("short and stout"), { status: 418, expose: true });
    });
    app.get("/hidden", () => {
      throw Object.assign(new Error("internal detail"), { statusCode: 409 });
    });
    app.use(errorHandler({ logger }));
    const teapot = await request(app).get("/teapot");
    expect(teapot.status).toBe(418);
    expect(teapot.body).toMatchObject({ code: "client_error", detail: "Short and stout." });
    const hidden = await request(app).get("/hidden");
    expect(hidden.status).toBe(409);
    expect(hidden.body.detail).not.toContain("internal detail");
  });
});

describe("answerClientErrors", () => {
  it("when Node's parser refuses a request, then a problem+json answer is written and the connection closed", async () => {
    const server = answerClientErrors(createServer(buildApp())).listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    try {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, "127.0.0.1", () => socket.write("POST /notes/n HTTP/1.1\r\nHost: x\r\nContent-Length: 12x\r\n\r\n"));
        let text = "";
        socket.on("data", (chunk) => (text += chunk.toString()));
        socket.on("close", () => resolve(text));
        socket.on("error", reject);
      });
      const [head, body] = answer.split("\r\n\r\n");
      expect(head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(head).toMatch(/\r\nContent-Type: application\/problem\+json\r\n/);
      expect(head).toMatch(/\r\nConnection: close/);
      expect(JSON.parse(body!)).toEqual({
        type: "urn:folio:problem:malformed_request",
        title: "Bad Request",
        status: 400,
        code: "malformed_request",
        detail: "The request is not valid HTTP/1.1. Invalid character in Content-Length.",
      });
    } finally {
      server.close();
    }
  });
});
