import { describe, expect, it } from "vitest";
import { DEFAULT_JOB_OPTIONS, mediaJobId, mediaJobSchema } from "./index.js";

describe("media job contract", () => {
  it("when a job id is made from a media id, then it is stable and has no colon", () => {
    const id = "3f2b1c9e-0a4d-4c7e-9b1a-2d3e4f5a6b7c";
    expect(mediaJobId(id)).toBe(mediaJobId(id));
    expect(mediaJobId(id)).not.toContain(":");
  });

  it("when the payload has an extra field or a bad id, then it is rejected", () => {
    expect(mediaJobSchema.safeParse({ mediaId: "3f2b1c9e-0a4d-4c7e-9b1a-2d3e4f5a6b7c" }).success).toBe(true);
    expect(mediaJobSchema.safeParse({ mediaId: "nope" }).success).toBe(false);
    expect(mediaJobSchema.safeParse({ mediaId: "3f2b1c9e-0a4d-4c7e-9b1a-2d3e4f5a6b7c", x: 1 }).success).toBe(false);
  });

  it("when jobs fail, then retries back off exponentially with jitter and history is bounded", () => {
    expect(DEFAULT_JOB_OPTIONS.backoff).toMatchObject({ type: "exponential" });
    expect((DEFAULT_JOB_OPTIONS.backoff as { jitter: number }).jitter).toBeGreaterThan(0);
    expect(DEFAULT_JOB_OPTIONS.removeOnComplete).toMatchObject({ count: expect.any(Number) });
    expect(DEFAULT_JOB_OPTIONS.removeOnFail).toMatchObject({ count: expect.any(Number) });
  });
});
