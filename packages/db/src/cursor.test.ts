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

describe("cursors PostgreSQL would refuse", () => {
  const id = "3f2b1c9e-0a4d-4c7e-9b1a-2d3e4f5a6b7c";
  const at = "2026-11-25T10:00:00.123456Z";
  const raw = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

  it("when the timestamp is not the exact text cursorText makes, or not a real instant, then the cursor is rejected", () => {
    for (const time of ["1", "2026", "2026-11-25", "2026-11-25T10:00:00Z", "2026-11-25T10:00:00.123Z", "2026-13-01T00:00:00.000000Z", "2026-02-30T00:00:00.000000Z", "2026-01-01T24:00:00.000000Z", "2026-01-01T23:59:60.000000Z", "0000-01-01T00:00:00.000000Z", "99999-01-01T00:00:00.000000Z", `${at}\u0000`, ` ${at}`]) {
      expect(decodeCursor(raw([time, id])), time).toBeUndefined();
    }
  });

  it("when the id is not a real uuid, then the cursor is rejected", () => {
    for (const bad of ["-".repeat(36), "3f2b1c9e0a4d4c7e9b1a2d3e4f5a6b7c----", id.toUpperCase(), `${id.slice(0, 35)}\u0000`, `${id}0`, "g".repeat(8) + id.slice(8)]) {
      expect(decodeCursor(raw([at, bad])), bad).toBeUndefined();
    }
  });

  it("when the cursor is not the exact encoding (extra JSON spacing, padding, a third element), then it is rejected", () => {
    expect(decodeCursor(Buffer.from(`[ "${at}", "${id}" ]`).toString("base64url"))).toBeUndefined();
    expect(decodeCursor(`${encodeCursor({ at, id })}=`)).toBeUndefined();
    expect(decodeCursor(raw([at, id, 1]))).toBeUndefined();
  });

  it("when the instant is at the edges of the range, then it is accepted", () => {
    for (const time of ["0001-01-01T00:00:00.000000Z", "9999-12-31T23:59:59.999999Z", "2024-02-29T12:00:00.000001Z"]) {
      expect(decodeCursor(encodeCursor({ at: time, id }))).toEqual({ at: time, id });
    }
  });
});
