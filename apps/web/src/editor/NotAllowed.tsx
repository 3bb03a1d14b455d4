import { Link } from "react-router";
import { useSession } from "../session.ts";

/** Shown to a signed-in user who asked for a page their role may not see. */
export function NotAllowed({ what }: { what: string }) {
  const session = useSession();
  return (
    <section className="not-allowed" aria-labelledby="not-allowed-title">
      <title>Not allowed · Folio</title>
      <h1 id="not-allowed-title">You are not allowed to see this page</h1>
      <p>
        Only admins can {what}.
        {session && (
          <>
            {" "}
            You are signed in as {session.user.email}, an {session.user.role}.
          </>
        )}{" "}
        Ask an admin if you need access.
      </p>
      <p>
        <Link to="/editor">Back to the articles</Link>
      </p>
    </section>
  );
}
