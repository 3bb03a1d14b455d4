/**
 * Editing one article: the form, a live preview, the cover and images, status changes, and what happens when
 * someone else saved first. The rules for that are in draft.ts; the user's edits are never dropped without an
 * explicit choice, even "take theirs" can be undone, and unsaved edits survive a reload (stash.ts).
 */
import { useDeferredValue, useEffect, useEffectEvent, useId, useRef, useState, type ReactNode } from "react";
import { Link } from "react-router";
import { transitionArticle, updateArticle, type Transition } from "../api/editor.ts";
import { ApiError, isApiError } from "../api/errors.ts";
import type { Article, ArticleFields, Media } from "../api/types.ts";
import { Markdown } from "../markdown/Markdown.tsx";
import { ErrorMessage } from "../ui/ErrorMessage.tsx";
import { ConflictDialog } from "./ConflictDialog.tsx";
import { CoverPreview } from "./CoverPreview.tsx";
import { alreadyApplied, changedFields, draftOf, fieldsOf, normalise, reapply, sameValue, type Draft, FIELD_NAMES } from "./draft.ts";
import { MediaLibrary } from "./MediaLibrary.tsx";
import { RevisionList } from "./RevisionList.tsx";
import { StatusBadge } from "./StatusBadge.tsx";
import { dropStash, readStash, writeStash } from "./stash.ts";

interface Notice {
  text: string;
  /** "Take theirs" keeps the user's draft here, for an undo. */
  undo?: Draft;
  /** Restored unsaved changes can be dropped for this version of the article. */
  discard?: Article;
}

const DONE: Record<Transition, string> = {
  publish: "Published.",
  unpublish: "Unpublished: the article is a draft again.",
  trash: "Moved to the trash.",
  restore: "Restored as a draft.",
};

const sameFields = (a: ArticleFields, b: ArticleFields) => FIELD_NAMES.every((name) => sameValue(a[name], b[name]));

