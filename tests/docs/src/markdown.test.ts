import { describe, expect, it } from "vitest";
import { codeSpans, parseMarkdown } from "./markdown.ts";

describe("parseMarkdown", () => {
  const doc = parseMarkdown(
    [
      "# Title", //  1
      "", //  2
      "See [the chart](charts/folio/README.md#values) and ![shot](docs/a.png).", //  3
      "A link that wraps: [scripts/lib/cli.ts", //  4
      "and more](../scripts/lib/cli.ts), <https://example.com/x> and [ref][defined].", //  5
      "", //  6
      "```sh", //  7
      "# Not a heading", //  8
      "[not](a-link.md) `not code`", //  9
      "```", // 10
      "", // 11
      "## `pnpm dev` <a id=\"dev\"></a>", // 12
      "", // 13
      "Code `apps/api/src/main.ts` and ``a `tick` inside``, a span that", // 14
      "`wraps across", // 15
      "lines`, and [a (paren)](<path with spaces.md>) (x).", // 16
      "<!-- [hidden](gone.md) `hidden/path` -->", // 17
      "Escaped \\`not code\\` and [undefined][nowhere].", // 18
      "", // 19
      "[defined]: https://example.com/defined", // 20
    ].join("\n"),
  );

  it("when a file is read, then its headings, outside code blocks, have their lines", () => {
    expect(doc.headings).toEqual([
      { text: "Title", line: 1 },
      { text: '`pnpm dev` <a id="dev"></a>', line: 12 },
    ]);
    expect(doc.anchors).toEqual(["dev"]);
  });

  it("when links are written in any form, then each is found with the line it starts on, never in code or comments", () => {
    expect(doc.links.map((link) => [link.form, link.url, link.line])).toEqual([
      ["definition", "https://example.com/defined", 20],
      ["inline", "charts/folio/README.md#values", 3],
      ["image", "docs/a.png", 3],
      ["inline", "../scripts/lib/cli.ts", 4],
      ["inline", "path with spaces.md", 16],
      ["autolink", "https://example.com/x", 5],
    ]);
    expect(doc.undefinedReferences).toEqual([{ text: "nowhere", line: 18 }]);
  });

  it("when code spans are written, then they are found, also when they wrap a line, and escaped backticks open none", () => {
    expect(doc.codeSpans).toEqual([
      { text: "pnpm dev", line: 12 },
      { text: "apps/api/src/main.ts", line: 14 },
      { text: "a `tick` inside", line: 14 },
      { text: "wraps across lines", line: 15 },
    ]);
  });

  it("when a backtick run has no closing run of the same length in its paragraph, then it is text", () => {
    expect(codeSpans("a `` b ` c")).toEqual([]);
    expect(codeSpans("a `b\n\nc` d")).toEqual([]);
  });

  it("when a fenced block is in the file, then it is reported with its language and line", () => {
    expect(doc.fences.map((fence) => [fence.lang, fence.line])).toEqual([["sh", 7]]);
  });
});
