/**
 * Shown when a save answered 412: someone saved a newer version while this user was editing. The user's text
 * stays in the editor whatever they choose here; the dialog only decides what happens to it:
 *  - keep mine: re-apply my changed fields on top of their version and save (their other changes stay);
 *  - take theirs: load their version into the editor (my draft can be brought back with "Undo");
 *  - compare: see both side by side first.
 * It is a modal <dialog>: the browser keeps focus inside it and returns it afterwards. Escape does not close
 * it, because leaving the conflict unresolved would only bring it back on the next save.
 */
import { useEffect, useId, useRef, useState } from "react";
import type { Article, ArticleFields } from "../api/types.ts";
import { formatDateTime } from "../ui/format.ts";
import { FIELD_LABELS, FIELD_NAMES, changedFields, overlapping, sameValue, type FieldName } from "./draft.ts";
import { TextDiff } from "./TextDiff.tsx";

export interface ConflictDialogProps {
  /** The version the user started editing from. */
  base: Article;
  /** The user's edits, as they would be saved. */
  mine: ArticleFields;
  /** The version on the server now. */
  theirs: Article;
  busy: boolean;
  onKeepMine: () => void;
  onTakeTheirs: () => void;
}

export function ConflictDialog({ base, mine, theirs, busy, onKeepMine, onTakeTheirs }: ConflictDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [comparing, setComparing] = useState(false);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  const myChanges = changedFields(base, mine);
  const both = overlapping(base, myChanges, theirs);
  const differing = FIELD_NAMES.filter((name) => !sameValue(mine[name], theirs[name]));

  return (
    <dialog ref={ref} className="conflict" aria-labelledby={titleId} onCancel={(event) => event.preventDefault()}>
      <h2 id={titleId}>Someone else saved this article first</h2>
      <p>
        Version {theirs.version} was saved {formatDateTime(theirs.updatedAt)}, while you were editing version {base.version}. Your
        changes are still in the editor. Choose what to do with them.
      </p>
      {both.length > 0 ? (
        <p>
          <strong>You both changed: {both.map((name) => FIELD_LABELS[name]).join(", ")}.</strong> Keeping yours replaces their
          version of {both.length === 1 ? "that field" : "those fields"}.
        </p>
      ) : (
        <p>You changed different fields, so keeping yours keeps their changes too.</p>
      )}

      {comparing && (
        <div className="compare" aria-label="Differences">
          {differing.map((name) => (
            <FieldComparison key={name} name={name} mine={mine} theirs={theirs} />
          ))}
        </div>
      )}

      <div className="actions">
        <button type="button" className="primary" onClick={onKeepMine} disabled={busy}>
          {busy ? "Saving…" : "Keep mine"}
        </button>
        <button type="button" onClick={onTakeTheirs} disabled={busy}>
          Take theirs
        </button>
        <button type="button" onClick={() => setComparing(!comparing)} aria-expanded={comparing} disabled={busy}>
          {comparing ? "Hide comparison" : "Compare"}
        </button>
      </div>
      <p className="hint">
        Keep mine: your changed fields are applied to version {theirs.version} and saved. Take theirs: the editor shows version{" "}
        {theirs.version}; you can undo that.
      </p>
    </dialog>
  );
}

function FieldComparison({ name, mine, theirs }: { name: FieldName; mine: ArticleFields; theirs: Article }) {
  const show = (fields: ArticleFields) => (name === "tags" ? fields.tags.join(", ") || "(none)" : String(fields[name] ?? "(none)"));
  return (
    <section className="field-comparison">
      <h3>{FIELD_LABELS[name]}</h3>
      {name === "body" ? (
        <TextDiff before={theirs.body} after={mine.body} beforeLabel={`theirs (version ${theirs.version})`} afterLabel="yours" />
      ) : (
        <dl className="side-by-side">
          <div>
            <dt>Theirs</dt>
            <dd>{show(theirs)}</dd>
          </div>
          <div>
            <dt>Yours</dt>
            <dd>{show(mine)}</dd>
          </div>
        </dl>
      )}
    </section>
  );
}
