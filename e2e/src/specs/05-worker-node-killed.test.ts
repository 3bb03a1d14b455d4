/**
 * Scenario 5, the worker's node killed mid-processing: a burst of uploads is acknowledged, and the node of a
 * worker that is processing them loses power. Its jobs' locks expire, the other worker replica takes them over
 * (BullMQ's stalled-job check), and every upload ends `ready` exactly once: one media row each, with its four
 * variants and its original's bytes intact.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { eventually } from "@folio/scripts/lib/eventually.ts";
import { multipartFile, type Media } from "../helpers/client.ts";
import { sha256 } from "../helpers/ledger.ts";
import { randomJpeg } from "../helpers/load.ts";
import { chooseNode, useScenario, type Scenario } from "../helpers/scenario.ts";
import { timeout } from "../helpers/timeouts.ts";

const UPLOADS = 16;

describe("5. the worker's node killed mid-processing", () => {
  const scenario = useScenario("05", "Worker node killed mid-processing");
  let s: Scenario;
  beforeAll(() => {
    s = scenario();
  });

  it("when a worker's node is killed while it processes a burst of uploads, then every upload ends ready exactly once", async () => {
    const workers = await s.cluster.componentPods("worker");
    expect(workers.filter((pod) => pod.ready).length, "two worker replicas, so one survives").toBeGreaterThanOrEqual(2);
    const node = await chooseNode(s, workers.map((pod) => pod.node!));
    const load = s.load({ uploaders: 0, writers: 1, readers: 1 }).start();

    // Large images take the worker a while each, so the kill lands in the middle of the burst.
    const acked: { id: string; sha: string }[] = [];
    const tag = load.ledger.tag;
    await s.step(`upload ${UPLOADS} large images`, async () => {
      await Promise.all(
        Array.from({ length: UPLOADS }, async () => {
          const key = randomUUID();
          load.ledger.attemptedKeys.add(`media-${key}`);
          const image = await randomJpeg(2400, 1800);
          const filename = `${tag}-${key}.jpg`;
          const { body, contentType } = multipartFile(filename, "image/jpeg", image);
          const response = await s.client.request("upload", "POST", "/v1/media", { body, headers: { "content-type": contentType, "idempotency-key": key }, timeout: 60_000 });
          expect(response.status).toBe(201);
          const media = response.json<Media>();
          acked.push({ id: media.id, sha: sha256(image) });
          load.ledger.ackMedia({ id: media.id, key, filename, sha256: sha256(image) });
        }),
      );
    });
    const processing = await s.step("wait until the workers have finished the first uploads", () =>
      eventually(async () => Promise.all(acked.map((media) => s.client.getMedia(media.id))), {
        timeout: timeout("MEDIA_READY"),
        interval: 250,
        description: "the first upload of the burst to be ready",
        until: (items) => items.some((media) => media.status === "ready"),
      }),
    );
    const readyBeforeKill = processing!.filter((media) => media.status === "ready").length;
    s.timeline.fact("readyBeforeKill", readyBeforeKill);
    expect(readyBeforeKill, "the kill must land while uploads are still being processed").toBeLessThan(UPLOADS);
    const killedAt = await s.step(`kill ${node}, which runs a worker`, () => s.faults.kill(node));

    // The dead worker's locks expire (lockDuration) and the survivor's stalled-job check takes its jobs. The node
    // comes back after at most a minute in any case: it may also run a database the processing needs.
    const processed = async () => Promise.all(acked.map((media) => s.client.getMedia(media.id)));
    const whileDown = await s.step("wait up to 60 s for the surviving worker to finish the burst", () =>
      eventually(processed, { timeout: 60_000, interval: 2_000, description: "the burst to be processed", until: (items) => items.every((media) => media.status !== "pending") }).then(
        () => true,
        () => false,
      ),
    );
    s.timeline.fact("processedWhileNodeDown", Boolean(whileDown));
    if (whileDown) s.timeline.fact("allProcessedAfterKillSeconds", (s.timeline.mark("recovered", "every upload processed") - killedAt!) / 1000);
    await s.step(`start ${node} again`, () => s.faults.start(node));
    const done = await s.step("wait for every upload to be processed", () =>
      eventually(processed, { timeout: timeout("MEDIA_READY"), interval: 2_000, description: "every upload of the burst to be processed", until: (items) => items.every((media) => media.status !== "pending") }),
    );
    if (!whileDown) s.timeline.fact("allProcessedAfterKillSeconds", (s.timeline.mark("recovered", "every upload processed") - killedAt!) / 1000);
    expect(done!.filter((media) => media.status !== "ready").map((media) => `${media.id}: ${media.status} ${media.failureReason ?? ""}`)).toEqual([]);
    const verification = await s.step("read every acknowledged upload and write back", () => s.verify(load));
    expect(verification!.problems).toEqual([]);
    expect(verification!.media).toBe(UPLOADS);
  });
});
