import { describe, expect, it } from "vitest";
import { githubSlug, headingSlugs, headingText } from "./slug.ts";

describe("GitHub's heading anchors", () => {
  it.each([
    ["What is here", "what-is-here"],
    ["0015. Container images: one Dockerfile, `pnpm deploy`", "0015-container-images-one-dockerfile-pnpm-deploy"],
    ["Image worker (issue #3)", "image-worker-issue-3"],
    ["@folio/chart-tests", "foliochart-tests"],
    ["Results (sharp 0.35.5 / libvips 8.18.7)", "results-sharp-0355--libvips-8187"],
    ["`FOLIO_E2E_TIMEOUT_<NAME>`", "folio_e2e_timeout_name"],
    ["[The chart](charts/folio/README.md) and **why**", "the-chart-and-why"],
    ["Привет non-latin 你好", "привет-non-latin-你好"],
    ["Configuration changes: env vs. flags", "configuration-changes-env-vs-flags"],
  ])("when a heading is %j, then its anchor is %j", (heading, slug) => {
    expect(githubSlug(headingText(heading))).toBe(slug);
  });

  it("when headings repeat, then later ones get -1, -2, … as on GitHub", () => {
    expect(headingSlugs(["Configuration", "Usage", "Configuration", "Configuration", "Configuration-1"])).toEqual(["configuration", "usage", "configuration-1", "configuration-2", "configuration-1-1"]);
  });
});
