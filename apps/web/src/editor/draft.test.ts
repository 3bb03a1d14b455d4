import { describe, expect, it } from "vitest";
import type { ArticleFields } from "../api/types.ts";
import { alreadyApplied, changedFields, draftOf, normalise, overlapping, reapply } from "./draft.ts";

const base: ArticleFields = { title: "Hello", slug: "hello", body: "One.\n", excerpt: "", coverMediaId: null, tags: ["k8s"] };

describe("article drafts", () => {
  it("sends only the fields the user changed, as the API would store them", () => {
    const draft = { ...draftOf(base), title: "  Hello again ", tagsText: "K8s, postgres, k8s," };
    expect(changedFields(base, normalise(draft))).toEqual({ title: "Hello again", tags: ["k8s", "postgres"] });
  });

  it("when nothing changed, then there is nothing to send", () => {
    expect(changedFields(base, normalise(draftOf(base)))).toEqual({});
  });

  it("keep mine: my changed fields on top of their version, their other changes kept", () => {
    const mine = changedFields(base, { ...base, body: "My text.\n" });
    const theirs = { ...base, title: "Their title", body: "Their text.\n" };
    expect(reapply(mine, theirs)).toEqual({ ...base, title: "Their title", body: "My text.\n" });
    expect(overlapping(base, mine, theirs)).toEqual(["body"]);
  });

  it("when both changed different fields, then nothing overlaps", () => {
    const mine = changedFields(base, { ...base, excerpt: "Short." });
    expect(overlapping(base, mine, { ...base, title: "Their title" })).toEqual([]);
  });

  it("when their version already holds my changes (my own save, answer lost), then it counts as applied", () => {
    const mine = changedFields(base, { ...base, body: "New.\n" });
    expect(alreadyApplied(mine, { ...base, body: "New.\n" })).toBe(true);
    expect(alreadyApplied(mine, { ...base, body: "Other.\n" })).toBe(false);
  });
});
