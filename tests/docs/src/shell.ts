/**
 * Splits shell code from a Markdown block into simple commands, enough to find the `pnpm` and `kubectl`
 * commands in it: quotes are removed, `\`-newline joins lines, comments are dropped, and `&&`, `||`, `|`, `;`,
 * `&`, `(`, `)`, `$(…)` and backticks separate commands. Redirections and their targets are not words; a
 * here-document's body is attached to the command that opened it. Variables are left as written (`$NAME`), so a
 * word that contains `$` is not a literal.
 */

export interface SimpleCommand {
  words: string[];
  /** 1-based line, counted from the start of the code, of the command's first word. */
  line: number;
  /** Bodies of the here-documents the command reads (`<<EOF … EOF`). */
  heredocs: string[];
}

export function simpleCommands(code: string): SimpleCommand[] {
  const commands: SimpleCommand[] = [];
  let words: string[] = [];
  let heredocs: string[] = [];
  let word: string | undefined;
  let line = 1;
  let commandLine = 1;
  let dropNext = false;
  const pending: { delimiter: string; strip: boolean; command: string[] }[] = [];

  const endWord = () => {
    if (word === undefined) return;
    if (dropNext) dropNext = false;
    else {
      if (words.length === 0) commandLine = line;
      words.push(word);
    }
    word = undefined;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0 || heredocs.length > 0) commands.push({ words, line: commandLine, heredocs });
    words = [];
    heredocs = [];
  };
  const append = (text: string) => {
    if (word === undefined && words.length === 0) commandLine = line;
    word = (word ?? "") + text;
  };

  let index = 0;
  while (index < code.length) {
    const char = code[index]!;
    const next = code[index + 1];
    if (char === "\\" && next === "\n") {
      index += 2;
      line++;
    } else if (char === "\\") {
      append(next ?? "");
      index += 2;
    } else if (char === "'") {
      const close = code.indexOf("'", index + 1);
      const end = close < 0 ? code.length : close;
      const quoted = code.slice(index + 1, end);
      line += quoted.split("\n").length - 1;
      append(quoted);
      index = end + 1;
    } else if (char === '"') {
      let cursor = index + 1;
      let quoted = "";
      while (cursor < code.length && code[cursor] !== '"') {
        if (code[cursor] === "\\" && /["\\$`]/.test(code[cursor + 1] ?? "")) {
          quoted += code[cursor + 1];
          cursor += 2;
        } else {
          if (code[cursor] === "\n") line++;
          quoted += code[cursor];
          cursor++;
        }
      }
      append(quoted);
      index = cursor + 1;
    } else if (char === "#" && word === undefined) {
      while (index < code.length && code[index] !== "\n") index++;
    } else if (char === "\n") {
      endCommand();
      line++;
      index++;
      // Here-documents opened on the line just ended: their bodies follow it.
      for (const heredoc of pending.splice(0)) {
        const body: string[] = [];
        while (index < code.length) {
          const end = code.indexOf("\n", index);
          const current = code.slice(index, end < 0 ? code.length : end);
          index = end < 0 ? code.length : end + 1;
          line++;
          if ((heredoc.strip ? current.replace(/^\t+/, "") : current) === heredoc.delimiter) break;
          body.push(heredoc.strip ? current.replace(/^\t+/, "") : current);
        }
        const owner = [...commands].reverse().find((command) => command.words === heredoc.command);
        owner?.heredocs.push(body.join("\n"));
      }
    } else if (char === " " || char === "\t") {
      endWord();
      index++;
    } else if (char === "$" && next === "(") {
      endCommand();
      index += 2;
    } else if ("|&;()`".includes(char)) {
      if (char === "&" && next === ">") {
        // &> and &>> redirect both outputs to the next word, which is not an argument.
        endWord();
        index += code[index + 2] === ">" ? 3 : 2;
        dropNext = true;
        continue;
      }
      endCommand();
      index += (char === "&" || char === "|") && next === char ? 2 : 1;
    } else if (char === "<" && /^<[\w.:-]+>/.test(code.slice(index))) {
      // <name> is the docs' placeholder ("folio/api:<tag>"), not a redirection.
      const placeholder = /^<[\w.:-]+>/.exec(code.slice(index))![0];
      append(placeholder);
      index += placeholder.length;
    } else if (char === "<" && next === "<" && code[index + 2] !== "<") {
      endWord();
      let cursor = index + 2;
      const strip = code[cursor] === "-";
      if (strip) cursor++;
      while (code[cursor] === " ") cursor++;
      const match = /^(['"]?)([\w.-]+)\1/.exec(code.slice(cursor));
      if (match) {
        pending.push({ delimiter: match[2]!, strip, command: words });
        index = cursor + match[0].length;
      } else {
        index = cursor;
      }
    } else if (char === "<" || char === ">") {
      // A digit-only word right before > is a file descriptor (2>&1), not an argument.
      if (word !== undefined && /^\d+$/.test(word)) word = undefined;
      endWord();
      index += next === ">" || (char === "<" && next === "<") ? 2 : 1;
      if (code[index] === "<") index++; // <<< here-string
      if (code[index] === "&") {
        index++;
        while (/\d|-/.test(code[index] ?? "")) index++;
      } else {
        dropNext = true;
      }
    } else {
      append(char);
      index++;
    }
  }
  endCommand();
  return commands;
}
