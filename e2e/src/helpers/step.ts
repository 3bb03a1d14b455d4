/**
 * The narrator: each step of a scenario is printed with the time since the scenario started, so a run's log
 * reads like the story of the fault, and noted on the scenario's timeline.
 */
import type { Timeline } from "./timeline.ts";

export function narrator(timeline: Timeline, write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {
  return async function step<T>(description: string, run?: () => Promise<T>): Promise<T | undefined> {
    const at = ((Date.now() - timeline.startedAt) / 1000).toFixed(1).padStart(6);
    write(`  [${timeline.id} +${at}s] ${description}`);
    if (!run) return undefined;
    const started = Date.now();
    try {
      const result = await run();
      const took = Date.now() - started;
      if (took > 2_000) write(`  [${timeline.id}          ] … done in ${(took / 1000).toFixed(1)} s`);
      return result;
    } catch (error) {
      write(`  [${timeline.id}          ] … FAILED: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
      throw error;
    }
  };
}
