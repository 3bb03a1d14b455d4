/** The outermost route: scroll restoration, a loading bar, and focus moved to the new page after navigation. */
import { useEffect, useRef } from "react";
import { Outlet, ScrollRestoration, useLocation, useNavigation } from "react-router";

export function Root() {
  const navigation = useNavigation();
  const { pathname } = useLocation();
  const first = useRef(true);

  // After a client-side navigation, screen reader and keyboard users start at the new page's content, as they
  // would after a full page load (https://www.gatsbyjs.com/blog/2019-07-11-user-testing-accessible-client-routing/).
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById("main")?.focus({ preventScroll: true });
  }, [pathname]);

  return (
    <>
      {navigation.state !== "idle" && <div className="loading-bar" aria-hidden="true" />}
      <Outlet />
      <ScrollRestoration />
    </>
  );
}

/** Shown while the first page's data loads; it matches the static markup in index.html. */
export function RootFallback() {
  return (
    <>
      <header className="site-header">
        <div className="wrap">
          <a className="brand" href="/">
            Folio
          </a>
        </div>
      </header>
      <main className="wrap" id="main">
        <p className="loading">Loading…</p>
      </main>
    </>
  );
}
