import { once } from "node:events";
import { connect, createServer, type Server, type Socket } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TcpProxy } from "./tcp-proxy.js";

let echo: Server;
let proxy: TcpProxy;
const clients: Socket[] = [];

beforeEach(async () => {
  // Answers every chunk with "echo:" and the chunk.
  echo = createServer((socket) => socket.on("data", (chunk) => socket.write(`echo:${chunk}`))).listen(0, "127.0.0.1");
  await once(echo, "listening");
  proxy = await TcpProxy.start({ host: "127.0.0.1", port: (echo.address() as { port: number }).port });
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await proxy.close();
  echo.close();
});

async function open(): Promise<Socket> {
  const client = connect(proxy.port, "127.0.0.1");
  clients.push(client);
  await once(client, "connect");
  return client;
}

async function reply(client: Socket, text: string): Promise<string> {
  client.write(text);
  const [chunk] = await once(client, "data");
  return String(chunk);
}

describe("TcpProxy", () => {
  it("when nothing is held, then bytes go both ways unchanged", async () => {
    expect(await reply(await open(), "ping")).toBe("echo:ping");
  });

  it("when the connections are cut, then the client sees its connection close", async () => {
    const client = await open();
    const closed = once(client, "close");
    proxy.cut();
    await closed;
  });

  it("when it refuses, then new connections get ECONNREFUSED; when it accepts again, then they work on the same port", async () => {
    const port = proxy.port;
    await proxy.refuse();
    const refused = connect(port, "127.0.0.1");
    const [error] = (await once(refused, "error")) as [NodeJS.ErrnoException];
    expect(error.code).toBe("ECONNREFUSED");

    await proxy.accept();

    expect(proxy.port).toBe(port);
    expect(await reply(await open(), "again")).toBe("echo:again");
  });

  it("when a reply is held, then it arrives only after release, with what followed it", async () => {
    const client = await open();
    const hold = proxy.hold("to-client", "ECHO:FIRST");
    let received = "";
    client.on("data", (chunk) => (received += chunk));

    client.write("first");
    await hold.held;
    client.write("second");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received).toBe("");

    hold.release();
    await expect.poll(() => received).toBe("echo:firstecho:second");
  });
});
