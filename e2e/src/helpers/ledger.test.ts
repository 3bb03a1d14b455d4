import { describe, expect, it } from "vitest";
import { articleChecksum, Ledger } from "./ledger.ts";

describe("Ledger", () => {
  it("derives titles from keys and keys back from titles", () => {
    const ledger = new Ledger("e2e-abc-s03-0");
    const title = ledger.titleFor("3f1c");
    expect(title).toBe("e2e-abc-s03-0 3f1c");
    expect(ledger.keyOf(title)).toBe("3f1c");
    expect(ledger.keyOf("e2e-abc-s03-1 3f1c")).toBeUndefined();
  });

  it("keeps a checksum per acknowledged version and counts every acknowledged write", () => {
    const ledger = new Ledger("t");
    ledger.ackArticle({ id: "a", slug: "t-k", title: "t k", body: "one", version: 1 }, "k");
    ledger.ackVersion("a", 2, "t k", "two");
    ledger.ackPublished("a", 3, "t k", "two");
    const article = ledger.articles.get("a")!;
    expect([...article.versions.entries()]).toEqual([
      [1, articleChecksum("t k", "one")],
      [2, articleChecksum("t k", "two")],
      [3, articleChecksum("t k", "two")],
    ]);
    expect(article.published).toBe(true);
    expect(ledger.latestVersion(article)).toBe(3);
    expect(ledger.acknowledgedWrites).toBe(3);
  });

  it("tells apart contents that differ only in where title ends and body begins", () => {
    expect(articleChecksum("ab", "c")).not.toBe(articleChecksum("a", "bc"));
  });
});
