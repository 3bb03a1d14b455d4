/**
 * A line-by-line difference between two texts, readable without colour: "−" removed, "+" added. Long unchanged
 * stretches are folded to a few lines of context, as in `diff -u`.
 */
import { diffLines } from "diff";
import { useMemo } from "react";

type Line = { kind: "same" | "added" | "removed"; text: string } | { kind: "folded"; count: number };

const CONTEXT = 3;

export function diffByLine(before: string, after: string): Line[] {
  // Compare complete lines: a missing newline at the end would show the last line as changed.
  const withNewline = (text: string) => (text === "" || text.endsWith("\n") ? text : `${text}\n`);
  const changes = diffLines(withNewline(before), withNewline(after));
  const lines: Line[] = [];
  for (const [index, change] of changes.entries()) {
    const kind: "same" | "added" | "removed" = change.added ? "added" : change.removed ? "removed" : "same";
    const texts = change.value.replace(/\n$/, "").split("\n");
    if (kind === "same" && texts.length > CONTEXT * 2 + 1) {
      // Context only next to a change: none before the first one or after the last one.
      const head = index === 0 ? [] : texts.slice(0, CONTEXT);
      const tail = index === changes.length - 1 ? [] : texts.slice(-CONTEXT);
      lines.push(...head.map((text) => ({ kind, text })), { kind: "folded", count: texts.length - head.length - tail.length }, ...tail.map((text) => ({ kind, text })));
    } else {
      lines.push(...texts.map((text) => ({ kind, text })));
    }
  }
  return lines;
}

export function TextDiff({ before, after, beforeLabel, afterLabel }: { before: string; after: string; beforeLabel: string; afterLabel: string }) {
  const lines = useMemo(() => diffByLine(before, after), [before, after]);
  return (
    <div>
      <p className="small muted">
        <span className="diff-removed">− {beforeLabel}</span> · <span className="diff-added">+ {afterLabel}</span>
      </p>
      <pre className="diff">
        {lines.map((line, index) => {
          if (line.kind === "folded") return <span key={index} className="diff-folded">{`  … ${line.count} unchanged lines …\n`}</span>;
          if (line.kind === "added") return <ins key={index} className="diff-added">{`+ ${line.text}\n`}</ins>;
          if (line.kind === "removed") return <del key={index} className="diff-removed">{`− ${line.text}\n`}</del>;
          return <span key={index}>{`  ${line.text}\n`}</span>;
        })}
      </pre>
    </div>
  );
}
