import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "./cursor.js";

describe("cursors", () => {
  it("when a cursor is encoded and decoded, then the microsecond timestamp text and id survive", () => {
    const key = { at: "2026-11-25T10:00:00.123456Z", id: "3f2b1c9e-0a4d-4c7e-9b1a-2d3e4f5a6b7c" };
    expect(decodeCursor(encodeCursor(key))).toEqual(key);
  });

  it("when the cursor is not one of ours, then decoding gives undefined instead of throwing", () => {
    for (const junk of ["", "nope", Buffer.from('["x","y"]').toString("base64url"), Buffer.from("{}").toString("base64url")]) {
      expect(decodeCursor(junk)).toBeUndefined();
    }
  });
});
