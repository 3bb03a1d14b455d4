import request from "supertest";
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { usersRepo } from "@folio/db";
import { createLogger } from "@folio/logger";
import { startRedis, type RedisServer } from "@folio/testkit";
import { ensureFirstAdmin } from "../src/domain/bootstrap.js";
import { ADMIN, createEditor, createHarness, testLogger, type Harness } from "./harness.js";

/** A fresh email per test, so counters left by earlier runs (a Redis given in the environment) do not count. */
const victim = () => `victim-${randomUUID()}@folio.test`;

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ env: { LOGIN_RATE_LIMIT: "5" } });
});
afterAll(() => h.close());

describe("login", () => {
  it("when the password is right, then it returns a token that authenticates", async () => {
    const res = await request(h.app).post("/v1/auth/login").send(ADMIN);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ email: ADMIN.email, role: "admin" });
    const me = await request(h.app).get("/v1/auth/me").set("authorization", `Bearer ${res.body.token}`);
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(ADMIN.email);
  });

  it("when the email is unknown or the password wrong, then both answers are the same 401", async () => {
    const unknown = await request(h.app).post("/v1/auth/login").send({ email: "nobody@folio.test", password: "whatever it is" });
    const wrong = await request(h.app).post("/v1/auth/login").send({ email: ADMIN.email, password: "not the password" });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined, instance: undefined });
    expect(strip(unknown.body)).toEqual(strip(wrong.body));
  });

  it("when one client keeps guessing, then it is rate limited with 429 and Retry-After", async () => {
    const email = victim();
    const attempt = () => request(h.app).post("/v1/auth/login").send({ email, password: "guess guess" });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await attempt()).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe("rate_limited");
    expect(limited.headers["retry-after"]).toBeDefined();
  });

  it("when the guesses are spread over two API replicas, then they count together", async () => {
    const other = await h.replica();
    try {
      const email = victim();
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const app = i % 2 === 0 ? h.app : other.app;
        statuses.push((await request(app).post("/v1/auth/login").send({ email, password: "guess guess" })).status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    } finally {
      other.close();
    }
  });

  it("when a login succeeds, then it does not count towards the limit", async () => {
    for (let i = 0; i < 7; i++) expect((await request(h.app).post("/v1/auth/login").send(ADMIN)).status).toBe(200);
  });

  it("when the login body has an unknown field, then it is a 400 naming the field", async () => {
    const res = await request(h.app).post("/v1/auth/login").send({ ...ADMIN, remember: true });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toContain("remember");
  });
});

describe("login rate limit when Redis is down", () => {
  let redis: RedisServer;
  let down: Harness;
  beforeAll(async () => {
    // Its own Redis and API, because this block stops the server.
    redis = await startRedis({ allowExternal: false });
    down = await createHarness({ redisUrl: redis.url, env: { LOGIN_RATE_LIMIT: "3" } });
  });
  afterAll(async () => {
    await down.close();
    await redis.dispose();
  });

  it("then logins still work, guessing is still limited by each replica on its own, and Redis counts again once it is back", async () => {
    const guess = (email: string) => request(down.app).post("/v1/auth/login").send({ email, password: "guess guess" });
    await redis.stop();
    expect((await request(down.app).post("/v1/auth/login").send(ADMIN)).status).toBe(200);
    const email = victim();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await guess(email)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);

    await redis.start();
    // Once the connection is back, a guess leaves its counter in Redis again, with the window as its TTL.
    const counterInRedis = async () => {
      const email = victim();
      expect((await guess(email)).status).toBe(401);
      const [key] = await down.redis.keys(`folio:rate-limit:login:*|${email}`).catch(() => []);
      return key === undefined ? -1 : down.redis.pttl(key);
    };
    await expect.poll(counterInRedis, { timeout: 10_000, interval: 200 }).toBeGreaterThan(0);
  });
});

