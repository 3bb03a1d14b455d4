import { describe, expect, it } from "vitest";
import { isCurrentLog, parsePodDir } from "./tailer.js";

describe("the kubelet's log layout", () => {
  it("when a pod directory is named <namespace>_<pod>_<uid>, then the three parts are read", () => {
    expect(parsePodDir("folio_folio-api-7d9c5-x2x4q_0f6a52a4-3c1e-4d8b-9f0e-5b7d2a1c9e44")).toEqual({
      namespace: "folio",
      pod: "folio-api-7d9c5-x2x4q",
      uid: "0f6a52a4-3c1e-4d8b-9f0e-5b7d2a1c9e44",
    });
  });

  it("when a directory name has another shape, then it is not a pod directory", () => {
    for (const name of ["lost+found", "folio_api", "a_b_c_d", "_pod_uid"]) expect(parsePodDir(name), name).toBeUndefined();
  });

  it("when a file is the runtime's current file, then it is followed; rotated and compressed ones are not", () => {
    expect(isCurrentLog("0.log")).toBe(true);
    expect(isCurrentLog("12.log")).toBe(true);
    for (const name of ["0.log.20260301-101500", "0.log.20260301-101500.gz", "0.log.tmp", "x.log"]) expect(isCurrentLog(name), name).toBe(false);
  });
});
