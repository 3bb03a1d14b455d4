import { describe, expect, it } from "vitest";
import { diffByLine } from "./TextDiff.tsx";

describe("diffByLine", () => {
  it("marks removed and added lines, and a missing final newline is no change", () => {
    expect(diffByLine("a\nb\nc", "a\nB\nc\n")).toEqual([
      { kind: "same", text: "a" },
      { kind: "removed", text: "b" },
      { kind: "added", text: "B" },
      { kind: "same", text: "c" },
    ]);
  });

  it("folds long unchanged stretches to three lines of context", () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i}`).join("\n");
    const after = before.replace("line 19", "last line");
    const lines = diffByLine(before, after);
    expect(lines[0]).toEqual({ kind: "folded", count: 16 });
    expect(lines.slice(1).map((line) => ("text" in line ? line.text : ""))).toEqual(["line 16", "line 17", "line 18", "line 19", "last line"]);
  });

  it("shows no context after the last change", () => {
    const after = Array.from({ length: 12 }, (_, i) => `line ${i}`).join("\n");
    const lines = diffByLine(after.replace("line 0", "first line"), after);
    expect(lines.slice(0, 2)).toEqual([
      { kind: "removed", text: "first line" },
      { kind: "added", text: "line 0" },
    ]);
    expect(lines.slice(2)).toEqual([{ kind: "same", text: "line 1" }, { kind: "same", text: "line 2" }, { kind: "same", text: "line 3" }, { kind: "folded", count: 8 }]);
  });
});
