/**
 * The signed-in user: the API's bearer token and who it belongs to, kept in localStorage so it survives a
 * reload and is shared by the editor's tabs. A token in localStorage is readable by any script on the page,
 * which is why the site sanitises Markdown and sends a strict Content-Security-Policy. The API re-checks the
 * user on every request, so a deleted user or a changed role takes effect at once whatever is stored here.
 */
import { useSyncExternalStore } from "react";
import type { LoginResult, User } from "./api/types.ts";

export interface Session {
  token: string;
  expiresAt: string;
  user: User;
}

const KEY = "folio.session";
const listeners = new Set<() => void>();
let cached: { raw: string | null; session: Session | null } | undefined;

export function getSession(): Session | null {
  const raw = readStorage();
  if (cached?.raw !== raw) cached = { raw, session: parse(raw) };
  const session = cached.session;
  return session && Date.parse(session.expiresAt) > Date.now() ? session : null;
}

export function saveSession(login: LoginResult): void {
  writeStorage(JSON.stringify({ token: login.token, expiresAt: login.expiresAt, user: login.user } satisfies Session));
}

export function clearSession(): void {
  if (readStorage() === null) return;
  writeStorage(null);
}

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The current session, re-rendering when it changes (here or in another tab). */
export function useSession(): Session | null {
  return useSyncExternalStore(subscribe, getSession, () => null);
}

// Another tab signed in or out.
if (typeof window !== "undefined") {
  window.addEventListener("storage", (event) => {
    if (event.key === KEY || event.key === null) notify();
  });
}

function notify(): void {
  for (const listener of listeners) listener();
}

function readStorage(): string | null {
  try {
    return window.localStorage.getItem(KEY);
  } catch {
    return null; // storage disabled: the user signs in for this page only
  }
}

function writeStorage(value: string | null): void {
  try {
    if (value === null) window.localStorage.removeItem(KEY);
    else window.localStorage.setItem(KEY, value);
  } catch {
    // Storage disabled or full: nothing to keep.
  }
  notify();
}

function parse(raw: string | null): Session | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<Session>;
    return typeof value.token === "string" && typeof value.expiresAt === "string" && value.user ? (value as Session) : null;
  } catch {
    return null;
  }
}
