/**
 * Unsaved edits, kept in sessionStorage while the user types, so a reload, a crash of the tab's page, or an
 * expired sign-in that sends the user to the sign-in page does not lose them. Stored with the version they were
 * based on: when the article is opened again, the editor starts from that version, and a save that finds a newer
 * one goes through the usual conflict choice. sessionStorage, not localStorage: it belongs to this tab and
 * ends with it, so drafts do not linger on a shared computer; signing out drops them too.
 */
import type { Article } from "../api/types.ts";
import type { Draft } from "./draft.ts";

export interface Stash {
  base: Article;
  draft: Draft;
  /** Date.now() of the last change. */
  changedAt: number;
}

const PREFIX = "folio.unsaved.";
const key = (articleId: string) => `${PREFIX}${articleId}`;

export function readStash(articleId: string): Stash | null {
  try {
    const raw = window.sessionStorage.getItem(key(articleId));
    return raw ? (JSON.parse(raw) as Stash) : null;
  } catch {
    return null;
  }
}

export function writeStash(articleId: string, stash: Stash): void {
  try {
    window.sessionStorage.setItem(key(articleId), JSON.stringify(stash));
  } catch {
    // Storage full or disabled: the leave warning still protects the edits.
  }
}

export function dropStash(articleId: string): void {
  try {
    window.sessionStorage.removeItem(key(articleId));
  } catch {
    // As above.
  }
}

/** Every stash of this tab, when the user signs out. */
export function dropAllStashes(): void {
  try {
    for (const name of Object.keys(window.sessionStorage)) if (name.startsWith(PREFIX)) window.sessionStorage.removeItem(name);
  } catch {
    // As above.
  }
}
