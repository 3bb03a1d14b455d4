import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { isNetworkError } from "./network-errors.js";

const withCode = (code: string) => Object.assign(new Error(`connect ${code} 10.0.0.9:5432`), { code });

describe("network errors", () => {
  it("when a host or its network is unreachable, then the error counts as a network error", () => {
    for (const code of ["EHOSTUNREACH", "ENETUNREACH", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EAI_AGAIN", "ENOTFOUND", "EPIPE", "ECONNABORTED"]) {
      expect(isNetworkError(withCode(code)), code).toBe(true);
    }
  });

  it("when every address of a name failed (an AggregateError), then it counts; a wrapper's cause does not", () => {
    expect(isNetworkError(new AggregateError([withCode("ENETUNREACH"), withCode("EHOSTUNREACH")], "connect failed"))).toBe(true);
    // Wrappers such as StorageUnavailableError say whose outage it is; following the cause would blur that.
    expect(isNetworkError(new Error("object storage unavailable", { cause: withCode("EHOSTUNREACH") }))).toBe(false);
  });

  it("when the error is anything else, then it is not a network error", () => {
    for (const error of [new Error("syntax error"), withCode("22P02"), withCode("ENOENT"), undefined, null, "ECONNREFUSED", { code: 7 }]) {
      expect(isNetworkError(error)).toBe(false);
    }
  });

  it("when a real connection to a closed local port fails, then its error counts as a network error", async () => {
    const error = await new Promise<unknown>((resolve) => {
      // Port 1 (tcpmux) is closed on any ordinary machine; the kernel refuses at once.
      const socket = connect({ host: "127.0.0.1", port: 1 });
      socket.once("error", resolve);
      socket.once("connect", () => {
        socket.destroy();
        resolve(undefined);
      });
    });
    expect(isNetworkError(error)).toBe(true);
  });
});
