import { describe, expect, it } from "vitest";
import { fromFields, toFields, type LogEntry } from "./entries.js";

const entry: LogEntry = {
  node: "node-a",
  namespace: "folio",
  pod: "folio-api-7d9c5-x2x4q",
  container: "api",
  stream: "stdout",
  time: "2026-03-01T10:00:00.123456789Z",
  level: "info",
  message: "api listening",
};

describe("stream fields", () => {
  it("when an entry is turned into fields and back, then it is unchanged", () => {
    expect(fromFields(toFields(entry))).toEqual(entry);
  });

  it("when the level is unknown, then the field is left out rather than written empty", () => {
    const { level: _level, ...withoutLevel } = entry;
    const fields = toFields(withoutLevel);
    expect(fields).not.toContain("level");
    expect(fromFields(fields)).toEqual(withoutLevel);
  });

  it("when an entry lacks a required field or has a bad stream name, then it is not an entry", () => {
    expect(fromFields(["node", "node-a", "message", "hello"])).toBeUndefined();
    expect(fromFields(toFields({ ...entry, stream: "stdin" as "stdout" }))).toBeUndefined();
  });
});
