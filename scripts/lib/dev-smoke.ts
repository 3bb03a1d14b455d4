/**
 * `pnpm dev --smoke`: runs `pnpm dev` the way a person does and checks what they would see. It starts
 * scripts/dev.ts as a child in a process group of its own, waits until the API, the site and the worker answer,
 * signs in with the login the child printed, loads the site, then presses Ctrl-C (SIGINT to the group, as a
 * terminal does) and checks with process listings that everything the child started has exited.
 *
 * Checking from outside is the point: the child is the unmodified `pnpm dev`, so a fresh clone that cannot
 * start, a login that is printed wrong, or a watcher that survives Ctrl-C all fail here.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { chalk, echo } from "zx";
import { ProcessRecorder, describeProcesses } from "./processes.ts";

export interface SmokeOptions {
  root: string;
  /** scripts/dev.ts */
  script: string;
  ports: { api: number; web: number; worker: number };
  /** From the child's start to all three answering, the build included. */
  timeoutMs: number;
  /** After Ctrl-C: how long the child may take to exit, and then its processes to be gone. */
  stopTimeoutMs?: number;
}

const say = (message: string) => echo(`${chalk.bold("smoke:")} ${message}`);

/** Returns the exit code: 0 when everything started, answered, stopped and left nothing running. */
export async function runSmoke(options: SmokeOptions): Promise<number> {
  const { root, script, ports, timeoutMs, stopTimeoutMs = 60_000 } = options;
  const started = Date.now();
  const seconds = () => `${Math.round((Date.now() - started) / 1000)} s`;
  const api = `http://localhost:${ports.api}`;
  const web = `http://localhost:${ports.web}`;
  const worker = `http://localhost:${ports.worker}`;

  say(`starting pnpm dev (API :${ports.api}, site :${ports.web}, worker :${ports.worker})`);
  const child = spawn(process.execPath, [script, "--port", String(ports.api), "--web-port", String(ports.web), "--worker-port", String(ports.worker)], {
    cwd: root,
    // Its own process group: Ctrl-C is a SIGINT to the terminal's foreground group, and this is that group.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    // Plain text, so the printed login can be read back.
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" },
  });
  const exited = once(child, "exit").then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  const recorder = new ProcessRecorder(child.pid!);
  let login: { email: string; password: string } | undefined;
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on("line", (line) => {
      process.stdout.write(`${line}\n`);
      // "Admin       admin@folio.localtest.me / s3cr3t" (scripts/dev.ts)
      const match = /^Admin\s+(\S+) \/ (\S+)\s*$/.exec(stripAnsi(line));
      if (match) login = { email: match[1]!, password: match[2]! };
    });
  }

  const stopOnSignal = (signal: NodeJS.Signals) => {
    say(`${signal}: stopping`);
    signalGroup(child, "SIGINT");
  };
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);

  let failure: string | undefined;
  try {
    // 1. Everything answers.
    const waiting = new Map<string, () => Promise<boolean>>([
      ["the printed login", async () => login !== undefined],
      ["the API (/readyz)", async () => (await get(`${api}/readyz`))?.status === 200],
      ["the worker (/readyz)", async () => (await get(`${worker}/readyz`))?.status === 200],
      ["the site (/)", async () => (await get(`${web}/`))?.status === 200],
    ]);
    while (waiting.size > 0) {
      if (hasExited) throw new Error(`pnpm dev exited before ${[...waiting.keys()].join(", ")} answered`);
      if (Date.now() - started > timeoutMs) throw new Error(`${[...waiting.keys()].join(", ")} did not answer within ${timeoutMs / 1000} s`);
      recorder.record();
      for (const [what, ready] of waiting) {
        if (await ready()) {
          waiting.delete(what);
          say(`${what} ready after ${seconds()}`);
        }
      }
      if (waiting.size > 0) await sleep(500);
    }

    // 2. What the README tells people to do works: sign in with the printed login, from the site's origin.
    const res = await fetch(`${api}/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: web },
      body: JSON.stringify(login),
    });
    const body = (await res.json().catch(() => undefined)) as { token?: string } | undefined;
    if (res.status !== 200 || typeof body?.token !== "string") {
      throw new Error(`POST /v1/auth/login with the printed login answered ${res.status}: ${JSON.stringify(body)}`);
    }
    if (res.headers.get("access-control-allow-origin") !== web) {
      throw new Error(`the API does not allow the site's origin ${web} (access-control-allow-origin: ${res.headers.get("access-control-allow-origin")})`);
    }
    const me = await fetch(`${api}/v1/auth/me`, { headers: { authorization: `Bearer ${body.token}` } });
    const user = (await me.json().catch(() => undefined)) as { email?: string } | undefined;
    if (me.status !== 200 || user?.email !== login!.email) throw new Error(`GET /v1/auth/me with the new token answered ${me.status}: ${JSON.stringify(user)}`);
    say(`signed in as ${login!.email} with the printed password`);

    const page = await fetch(`${web}/`);
    const html = await page.text();
    if (!html.includes('<div id="root">')) throw new Error(`GET ${web}/ did not return the site's page:\n${html.slice(0, 300)}`);
    const config = await (await fetch(`${web}/config.js`)).text();
    if (!config.includes(JSON.stringify(api))) throw new Error(`the site's /config.js does not point at ${api}: ${config}`);
    say(`the site serves its page, and its /config.js points at ${api}`);
    recorder.record();
  } catch (error) {
    failure = (error as Error).message;
  }

  // 3. Ctrl-C stops everything, and nothing it started is left running.
  process.removeListener("SIGINT", stopOnSignal);
  process.removeListener("SIGTERM", stopOnSignal);
  recorder.record();
  const recorded = recorder.count;
  say(`pressing Ctrl-C (SIGINT to pnpm dev's process group, ${recorded} processes seen)`);
  signalGroup(child, "SIGINT");
  const exit = await Promise.race([exited, sleep(stopTimeoutMs).then(() => undefined)]);
  if (exit === undefined) {
    failure ??= `pnpm dev did not exit within ${stopTimeoutMs / 1000} s of Ctrl-C`;
    signalGroup(child, "SIGKILL");
  } else if (exit.code !== 0 && failure === undefined) {
    failure = `pnpm dev exited with ${exit.code ?? exit.signal} after Ctrl-C`;
  }
  const deadline = Date.now() + 15_000;
  let survivors = recorder.survivors();
  while (survivors.length > 0 && Date.now() < deadline) {
    await sleep(250);
    survivors = recorder.survivors();
  }
  if (survivors.length > 0) {
    failure ??= `${survivors.length} processes were still running 15 s after pnpm dev exited:\n${describeProcesses(survivors)}`;
    for (const survivor of survivors) kill(survivor.pid);
  } else {
    say(`stopped: none of the ${recorded} processes is still running`);
  }

  if (failure !== undefined) {
    echo(chalk.red(`smoke: FAILED after ${seconds()}: ${failure}`));
    return 1;
  }
  say(chalk.green(`ok in ${seconds()}`));
  return 0;
}

async function get(url: string): Promise<Response | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    await res.arrayBuffer();
    return res;
  } catch {
    return undefined; // not listening yet
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // the group is gone
  }
}

function kill(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // exited meanwhile
  }
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
