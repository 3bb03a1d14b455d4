/**
 * The media queue's finished jobs, through BullMQ. Completed and failed jobs sit in sorted sets scored by
 * their finishedOn time, which is exactly what Queue.clean selects on; counting the same range answers a
 * dry run without touching anything.
 */
import type { Redis } from "ioredis";
import type { MediaJob, Queue } from "@folio/queue";
import type { JobHistory } from "./cleanup.js";

/** `redis` is the queue's own connection (BullMQ types it as a minimal client without ZCOUNT). */
export function bullmqJobHistory(queue: Queue<MediaJob>, redis: Pick<Redis, "zcount">): JobHistory {
  return {
    async count(state, finishedBefore) {
      await queue.waitUntilReady();
      return redis.zcount(queue.toKey(state), 0, finishedBefore.getTime());
    },
    async remove(state, finishedBefore, limit) {
      // Queue.clean takes an age ("grace", in ms) and subtracts it from its own clock.
      const removed = await queue.clean(Date.now() - finishedBefore.getTime(), limit, state);
      return removed.length;
    },
  };
}
