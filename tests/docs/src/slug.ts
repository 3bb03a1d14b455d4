/**
 * GitHub's anchors for headings, as github-slugger computes them (https://github.com/Flet/github-slugger): the
 * heading's rendered text, lowercased, with every character removed that is not a letter, a mark, a number, a
 * connector (`_`), a hyphen or a space, then each space turned into a hyphen. A repeated slug gets -1, -2, … in
 * order of appearance.
 */

/** The text GitHub renders for a heading's Markdown: code without backticks, links as their text, no emphasis. */
export function headingText(markdown: string): string {
  const parts = markdown.split(/(`+[^`]*`+)/);
  return parts
    .map((part, index) => {
      if (index % 2 === 1) return part.replace(/^`+\s?|\s?`+$/g, "");
      return part
        .replace(/!\[[^\]]*\]\([^)]*\)/g, "") // images render no text
        .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
        .replace(/\[([^\]]*)\]\[[^\]]*\]/g, "$1")
        .replace(/<[^>]+>/g, "")
        .replace(/(\*{1,3}|~~)/g, "")
        .replace(/(^|[^\p{L}\p{N}])_{1,3}|_{1,3}(?=[^\p{L}\p{N}]|$)/gu, "$1")
        .replace(/\\(.)/g, "$1");
    })
    .join("")
    .trim();
}

export function githubSlug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** The anchors of a file's headings, in order, with GitHub's suffixes for repeats. */
export function headingSlugs(headings: string[]): string[] {
  const seen = new Map<string, number>();
  const slugs: string[] = [];
  for (const heading of headings) {
    const base = githubSlug(headingText(heading));
    let slug = base;
    // As github-slugger: count up from the base until the slug is free (a heading may itself be "x-1").
    while (seen.has(slug)) {
      const next = seen.get(base)! + 1;
      seen.set(base, next);
      slug = `${base}-${next}`;
    }
    seen.set(slug, 0);
    slugs.push(slug);
  }
  return slugs;
}
