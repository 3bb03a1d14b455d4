/**
 * Every page of the site. The public pages are part of the main bundle so they render at once; the editor and
 * admin pages are loaded on demand (`lazy`), so a reader never downloads them. scripts/bundle-size.ts checks that.
 */
import type { RouteObject } from "react-router";
import { ArticlePage, articleLoader } from "./public/ArticlePage.tsx";
import { HomePage, homeLoader } from "./public/HomePage.tsx";
import { PublicLayout } from "./public/PublicLayout.tsx";
import { TagPage, tagLoader } from "./public/TagPage.tsx";
import { NotFoundPage } from "./ui/NotFoundPage.tsx";
import { Root, RootFallback } from "./ui/Root.tsx";
import { RouteError } from "./ui/RouteError.tsx";

export const routes: RouteObject[] = [
  {
    Component: Root,
    HydrateFallback: RootFallback,
    children: [
      {
        Component: PublicLayout,
        children: [
          {
            // Pathless, so an error replaces the page but keeps the site's header and footer.
            ErrorBoundary: RouteError,
            children: [
              { index: true, loader: homeLoader, Component: HomePage },
              { path: "articles/:slug", loader: articleLoader, Component: ArticlePage },
              { path: "tags/:tag", loader: tagLoader, Component: TagPage },
              { path: "*", Component: NotFoundPage },
            ],
          },
        ],
      },
      { path: "editor/login", lazy: () => import("./editor/LoginPage.tsx") },
      {
        lazy: () => import("./editor/EditorLayout.tsx"),
        children: [
          {
            lazy: () => import("./editor/EditorError.tsx"),
            children: [
              { path: "editor", lazy: () => import("./editor/ArticlesPage.tsx") },
              { path: "editor/new", lazy: () => import("./editor/NewArticlePage.tsx") },
              { path: "editor/articles/:id", lazy: () => import("./editor/ArticleEditorPage.tsx") },
              { path: "editor/articles/:id/revisions/:version", lazy: () => import("./editor/RevisionPage.tsx") },
              { path: "admin/users", lazy: () => import("./admin/UsersPage.tsx") },
              { path: "admin/flags", lazy: () => import("./admin/FlagsPage.tsx") },
              { path: "admin/operations", lazy: () => import("./admin/OperationsPage.tsx") },
              { path: "editor/*", Component: NotFoundPage },
              { path: "admin/*", Component: NotFoundPage },
            ],
          },
        ],
      },
    ],
  },
];
