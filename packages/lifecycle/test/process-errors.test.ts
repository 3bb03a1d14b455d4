/**
 * The error policy in a real process (test/fixtures/service.mjs), since what is being tested is whether Node keeps
 * the process alive: an unhandled rejection is logged and counted and the process keeps serving; an uncaught
 * exception is logged as fatal and the process drains through its shutdown and exits 1.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const SERVICE = fileURLToPath(new URL("fixtures/service.mjs", import.meta.url));

interface LogLine {
  level: string;
  msg: string;
  err?: { message: string; stack: string };
  [key: string]: unknown;
}

function startService(env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [SERVICE], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const lines: LogLine[] = [];
  let stderr = "";
  let buffered = "";
  child.stdout.on("data", (chunk: Buffer) => {
    buffered += chunk;
    const complete = buffered.split("\n");
    buffered = complete.pop()!;
    lines.push(...complete.filter(Boolean).map((line) => JSON.parse(line) as LogLine));
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
  const exited = once(child, "close").then(([code]) => code as number | null);
  const url = new Promise<string>((resolve, reject) => {
    const poll = setInterval(() => {
      const listening = lines.find((line) => line.msg === "listening");
      if (listening) {
        clearInterval(poll);
        resolve(`http://127.0.0.1:${listening.port as number}`);
      }
    }, 10);
    void exited.then((code) => {
      clearInterval(poll);
      reject(new Error(`the service exited with ${code} before listening:\n${stderr}`));
    });
  });
  return { child, lines, exited, url, stderr: () => stderr };
}

let service: ReturnType<typeof startService> | undefined;
afterEach(() => {
  service?.child.kill("SIGKILL");
});

describe("an error nobody handled", () => {
  it("when a promise rejection is not handled, then it is logged with its stack and counted, and the process keeps serving", async () => {
    service = startService();
    const url = await service.url;

    await fetch(`${url}/reject`);
    await fetch(`${url}/reject`);

    expect((await fetch(`${url}/`)).status).toBe(200);
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/^folio_unhandled_rejections_total 2$/m);
    // Log lines reach the pipe asynchronously (pino's stdout is asynchronous), so wait for them.
    const logged = () => service!.lines.filter((line) => line.msg === "unhandled promise rejection; still serving");
    await expect.poll(() => logged().length).toBe(2);
    expect(logged()[0]).toMatchObject({ level: "error", err: { message: "nobody handled this rejection" } });
    expect(logged()[0]!.err!.stack).toContain("service.mjs");
  });

  it("when an exception is not caught, then it is logged as fatal, the shutdown steps run and the process exits 1", async () => {
    service = startService();
    const url = await service.url;

    await fetch(`${url}/throw`);

    expect(await service.exited).toBe(1);
    const messages = service.lines.map((line) => line.msg);
    expect(messages).toEqual(expect.arrayContaining(["uncaught exception; shutting down", "shutting down", "shutdown step done", "shutdown complete"]));
    expect(service.lines.find((line) => line.msg === "uncaught exception; shutting down")).toMatchObject({
      level: "fatal",
      err: { message: "nobody caught this exception" },
    });
    expect(service.lines.find((line) => line.msg === "shutting down")).toMatchObject({ reason: "uncaughtException" });
    expect(service.lines.find((line) => line.msg === "shutdown complete")).toMatchObject({ code: 1 });
    expect(service.stderr()).toBe(""); // handled by the policy, not by Node's default crash printout
  });

  it("when an exception is not caught in a process without a shutdown (a run-once job), then it is logged as fatal and the process exits 1", async () => {
    service = startService({ WITHOUT_SHUTDOWN: "1" });
    const url = await service.url;

    await fetch(`${url}/throw`);

    expect(await service.exited).toBe(1);
    expect(service.lines.at(-1)).toMatchObject({ level: "fatal", msg: "uncaught exception; shutting down" });
  });
});
