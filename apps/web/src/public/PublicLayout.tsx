import { Link, NavLink, Outlet } from "react-router";

export function PublicLayout() {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <div className="wrap">
          <Link className="brand" to="/">
            Folio
          </Link>
          <nav aria-label="Site">
            <ul className="nav-list">
              <li>
                <NavLink to="/" end>
                  Latest
                </NavLink>
              </li>
              <li>
                <NavLink to="/editor">Editor</NavLink>
              </li>
            </ul>
          </nav>
        </div>
      </header>
      <main className="wrap" id="main" tabIndex={-1}>
        <Outlet />
      </main>
      <footer className="site-footer">
        <div className="wrap">
          <p>
            Folio, a small content management system that shows how Kubernetes runs stateful software.
          </p>
        </div>
      </footer>
    </>
  );
}
