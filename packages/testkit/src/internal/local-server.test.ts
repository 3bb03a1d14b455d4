import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findOnPath } from "./host.js";
import { LocalServer, makeTempDir } from "./local-server.js";

const servers: LocalServer[] = [];

/** A "server" that is a shell script, in a temp dir of its own. */
function server(script: string, ready: (dir: string) => Promise<void>, startTimeoutMs = 2_000): [LocalServer, string] {
  const dir = makeTempDir("fake");
  const created = new LocalServer({
    name: "Fake",
    dir,
    command: "sh",
    args: ["-c", script],
    stopSignal: "SIGTERM",
    ready: () => ready(dir),
    startTimeoutMs,
  });
  servers.push(created);
  return [created, dir];
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
});

describe("a local server process", () => {
  it("when the server exits during startup, then the error quotes the end of its log", async () => {
    const [failing] = server('echo "FATAL: data directory is corrupt" >&2; exit 3', () => Promise.reject(new Error("no")));

    await expect(failing.start()).rejects.toThrow(
      /^Fake did not start: exited with code 3\n--- last lines of .*server\.log ---\n[^]*FATAL: data directory is corrupt$/,
    );
  });

  it("when the server never answers, then startup gives up at its deadline and says so", async () => {
    const [silent] = server("exec sleep 60", () => Promise.reject(new Error("connection refused")), 200);

    await expect(silent.start()).rejects.toThrow(/Timed out after 200 ms .*last error: connection refused/);
    expect(silent.running).toBe(false);
  });

  it.skipIf(!findOnPath("setsid"))(
    "when the server started children in process groups of their own, then kill() ends them too",
    async () => {
      // The shape of PostgreSQL: each backend leads its own process group.
      const [parent, dir] = server("setsid sleep 60 & echo $! > child.pid; exec sleep 60", async (dir) => {
        if (!existsSync(join(dir, "child.pid"))) throw new Error("child not started yet");
      });
      await parent.start();
      const child = Number(readFileSync(join(dir, "child.pid"), "utf8"));

      await parent.kill();

      expect(isRunning(child)).toBe(false);
    },
  );

  it("when the server is disposed, then its temp dir is gone", async () => {
    const [disposable, dir] = server("exec sleep 60", async () => {});
    await disposable.start();

    await disposable.dispose();

    expect(existsSync(dir)).toBe(false);
    await expect(disposable.start()).rejects.toThrow(/was disposed/);
  });
});

function isRunning(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0];
    return state !== "Z";
  } catch {
    return false;
  }
}