export function ArticleEditor({ initial, initialDraft }: { initial: Article; initialDraft?: Draft }) {
  // Unsaved edits from earlier in this tab (see stash.ts) come back, on top of the version they were made on.
  const [stash] = useState(() => (initialDraft ? null : readStash(initial.id)));
  const [base, setBase] = useState(stash?.base ?? initial);
  const [draft, setDraft] = useState<Draft>(() => initialDraft ?? stash?.draft ?? draftOf(fieldsOf(initial)));
  const [busy, setBusy] = useState<"save" | Transition | null>(null);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<Notice | null>(() =>
    stash ? { text: `Your unsaved changes from ${new Date(stash.changedAt).toLocaleTimeString()} are back. Save them, or discard them.`, discard: initial } : null,
  );
  const [theirs, setTheirs] = useState<Article | null>(null);
  const [libraryOpen, setLibraryOpen] = useState(false);
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const id = useId();
  const ids = { title: `${id}title`, slug: `${id}slug`, tags: `${id}tags`, excerpt: `${id}excerpt`, body: `${id}body`, library: `${id}library` };

  const mine = normalise(draft);
  const dirty = Object.keys(changedFields(fieldsOf(base), mine)).length > 0;
  const trashed = base.status === "trashed";
  const preview = useDeferredValue(draft.body);

  const update = (changes: Partial<Draft>) => setDraft((current) => ({ ...current, ...changes }));

  /** Saves `fields` on top of `onto` (If-Match: its version). Resolves with the saved article, or undefined. */
  async function save(onto: Article, fields: ArticleFields): Promise<Article | undefined> {
    const changes = changedFields(fieldsOf(onto), fields);
    if (Object.keys(changes).length === 0) return onto;
    setBusy("save");
    setError(undefined);
    setNotice(null);
    try {
      const saved = await updateArticle(onto.id, onto.version, changes);
      setBase(saved);
      // Show what the API stored, unless the user typed on while it was saving.
      setDraft((current) => (sameFields(normalise(current), fields) ? draftOf(fieldsOf(saved)) : current));
      setTheirs(null);
      setNotice({ text: `Saved as version ${saved.version}.` });
      return saved;
    } catch (caught) {
      if (isApiError(caught, 412)) onConflict(caught, onto, fields);
      else {
        setTheirs(null);
        setError(caught);
      }
      return undefined;
    } finally {
      setBusy(null);
    }
  }

  function onConflict(problem: ApiError, onto: Article, fields: ArticleFields) {
    const current = problem.problem.current as Article;
    if (alreadyApplied(changedFields(fieldsOf(onto), fields), fieldsOf(current))) {
      // Typically our own earlier save, whose answer was lost on the way back.
      setBase(current);
      setTheirs(null);
      setNotice({ text: `Your changes are saved (version ${current.version}).` });
      return;
    }
    setTheirs(current);
  }

  async function keepMine() {
    if (!theirs) return;
    const merged = reapply(changedFields(fieldsOf(base), mine), fieldsOf(theirs));
    setBase(theirs);
    setDraft(draftOf(merged));
    await save(theirs, merged);
  }

  function takeTheirs() {
    if (!theirs) return;
    const mineOnTheirs = draftOf(reapply(changedFields(fieldsOf(base), mine), fieldsOf(theirs)));
    setBase(theirs);
    setDraft(draftOf(fieldsOf(theirs)));
    setTheirs(null);
    setNotice({ text: `The editor shows version ${theirs.version} now. Your changes were set aside.`, undo: mineOnTheirs });
  }

  async function transition(action: Transition) {
    let onto: Article | undefined = base;
    if (dirty) onto = await save(base, mine); // publish what the user sees
    if (!onto) return;
    setBusy(action);
    setError(undefined);
    setNotice(null);
    try {
      const next = await transitionArticle(onto.id, onto.version, action);
      setBase(next);
      setNotice({ text: DONE[action] });
    } catch (caught) {
      if (isApiError(caught, 412)) {
        // Nothing unsaved here (it was saved just above), so show their version and let the user decide again.
        const current = caught.problem.current as Article;
        setBase(current);
        setDraft(draftOf(fieldsOf(current)));
        setNotice({ text: `Someone else saved version ${current.version} in the meantime; it is shown now. Check it and try again.` });
      } else {
        setError(caught);
      }
    } finally {
      setBusy(null);
    }
  }

  function insertImage(media: Media) {
    const textarea = bodyRef.current;
    const at = textarea?.selectionStart ?? draft.body.length;
    // A path, not a URL: the site adds the API's address when it renders, so the text survives a new API_URL.
    const markdown = `\n\n![Describe the image](/v1/media/${media.id}/content/display)\n\n`;
    update({ body: draft.body.slice(0, at) + markdown + draft.body.slice(at) });
    textarea?.focus();
  }

  // Ctrl+S (Cmd+S) saves, as in any editor, instead of saving the web page.
  const onShortcut = useEffectEvent((event: KeyboardEvent) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
      event.preventDefault();
      if (!busy && !trashed && !theirs) void save(base, mine);
    }
  });
  useEffect(() => {
    const listener = (event: KeyboardEvent) => onShortcut(event);
    document.addEventListener("keydown", listener);
    return () => document.removeEventListener("keydown", listener);
  }, []);

  useLeaveWarning(dirty);

  // Keep unsaved edits in this tab's storage; forget them once saved (or undone by hand).
  useEffect(() => {
    if (dirty) writeStash(base.id, { base, draft, changedAt: Date.now() });
    else dropStash(base.id);
  }, [dirty, base, draft]);

  const fieldProblem = (name: string) =>
    error instanceof ApiError ? error.fieldProblems.find((problem) => problem.in === "body" && problem.path === name)?.message : undefined;
  const slugProblem = fieldProblem("slug") ?? (isApiError(error) && error.code === "slug_taken" ? "already used by another article" : undefined);

  return (
    <div className="editor-page">
      <title>{`${base.title} · Folio editor`}</title>
      <div className="editor-heading">
        <h1>
          {base.title} <StatusBadge status={base.status} />
        </h1>
        <p className="muted">
          Version {base.version}
          {dirty && <strong className="unsaved"> · unsaved changes</strong>}
          {base.status === "published" && (
            <>
              {" · "}
              <Link to={`/articles/${base.slug}`}>View on the site</Link>
            </>
          )}
        </p>
      </div>

      <div aria-live="polite" className="live">
        {notice && (
          <p className="notice" role="status">
            {notice.text}{" "}
            {notice.undo && (
              <button
                type="button"
                className="link-button"
                onClick={() => {
                  setDraft(notice.undo!);
                  setNotice(null);
                }}
              >
                Undo: bring my changes back
              </button>
            )}
            {notice.discard && (
              <button
                type="button"
                className="link-button"
                onClick={() => {
                  setBase(notice.discard!);
                  setDraft(draftOf(fieldsOf(notice.discard!)));
                  setNotice(null);
                }}
              >
                Discard them
              </button>
            )}
          </p>
        )}
      </div>
      {error !== undefined && <ErrorMessage error={error} />}
      {trashed && (
        <p className="warning" role="status">
          This article is in the trash. Restore it to edit or publish it.
        </p>
      )}

      <div className="editor-grid">
        <form
          className="stack"
          aria-label="Article"
          onSubmit={(event) => {
            event.preventDefault();
            void save(base, mine);
          }}
        >
          <fieldset disabled={trashed} className="stack">
            <Field id={ids.title} label="Title" problem={fieldProblem("title")}>
              {(a11y) => <input {...a11y} value={draft.title} onChange={(event) => update({ title: event.target.value })} required maxLength={200} />}
            </Field>
            <Field id={ids.slug} label="Address (slug)" hint={`The article's public address: /articles/${mine.slug}`} problem={slugProblem}>
              {(a11y) => (
                <input
                  {...a11y}
                  value={draft.slug}
                  onChange={(event) => update({ slug: event.target.value })}
                  required
                  pattern="[a-z0-9]+(-[a-z0-9]+)*"
                  title="lowercase letters, digits and single hyphens"
                  spellCheck={false}
                />
              )}
            </Field>
            <Field id={ids.tags} label="Tags" hint="Separated by commas" problem={fieldProblem("tags")}>
              {(a11y) => <input {...a11y} value={draft.tagsText} onChange={(event) => update({ tagsText: event.target.value })} />}
            </Field>
            <Field id={ids.excerpt} label="Excerpt" hint="One or two sentences for the article list" problem={fieldProblem("excerpt")}>
              {(a11y) => <textarea {...a11y} rows={2} maxLength={500} value={draft.excerpt} onChange={(event) => update({ excerpt: event.target.value })} />}
            </Field>

            <div className="field">
              <span className="label">Cover image</span>
              <CoverPreview mediaId={draft.coverMediaId} />
              <div className="row">
                <button type="button" aria-expanded={libraryOpen} aria-controls={ids.library} onClick={() => setLibraryOpen(!libraryOpen)}>
                  {libraryOpen ? "Close images" : "Images…"}
                </button>
                {draft.coverMediaId && (
                  <button type="button" onClick={() => update({ coverMediaId: null })}>
                    Remove cover
                  </button>
                )}
              </div>
            </div>
            {libraryOpen && (
              <div id={ids.library}>
                <MediaLibrary coverMediaId={draft.coverMediaId} onUseAsCover={(media) => update({ coverMediaId: media.id })} onInsert={insertImage} />
              </div>
            )}

            <div className="body-and-preview">
              <Field id={ids.body} label="Text (Markdown)" problem={fieldProblem("body")}>
                {(a11y) => (
                  <textarea
                    {...a11y}
                    ref={bodyRef}
                    className="body-input"
                    rows={18}
                    value={draft.body}
                    onChange={(event) => update({ body: event.target.value })}
                  />
                )}
              </Field>
              <section className="preview" aria-label="Preview">
                <h2 className="label">Preview</h2>
                <Markdown source={preview} />
              </section>
            </div>
          </fieldset>

          <div className="actions sticky-actions">
            {!trashed && (
              <button type="submit" className="primary" disabled={!dirty || busy !== null}>
                {busy === "save" ? "Saving…" : "Save"}
              </button>
            )}
            {base.status === "draft" && (
              <button type="button" onClick={() => void transition("publish")} disabled={busy !== null}>
                {busy === "publish" ? "Publishing…" : dirty ? "Save and publish" : "Publish"}
              </button>
            )}
            {base.status === "published" && (
              <button type="button" onClick={() => void transition("unpublish")} disabled={busy !== null}>
                {busy === "unpublish" ? "Unpublishing…" : "Unpublish"}
              </button>
            )}
            {!trashed && (
              <button type="button" className="danger" onClick={() => void transition("trash")} disabled={busy !== null}>
                {busy === "trash" ? "Moving…" : "Move to trash"}
              </button>
            )}
            {trashed && (
              <button type="button" className="primary" onClick={() => void transition("restore")} disabled={busy !== null}>
                {busy === "restore" ? "Restoring…" : "Restore"}
              </button>
            )}
            <span className="hint">Ctrl+S saves</span>
          </div>
        </form>

        <aside className="history" aria-labelledby="history-title">
          <h2 id="history-title">History</h2>
          <RevisionList articleId={base.id} version={base.version} />
        </aside>
      </div>

      {theirs && <ConflictDialog base={base} mine={mine} theirs={theirs} busy={busy === "save"} onKeepMine={() => void keepMine()} onTakeTheirs={takeTheirs} />}
    </div>
  );
}

interface FieldA11y {
  id: string;
  "aria-describedby"?: string;
  "aria-invalid"?: true;
}

/** A labelled input with its hint and its problem, both announced with the input (aria-describedby). */
function Field({ id, label, hint, problem, children }: { id: string; label: string; hint?: string; problem?: string; children: (a11y: FieldA11y) => ReactNode }) {
  const describedBy = [hint && `${id}-hint`, problem && `${id}-problem`].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, "aria-describedby": describedBy, "aria-invalid": problem ? true : undefined })}
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {problem && (
        <p className="field-problem" id={`${id}-problem`}>
          {problem}
        </p>
      )}
    </div>
  );
}

/**
 * Closing the tab loses its sessionStorage, and with it the stashed edits: the browser asks first. Moving to
 * another page of the site, a reload or a new sign-in keep them (see stash.ts).
 */
function useLeaveWarning(dirty: boolean) {
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);
}
