import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http, isLocalName, localLookup } from "./http.ts";

describe("local names", () => {
  it("treats *.localtest.me and localhost as this machine", () => {
    expect(isLocalName("api.folio.localtest.me")).toBe(true);
    expect(isLocalName("FOLIO.LOCALTEST.ME.")).toBe(true);
    expect(isLocalName("localhost")).toBe(true);
    expect(isLocalName("localtest.me.example.com")).toBe(false);
  });

  it("resolves them to 127.0.0.1 without DNS", async () => {
    const address = await new Promise((resolve, reject) => localLookup("x.localtest.me", {}, (error, result) => (error ? reject(error) : resolve(result))));
    expect(address).toBe("127.0.0.1");
  });
});

describe("http", () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk));
      req.on("end", () => res.setHeader("content-type", "application/json").end(JSON.stringify({ host: req.headers.host, method: req.method, body })));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("when the URL names a localtest.me host, then it connects to 127.0.0.1 and sends that Host header", async () => {
    const response = await http(`http://api.folio.localtest.me:${port}/x`, { method: "POST", body: "hello" });
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ host: `api.folio.localtest.me:${port}`, method: "POST", body: "hello" });
  });

  it("when the server does not answer in time, then it rejects", async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const silentPort = (silent.address() as AddressInfo).port;
    await expect(http(`http://localhost:${silentPort}/`, { timeout: 200 })).rejects.toThrow(/abort|timeout/i);
    silent.closeAllConnections();
    silent.close();
  });
});
