import { redirect } from "react-router";
import { getSession, type Session } from "../session.ts";

/** For loaders of signed-in pages: the session, or a redirect to the sign-in page that comes back here. */
export function requireSession(request: Request): Session {
  const session = getSession();
  if (session) return session;
  const { pathname, search } = new URL(request.url);
  throw redirect(`/editor/login?next=${encodeURIComponent(pathname + search)}`);
}

/** Only paths on this site: "next" comes from the URL, and must not send the user elsewhere (//evil.example). */
export function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/editor";
}
