/** The frame of every signed-in page: navigation, who is signed in, sign out. */
import { Link, NavLink, Navigate, Outlet, useLocation, type LoaderFunctionArgs } from "react-router";
import { clearSession, useSession } from "../session.ts";
import { requireSession } from "./auth.ts";
import { dropAllStashes } from "./stash.ts";

export function loader({ request }: LoaderFunctionArgs) {
  requireSession(request);
  return null;
}

export function EditorLayout() {
  const session = useSession();
  const location = useLocation();
  // Signed out here or in another tab, or the API rejected the token: back to the sign-in page.
  if (!session) return <Navigate to={`/editor/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  const isAdmin = session.user.role === "admin";
  return (
    <div className="editor">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header editor-header">
        <div className="wrap wide">
          <Link className="brand" to="/editor">
            Folio <span className="brand-sub">editor</span>
          </Link>
          <nav aria-label="Editor">
            <ul className="nav-list">
              <li>
                <NavLink to="/editor" end>
                  Articles
                </NavLink>
              </li>
              <li>
                <NavLink to="/admin/flags">Flags</NavLink>
              </li>
              {isAdmin && (
                <>
                  <li>
                    <NavLink to="/admin/users">Users</NavLink>
                  </li>
                  <li>
                    <NavLink to="/admin/operations">Operations</NavLink>
                  </li>
                </>
              )}
              <li>
                <Link to="/">View site</Link>
              </li>
            </ul>
          </nav>
          <div className="who">
            <span>
              {session.user.name} <span className="muted">({session.user.role})</span>
            </span>
            <button
              type="button"
              className="link-button"
              onClick={() => {
                dropAllStashes();
                clearSession();
              }}
            >
              Sign out
            </button>
          </div>
        </div>
      </header>
      <main className="wrap wide" id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}

export { EditorLayout as Component };