describe("login rate limit when Redis refuses its command", () => {
  let redis: RedisServer;
  let refusing: Harness;
  const logged: { level: string; msg: string }[] = [];
  beforeAll(async () => {
    redis = await startRedis({ allowExternal: false });
    const logger = createLogger({ name: "api-test", level: "info" }, new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split("\n").filter(Boolean)) logged.push(JSON.parse(line));
        done();
      },
    }));
    refusing = await createHarness({ redisUrl: redis.url, logger, env: { LOGIN_RATE_LIMIT: "3" } });
  });
  afterAll(async () => {
    await refusing.close();
    await redis.dispose();
  });

  it("then the attempt is still counted, in this process, and the refusal is logged as an error, not as an outage", async () => {
    const email = victim();
    const guess = () => request(refusing.app).post("/v1/auth/login").send({ email, password: "guess guess" });
    expect((await guess()).status).toBe(401);
    // Something else wrote a string into the counter: INCR answers "ERR value is not an integer".
    const [key] = await refusing.redis.keys(`folio:rate-limit:login:*|${email}`);
    await refusing.redis.set(key!, "not a number");

    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await guess()).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const refusal = logged.find((line) => line.msg.startsWith("redis refused a rate limit command"));
    expect(refusal?.level).toBe("error");
    expect(logged.filter((line) => line.msg.startsWith("rate limit counters unavailable"))).toEqual([]);
  });
});

describe("tokens", () => {
  it("when a write has no token, then the answer is 401 with WWW-Authenticate", async () => {
    const res = await request(h.app).post("/v1/articles").send({ title: "x" });
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toMatch(/^Bearer/);
  });

  it("when the token is garbage or signed with another key, then the answer is 401", async () => {
    const forged =
      "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYWRtaW4iLCJzdWIiOiIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAifQ.c2lnbmF0dXJl";
    for (const token of ["garbage", forged]) {
      const res = await request(h.app).get("/v1/auth/me").set("authorization", `Bearer ${token}`);
      expect(res.status).toBe(401);
    }
  });

  it("when the user behind a token is deleted, then the token stops working at once", async () => {
    const admin = await h.login();
    const editor = await createEditor(h, admin);
    expect((await request(h.app).get("/v1/auth/me").set("authorization", editor.token)).status).toBe(200);
    expect((await request(h.app).delete(`/v1/users/${editor.id}`).set("authorization", admin)).status).toBe(204);
    expect((await request(h.app).get("/v1/auth/me").set("authorization", editor.token)).status).toBe(401);
  });
});

describe("roles", () => {
  it("when an editor lists or creates users, then the answer is 403", async () => {
    const editor = await createEditor(h, await h.login());
    expect((await request(h.app).get("/v1/users").set("authorization", editor.token)).status).toBe(403);
    const create = await request(h.app)
      .post("/v1/users")
      .set("authorization", editor.token)
      .send({ email: "x@folio.test", name: "X", role: "admin", password: "long enough password" });
    expect(create.status).toBe(403);
    expect(create.body.code).toBe("forbidden");
  });

  it("when an admin creates a user with a taken email, then the answer is 409", async () => {
    const admin = await h.login();
    const res = await request(h.app)
      .post("/v1/users")
      .set("authorization", admin)
      .send({ email: ADMIN.email.toUpperCase(), name: "Dup", role: "editor", password: "long enough password" });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("email_taken");
  });

  it("when the last admin would be demoted, then the answer is 409 and the role stays", async () => {
    const admin = await h.login();
    const me = await request(h.app).get("/v1/auth/me").set("authorization", admin);
    const res = await request(h.app).patch(`/v1/users/${me.body.id}`).set("authorization", admin).send({ role: "editor" });
    expect(res.status).toBe(409);
    expect((await usersRepo.findById(h.pool, me.body.id))?.role).toBe("admin");
  });

  it("when the password is too short, then the problem says so", async () => {
    const res = await request(h.app)
      .post("/v1/users")
      .set("authorization", await h.login())
      .send({ email: "short@folio.test", name: "S", role: "editor", password: "short" });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ in: "body", path: "password" })]);
  });
});

describe("first admin", () => {
  it("when several replicas start at once, then exactly one admin is created", async () => {
    await h.pool.query("DELETE FROM users");
    await Promise.all(Array.from({ length: 5 }, () => ensureFirstAdmin(h.pool, testLogger, "first@folio.test", "first admin password")));
    expect(await usersRepo.countAdmins(h.pool)).toBe(1);
    await ensureFirstAdmin(h.pool, testLogger, "second@folio.test", "second admin password");
    expect(await usersRepo.findByEmail(h.pool, "second@folio.test")).toBeUndefined();
  });
});
