import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./render.ts";

/** Parses the HTML as the browser would, to assert on elements rather than on strings. */
function render(markdown: string, apiUrl?: string): HTMLElement {
  const container = document.createElement("div");
  container.innerHTML = renderMarkdown(markdown, { apiUrl });
  return container;
}

describe("renderMarkdown", () => {
  it("renders Markdown, with headings one level below the page's <h1>", () => {
    const html = render("# Intro\n\nSome **bold** text and a [link](/articles/other).\n\n- one\n- two");
    expect(html.querySelector("h2")?.textContent).toBe("Intro");
    expect(html.querySelector("h1")).toBeNull();
    expect(html.querySelector("strong")?.textContent).toBe("bold");
    expect(html.querySelector("a")?.getAttribute("href")).toBe("/articles/other");
    expect(html.querySelectorAll("li")).toHaveLength(2);
  });

  it("when the text contains a <script> element, then it is removed", () => {
    const html = render('Hello <script>window.hacked = true</script>\n\n<script src="https://evil.example/x.js"></script>');
    expect(html.querySelector("script")).toBeNull();
    expect(html.innerHTML).not.toContain("hacked");
    expect(html.textContent).toContain("Hello");
  });

  it("when a link's target is javascript:, then the link loses it", () => {
    const html = render('[click me](javascript:alert(1)) and <a href="JaVaScRiPt:alert(2)">raw</a> and <a href="  javascript:alert(3)">spaced</a>');
    const links = [...html.querySelectorAll("a")];
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(link.getAttribute("href") ?? "").not.toMatch(/javascript/i);
  });

  it("when an element has event handler attributes, then they are removed", () => {
    const html = render('<img src="/x.png" onerror="alert(1)" alt="x"> <p onclick="alert(2)" onmouseover="alert(3)">hover</p> <svg onload="alert(4)"></svg>');
    for (const element of html.querySelectorAll("*")) {
      expect([...element.attributes].map((attribute) => attribute.name).filter((name) => name.startsWith("on"))).toEqual([]);
    }
    expect(html.querySelector("img")?.getAttribute("alt")).toBe("x");
  });

  it("when the text holds an iframe, a form, a style or an inline style, then they are removed", () => {
    const html = render('<iframe src="https://evil.example"></iframe><form action="https://evil.example"><input name="password"></form><style>body{display:none}</style><p style="position:fixed">styled</p>');
    expect(html.querySelector("iframe, form, input, style")).toBeNull();
    expect(html.querySelector("p")?.hasAttribute("style")).toBe(false);
  });

  it("gives links to other sites rel=noopener and leaves links on this site alone", () => {
    const html = render("[out](https://example.org/page) and [in](/tags/kubernetes)");
    const [out, inside] = html.querySelectorAll("a");
    expect(out?.getAttribute("rel")).toBe("noopener noreferrer nofollow");
    expect(inside?.hasAttribute("rel")).toBe(false);
  });

  it("loads images inserted as /v1/media/ paths from the API, lazily", () => {
    const html = render("![A diagram](/v1/media/0b6c0ad4-8f7e-4a7d-9a3e-3f8f1f1f1f1f/content/display)", "http://api.test");
    const image = html.querySelector("img");
    expect(image?.getAttribute("src")).toBe("http://api.test/v1/media/0b6c0ad4-8f7e-4a7d-9a3e-3f8f1f1f1f1f/content/display");
    expect(image?.getAttribute("alt")).toBe("A diagram");
    expect(image?.getAttribute("loading")).toBe("lazy");
  });
});
