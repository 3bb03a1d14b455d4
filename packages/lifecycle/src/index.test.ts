import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "@folio/logger";
import { createShutdown } from "./index.js";

const silent = createLogger({ name: "test", level: "silent" }, new Writable({ write: (_c, _e, done) => done() }));

function setup(delayMs = 0, timeoutMs = 1000) {
  const exits: number[] = [];
  const order: string[] = [];
  const shutdown = createShutdown({
    logger: silent,
    delayMs,
    timeoutMs,
    signals: [],
    onDrain: () => order.push("drain"),
    exit: (code) => exits.push(code),
  });
  return { shutdown, exits, order };
}

describe("createShutdown", () => {
  it("when triggered, then it drains first, runs the steps in order and exits 0", async () => {
    const { shutdown, exits, order } = setup();
    shutdown.add("server", () => void order.push("server"));
    shutdown.add("pool", async () => void order.push("pool"));
    expect(await shutdown.trigger("test")).toBe(0);
    expect(order).toEqual(["drain", "server", "pool"]);
    expect(exits).toEqual([0]);
    expect(shutdown.draining).toBe(true);
  });

  it("when a step fails, then the later steps still run and the exit code is 1", async () => {
    const { shutdown, exits, order } = setup();
    shutdown.add("broken", () => {
      throw new Error("boom");
    });
    shutdown.add("pool", () => void order.push("pool"));
    expect(await shutdown.trigger("test")).toBe(1);
    expect(order).toContain("pool");
    expect(exits).toEqual([1]);
  });

  it("when a step hangs past the deadline, then it exits 1 at the deadline", async () => {
    const { shutdown, exits } = setup(0, 50);
    shutdown.add("hangs", () => new Promise(() => {}));
    const started = Date.now();
    expect(await shutdown.trigger("test")).toBe(1);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(exits).toEqual([1]);
  });

  it("when triggered twice, then the steps run once", async () => {
    const { shutdown, exits } = setup();
    let runs = 0;
    shutdown.add("count", () => void runs++);
    await Promise.all([shutdown.trigger("a"), shutdown.trigger("b")]);
    expect(runs).toBe(1);
    expect(exits).toEqual([0]);
  });

  it("when triggered as failed, then the exit code is 1 although every step succeeded, also when it was already running", async () => {
    const first = setup();
    first.shutdown.add("fine", () => {});
    expect(await first.shutdown.trigger("uncaughtException", { failed: true })).toBe(1);
    expect(first.exits).toEqual([1]);

    const second = setup(50);
    const running = second.shutdown.trigger("SIGTERM");
    void second.shutdown.trigger("uncaughtException", { failed: true });
    expect(await running).toBe(1);
    expect(second.exits).toEqual([1]);
  });

  it("when a delay is set, then steps wait for it while readiness is already failing", async () => {
    const { shutdown, order } = setup(100);
    const stepAt: number[] = [];
    shutdown.add("server", () => void stepAt.push(Date.now()));
    const started = Date.now();
    const done = shutdown.trigger("test");
    expect(order).toEqual(["drain"]);
    await done;
    expect(stepAt[0]! - started).toBeGreaterThanOrEqual(90);
  });
});
