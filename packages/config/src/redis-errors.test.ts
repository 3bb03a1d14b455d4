import { Redis, ReplyError } from "ioredis";
import { describe, expect, it } from "vitest";
import { isRedisUnavailable } from "./redis-errors.js";

const reply = (message: string): Error => new ReplyError(message) as Error;

describe("Redis errors", () => {
  it("when Redis cannot be reached, then the command's error counts as unavailable", async () => {
    // Port 1 is closed: the connect is refused at once, as when Redis is down.
    const failFast = new Redis("redis://127.0.0.1:1", { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => null });
    const retrying = new Redis("redis://127.0.0.1:1", { maxRetriesPerRequest: 1, retryStrategy: () => 10 });
    for (const redis of [failFast, retrying]) redis.on("error", () => {});
    try {
      for (const redis of [failFast, retrying]) {
        const error = await redis.get("x").catch((e: unknown) => e);
        expect(isRedisUnavailable(error), String(error)).toBe(true);
      }
    } finally {
      failFast.disconnect();
      retrying.disconnect();
    }
  });

  it("when the server rejects the command itself, then it is not an outage", () => {
    for (const message of ["ERR invalid start ID for the interval", "ERR Invalid stream ID specified as stream command argument", "WRONGTYPE Operation against a key holding the wrong kind of value"]) {
      expect(isRedisUnavailable(reply(message)), message).toBe(false);
    }
  });

  it("when the server says it cannot serve now (loading, busy, out of memory, read-only), then it counts as unavailable", () => {
    for (const message of ["LOADING Redis is loading the dataset in memory", "BUSY Redis is busy running a script", "OOM command not allowed when used memory > 'maxmemory'.", "READONLY You can't write against a read only replica."]) {
      expect(isRedisUnavailable(reply(message)), message).toBe(true);
    }
  });

  it("when the error is a timeout or a network code, then it counts as unavailable; a plain bug does not", () => {
    expect(isRedisUnavailable(new Error("Command timed out"))).toBe(true);
    expect(isRedisUnavailable(Object.assign(new Error("connect EHOSTUNREACH 10.0.0.9:6379"), { code: "EHOSTUNREACH" }))).toBe(true);
    expect(isRedisUnavailable(new TypeError("Cannot read properties of undefined"))).toBe(false);
    expect(isRedisUnavailable(undefined)).toBe(false);
  });
});
