import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./index.js";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, stream };
}

describe("createLogger", () => {
  it("when an object carries a password or an authorization header, then both are redacted", () => {
    const { lines, stream } = capture();
    const logger = createLogger({ name: "test" }, stream);
    logger.info({ user: { email: "a@b.c", password: "hunter2" }, req: { headers: { authorization: "Bearer abc" } } }, "login");
    const text = JSON.stringify(lines[0]);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("Bearer abc");
    expect(text).toContain("[redacted]");
    expect(text).toContain("a@b.c");
  });

  it("when a config object is logged, then the database URL and JWT secret are redacted", () => {
    const { lines, stream } = capture();
    const logger = createLogger({ name: "test" }, stream);
    logger.info({ config: { DATABASE_URL: "postgres://u:pw@db/x", JWT_SECRET: "s3cr3t", PORT: 8080 } }, "starting");
    const text = JSON.stringify(lines[0]);
    expect(text).not.toContain("pw@db");
    expect(text).not.toContain("s3cr3t");
    expect(text).toContain("8080");
  });

  it("when logging, then the level is a label and the time is ISO", () => {
    const { lines, stream } = capture();
    createLogger({ name: "test" }, stream).warn("careful");
    expect(lines[0]).toMatchObject({ level: "warn", name: "test", msg: "careful" });
    expect(String(lines[0]?.time)).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});

describe("createHttpLogger", () => {
  it("when a request carries credentials, then its access line has only method, url, id and status", async () => {
    const { createHttpLogger } = await import("./index.js");
    const { lines, stream } = capture();
    const middleware = createHttpLogger(createLogger({ name: "test" }, stream));
    const { EventEmitter } = await import("node:events");
    const req = Object.assign(new EventEmitter(), {
      method: "POST",
      url: "/v1/auth/login",
      headers: { authorization: "Bearer secret-token", cookie: "session=abc" },
      socket: {},
    });
    const res = Object.assign(new EventEmitter(), { statusCode: 200, setHeader: () => {}, getHeader: () => undefined, getHeaders: () => ({}) });
    middleware(req as never, res as never, () => {});
    res.emit("finish");
    const text = JSON.stringify(lines);
    expect(lines.length).toBe(1);
    expect(text).toContain("/v1/auth/login");
    expect(text).not.toContain("secret-token");
    expect(text).not.toContain("session=abc");
  });
});
