/**
 * Markdown → safe HTML. marked turns Markdown into HTML, and Markdown may contain raw HTML, so everything it
 * produces goes through DOMPurify, which keeps only known-safe elements and attributes: no <script>, no event
 * handler attributes (onerror=…), no javascript: or data: links. The site's Content-Security-Policy would block
 * most of that too; sanitising means the browser never even sees it.
 * References: https://marked.js.org/#usage ("Warning: sanitize the output"), https://github.com/cure53/DOMPurify
 */
import DOMPurify from "dompurify";
import { Marked } from "marked";

const markdown = new Marked({
  gfm: true,
  async: false,
  // The page's title is the only <h1>: Markdown headings start one level down, so the outline stays correct.
  walkTokens(token) {
    if (token.type === "heading") token.depth = Math.min(token.depth + 1, 6);
  },
});

export interface RenderOptions {
  /** The API's URL: images the editor inserted as "/v1/media/…" paths are loaded from there. */
  apiUrl?: string;
}

// An instance of our own, so the hooks below do not leak into other users of DOMPurify.
const purifier = DOMPurify(window);
let currentApiUrl: string | undefined;

purifier.addHook("afterSanitizeAttributes", (node) => {
  // Links to other sites: no window.opener, no referrer, no endorsement.
  if (node.tagName === "A" && originOf(node.getAttribute("href") ?? "") !== window.location.origin) {
    node.setAttribute("rel", "noopener noreferrer nofollow");
  }
  if (node.tagName === "IMG") {
    const src = node.getAttribute("src") ?? "";
    if (currentApiUrl && src.startsWith("/v1/media/")) node.setAttribute("src", `${currentApiUrl}${src}`);
    node.setAttribute("loading", "lazy");
    node.setAttribute("decoding", "async");
  }
});

function originOf(href: string): string | undefined {
  try {
    return new URL(href, window.location.href).origin;
  } catch {
    return undefined;
  }
}

export function renderMarkdown(source: string, options: RenderOptions = {}): string {
  const html = markdown.parse(source) as string;
  currentApiUrl = options.apiUrl;
  try {
    return purifier.sanitize(html, {
      USE_PROFILES: { html: true },
      // Forms could phish for passwords on our origin; inline styles would be blocked by the CSP anyway.
      FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select"],
      FORBID_ATTR: ["style"],
    });
  } finally {
    currentApiUrl = undefined;
  }
}
