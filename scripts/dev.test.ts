/**
 * `pnpm dev --smoke` as CI runs it (.ci/run, on a fresh clone): a real `pnpm dev` with real servers. The smoke
 * checks its own process listing; this test checks again from outside, with a listing of its own taken every
 * 250 ms while the smoke runs, so a smoke that forgot a process would not pass by also forgetting to look for it.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ProcessRecorder, describeProcesses } from "./lib/processes.ts";

const DEV = fileURLToPath(new URL("dev.ts", import.meta.url));

function runDev(args: string[]) {
  const child = spawn(process.execPath, [DEV, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0" } });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const recorder = new ProcessRecorder(child.pid!);
  const recording = setInterval(() => recorder.record(), 250);
  const exited = once(child, "close").then(([code]) => {
    clearInterval(recording);
    return code as number | null;
  });
  return { exited, recorder, output: () => output };
}

/** Polls until every recorded process has exited (15 s at most), and returns those that have not. */
async function survivorsOf(recorder: ProcessRecorder) {
  const deadline = Date.now() + 15_000;
  let survivors = recorder.survivors();
  while (survivors.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    survivors = recorder.survivors();
  }
  for (const survivor of survivors) process.kill(survivor.pid, "SIGKILL"); // leave the machine clean anyway
  return survivors;
}

describe("pnpm dev --smoke", () => {
  it("when everything starts, then it signs in with the printed login, loads the site, stops on Ctrl-C and leaves no process behind", async () => {
    const run = runDev(["--smoke"]);

    const code = await run.exited;
    const survivors = await survivorsOf(run.recorder);

    expect(code, run.output()).toBe(0);
    expect(run.output()).toMatch(/^smoke: signed in as admin@folio\.localtest\.me with the printed password$/m);
    expect(run.output()).toMatch(/^smoke: the site serves its page/m);
    expect(run.output()).toMatch(/^smoke: stopped: none of the \d+ processes is still running$/m);
    // The servers, the apps, their watchers and turbo were all seen, then all gone.
    expect(run.recorder.count).toBeGreaterThan(10);
    expect(survivors, describeProcesses(survivors)).toEqual([]);
  }, 900_000);

  it("when the site cannot start because its port is taken, then the smoke fails and still leaves no process behind", async () => {
    // A listener on every address of the port, so Vite's strictPort finds it taken whichever "localhost" it binds.
    const blocker = createServer((socket) => socket.destroy()).listen(0, "::");
    await once(blocker, "listening");
    const { port } = blocker.address() as { port: number };
    try {
      const run = runDev(["--smoke", "--web-port", String(port), "--timeout", "300"]);

      const code = await run.exited;
      const survivors = await survivorsOf(run.recorder);

      expect(code, run.output()).toBe(1);
      expect(run.output()).toMatch(/^smoke: FAILED after \d+ s: pnpm dev exited before .*the site \(\/\).* answered/m);
      expect(survivors, describeProcesses(survivors)).toEqual([]);
    } finally {
      blocker.close();
    }
  }, 900_000);
});
