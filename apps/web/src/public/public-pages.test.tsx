import { render, screen, within } from "@testing-library/react";
import { createMemoryRouter } from "react-router";
import { RouterProvider } from "react-router/dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Page, PublicArticle, PublicSummary } from "../api/types.ts";
import { routes } from "../routes.tsx";

const variants = ["thumb", "thumb-webp", "display", "display-webp"].map((name) => ({
  name,
  contentType: name.endsWith("webp") ? "image/webp" : "image/jpeg",
  width: name.startsWith("thumb") ? 320 : 1200,
  height: name.startsWith("thumb") ? 240 : 900,
  bytes: 1000,
  url: `/v1/media/m1/content/${name}`,
}));

const article: PublicArticle = {
  slug: "running-postgres",
  title: "Running PostgreSQL on Kubernetes",
  excerpt: "StatefulSets, volumes and failover.",
  body: "# Why\n\nBecause.<script>window.hacked = 1</script>",
  tags: ["postgres", "kubernetes"],
  publishedAt: "2026-03-01T10:00:00.000Z",
  updatedAt: "2026-03-01T10:00:00.000Z",
  cover: { id: "m1", status: "ready", url: "/v1/media/m1/content/original", variants },
};

/** Stubs the API: each path answers with a JSON body, or a problem for unknown paths. */
function serveApi(routesByPath: Record<string, unknown>) {
  const fetch = vi.fn(async (input: string | URL | Request) => {
    const url = new URL(String(input));
    const body = routesByPath[url.pathname + url.search] ?? routesByPath[url.pathname];
    if (body === undefined) {
      return new Response(JSON.stringify({ status: 404, code: "not_found", detail: "No published article has this slug.", requestId: "r-404" }), {
        status: 404,
        headers: { "content-type": "application/problem+json" },
      });
    }
    return new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });
  });
  vi.stubGlobal("fetch", fetch);
  return fetch;
}

function visit(path: string) {
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  render(<RouterProvider router={router} />);
  return router;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("public pages", () => {
  it("the home page lists the latest articles with their thumbnails and a link to older ones", async () => {
    const { body: _body, ...summary } = article;
    serveApi({ "/v1/public/articles": { items: [summary], nextCursor: "abc" } satisfies Page<PublicSummary> });
    visit("/");
    expect(await screen.findByRole("heading", { level: 1, name: "Latest articles" })).toBeInTheDocument();
    const link = screen.getByRole("link", { name: "Running PostgreSQL on Kubernetes" });
    expect(link).toHaveAttribute("href", "/articles/running-postgres");
    const thumbnail = document.querySelector(".card-thumb img")!;
    expect(thumbnail).toHaveAttribute("src", "http://api.test/v1/media/m1/content/thumb");
    expect(thumbnail).toHaveAttribute("alt", ""); // decorative: the title next to it is the link text
    expect(document.querySelector(".card-thumb source")).toHaveAttribute("srcset", "http://api.test/v1/media/m1/content/thumb-webp");
    expect(screen.getByRole("link", { name: "Older articles" })).toHaveAttribute("href", "/?cursor=abc");
    expect(screen.getByRole("banner")).toBeInTheDocument();
    expect(screen.getByRole("main")).toBeInTheDocument();
    expect(screen.getByRole("contentinfo")).toBeInTheDocument();
  });

  it("the article page renders the Markdown sanitised, with the cover described", async () => {
    serveApi({ "/v1/public/articles/running-postgres": article });
    visit("/articles/running-postgres");
    expect(await screen.findByRole("heading", { level: 1, name: "Running PostgreSQL on Kubernetes" })).toBeInTheDocument();
    const main = within(screen.getByRole("main"));
    expect(main.getByRole("heading", { level: 2, name: "Why" })).toBeInTheDocument();
    expect(main.getByRole("img", { name: "Cover image of “Running PostgreSQL on Kubernetes”" })).toHaveAttribute(
      "src",
      "http://api.test/v1/media/m1/content/display",
    );
    expect(document.querySelector("main script")).toBeNull();
    expect(main.getByRole("link", { name: "postgres" })).toHaveAttribute("href", "/tags/postgres");
  });

  it("when the API has no such article, then the not-found page is shown", async () => {
    serveApi({});
    visit("/articles/gone");
    expect(await screen.findByRole("heading", { level: 1, name: "Page not found" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Go to the latest articles" })).toHaveAttribute("href", "/");
  });

  it("an unknown address shows the not-found page without asking the API", async () => {
    const fetch = serveApi({});
    visit("/no/such/page");
    expect(await screen.findByRole("heading", { level: 1, name: "Page not found" })).toBeInTheDocument();
    expect(fetch).not.toHaveBeenCalled();
  });

  it("a tag page lists that tag's articles", async () => {
    serveApi({ "/v1/public/articles?tag=postgres&limit=10": { items: [], nextCursor: null } });
    visit("/tags/postgres");
    expect(await screen.findByRole("heading", { level: 1, name: /Articles tagged\s*postgres/ })).toBeInTheDocument();
    expect(screen.getByText("No published article has this tag.")).toBeInTheDocument();
  });

  it("when the API fails, then the page explains it with the request id and offers to try again", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => new Response(JSON.stringify({ status: 400, code: "validation", detail: "The query is invalid.", requestId: "r-400" }), { status: 400, headers: { "content-type": "application/problem+json" } })),
    );
    visit("/?cursor=bogus");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The query is invalid.");
    expect(alert).toHaveTextContent("Request id: r-400");
    expect(within(alert).getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });
});
