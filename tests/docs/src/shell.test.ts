import { describe, expect, it } from "vitest";
import { simpleCommands } from "./shell.ts";

const words = (code: string) => simpleCommands(code).map((command) => command.words);

describe("simpleCommands", () => {
  it("when commands are joined by operators, then each is its own command", () => {
    expect(words("pnpm install && pnpm e2e --keep; kubectl get pods | grep api || true & echo $(kubectl get ns)")).toEqual([
      ["pnpm", "install"],
      ["pnpm", "e2e", "--keep"],
      ["kubectl", "get", "pods"],
      ["grep", "api"],
      ["true"],
      ["echo"],
      ["kubectl", "get", "ns"],
    ]);
  });

  it("when words are quoted, escaped or continued on the next line, then they come back as the shell sees them", () => {
    expect(words(`pnpm e2e --scenario "node lost" --tag 'a b' \\\n  --keep # a comment`)).toEqual([["pnpm", "e2e", "--scenario", "node lost", "--tag", "a b", "--keep"]]);
  });

  it("when output is redirected, then the redirection and its target are not words", () => {
    expect(words("curl -s http://x >/dev/null 2>&1; kubectl logs x 2> err.txt; cmd &> all.log; cmd >&2 next")).toEqual([
      ["curl", "-s", "http://x"],
      ["kubectl", "logs", "x"],
      ["cmd"],
      ["cmd", "next"],
    ]);
  });

  it("when a placeholder is written <name>, then it is a word, not a redirection", () => {
    expect(words("pnpm --filter @folio/<app> deploy /out")).toEqual([["pnpm", "--filter", "@folio/<app>", "deploy", "/out"]]);
  });

  it("when a here-document follows, then its body belongs to the command that opened it and is no command", () => {
    const commands = simpleCommands("kubectl apply -f - <<'EOF'\nkind: Pod\nmetadata:\n  name: probe\nEOF\nkubectl get pod probe\n");
    expect(commands.map((command) => [command.words, command.line, command.heredocs])).toEqual([
      [["kubectl", "apply", "-f", "-"], 1, ["kind: Pod\nmetadata:\n  name: probe"]],
      [["kubectl", "get", "pod", "probe"], 6, []],
    ]);
  });
});
