/**
 * Kubernetes' `$(VAR)` expansion, as the kubelet applies it to a container's command, args and env values before
 * the process starts (https://kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/).
 * This follows the kubelet's own scanner, third_party/forked/golang/expansion/expand.go in k8s.io/kubernetes:
 * - `$$` is an escape and becomes `$`;
 * - `$(NAME)` becomes NAME's value when the container declares NAME, and is left as it is otherwise;
 * - `$(` without a closing `)` is left as it is;
 * - `$` followed by anything else is left as it is, together with that character (so `$$(A)` is `$` then `(A)`).
 * Probes' and lifecycle hooks' exec commands are not expanded.
 *
 * A shell script or a JavaScript template literal passed inline in `command` or `args` is where this bites: `$$`
 * (the shell's PID, or `$${x}` in a template literal) silently loses a `$`, and a shell's `$(cmd)` changes meaning
 * the day a variable of that name is declared.
 */

/** One place where the kubelet's expansion acts, or could act, on a string. */
export interface ExpansionFinding {
  /** What the string contains there, e.g. `$$` or `$(date)`. */
  text: string;
  /** Offset in the string. */
  index: number;
  /** Why it is not a deliberate reference to a declared variable. */
  problem: string;
}

/**
 * Every `$$` and every `$(` in `text` that is not a reference to one of `declared`. Such a reference is the only
 * use of the syntax that is deliberate: anything else the kubelet either rewrites (`$$`) or leaves alone only as long
 * as no variable of that name is declared.
 */
export function expansionFindings(text: string, declared: ReadonlySet<string>): ExpansionFinding[] {
  const findings: ExpansionFinding[] = [];
  for (let cursor = 0; cursor < text.length - 1; cursor++) {
    if (text[cursor] !== "$") continue;
    const next = text[cursor + 1];
    if (next === "$") {
      findings.push({ text: "$$", index: cursor, problem: 'Kubernetes turns "$$" into "$"' });
      cursor += 1;
    } else if (next === "(") {
      const close = text.indexOf(")", cursor + 2);
      if (close === -1) {
        findings.push({ text: text.slice(cursor, cursor + 12), index: cursor, problem: '"$(" without ")": Kubernetes\' variable syntax, not a variable reference' });
        cursor += 1;
      } else {
        const name = text.slice(cursor + 2, close);
        if (!declared.has(name)) {
          findings.push({
            text: `$(${name})`,
            index: cursor,
            problem: `"${name}" is not an environment variable of the container: Kubernetes leaves it only until one of that name is declared`,
          });
        }
        cursor = close;
      }
    } else {
      // "$x": the scanner copies both characters and moves past them.
      cursor += 1;
    }
  }
  return findings;
}

/** What the kubelet makes of `text` for a container whose environment is `env`. */
export function expand(text: string, env: ReadonlyMap<string, string>): string {
  let out = "";
  for (let cursor = 0; cursor < text.length; cursor++) {
    const next = text[cursor + 1];
    if (text[cursor] !== "$" || next === undefined) {
      out += text[cursor];
    } else if (next === "$") {
      out += "$";
      cursor += 1;
    } else if (next === "(" && text.indexOf(")", cursor + 2) !== -1) {
      const close = text.indexOf(")", cursor + 2);
      const name = text.slice(cursor + 2, close);
      out += env.get(name) ?? `$(${name})`;
      cursor = close;
    } else {
      out += text[cursor] + next;
      cursor += 1;
    }
  }
  return out;
}
