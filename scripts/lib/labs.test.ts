import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  checkOutcome,
  curlrc,
  discoverLabs,
  failureReport,
  firstLine,
  labEnvironment,
  LabFormatError,
  listing,
  parseAttributes,
  parseBlockInfo,
  parseLab,
  runLab,
  runLabs,
  selectLabs,
  summaryTable,
  type Lab,
  type LabResult,
  type RunContext,
} from "./labs.ts";
import { clusterSettings } from "./settings.ts";

const scratch = mkdtempSync(join(tmpdir(), "labs-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A lab README from its blocks: [info, code] pairs with a line of prose between them. */
function labText(blocks: [string, string][], header = ""): string {
  return [header, "# A lab", "", ...blocks.flatMap(([info, code]) => ["Some prose.", "", `\`\`\`${info}`, code, "```", ""])].join("\n");
}

function lab(blocks: [string, string][], header = ""): Lab {
  return parseLab(labText(blocks, header), "docs/labs/01-a-lab/README.md", "01-a-lab");
}

function formatProblems(text: string): string[] {
  try {
    parseLab(text, "docs/labs/01-a-lab/README.md", "01-a-lab");
  } catch (error) {
    if (error instanceof LabFormatError) return error.problems;
    throw error;
  }
  return [];
}

/** A run in a plain environment: no cluster, no kubeconfig, the blocks' files in a directory of their own. */
function context(overrides: Partial<RunContext> = {}): RunContext {
  const cwd = mkdtempSync(join(scratch, "run-"));
  return { cwd, env: { PATH: process.env.PATH }, retryIntervalMs: 50, ...overrides };
}

describe("parseAttributes", () => {
  it("when values are quoted, then \\\" is a quote, \\\\ a backslash, and any other backslash stays", () => {
    expect(parseAttributes(' run expect="say \\"hi\\"" expect-re="\\d+ pods" absent="a\\\\b" retry=60')).toEqual([
      { name: "run", value: undefined, quoted: false },
      { name: "expect", value: 'say "hi"', quoted: true },
      { name: "expect-re", value: "\\d+ pods", quoted: true },
      { name: "absent", value: "a\\b", quoted: true },
      { name: "retry", value: "60", quoted: false },
    ]);
  });

  it("when a value contains spaces and = signs inside its quotes, then it is one value", () => {
    expect(parseAttributes('expect="a = b  c"')).toEqual([{ name: "expect", value: "a = b  c", quoted: true }]);
  });

  it("when a quote is not closed or is followed by text, then it is an error", () => {
    expect(() => parseAttributes('expect="open')).toThrow(/closing double quote is missing/);
    expect(() => parseAttributes('expect="a"b')).toThrow(/a space must follow the closing quote/);
    expect(() => parseAttributes('expect=a"b"')).toThrow(/quote inside a bare value/);
  });
});

describe("parseBlockInfo", () => {
  it("when a block has no attributes, then it is shown, not run", () => {
    expect(parseBlockInfo("sh").mode).toBe("show");
    expect(parseBlockInfo("").mode).toBe("show");
    expect(parseBlockInfo("yaml").mode).toBe("show");
  });

  it("when a block is marked skip-check, then it is shown, not run", () => {
    expect(parseBlockInfo("sh skip-check").mode).toBe("show");
  });

  it("when a block is run with expectations, then each is kept and the defaults fill the rest", () => {
    const block = parseBlockInfo('bash run expect="Running" expect="2/2" expect-re="^folio-api-" absent="Error" fails');
    expect(block).toMatchObject({ lang: "bash", mode: "run", expect: ["Running", "2/2"], absent: ["Error"], fails: true, retry: undefined, timeout: 180 });
    expect(block.expectRe).toEqual(["^folio-api-"]);
    expect(checkOutcome(block, { exitCode: 1, output: "Running 2/2\nfolio-api-1 Running\n", timedOut: false })).toEqual([]); // ^ at each line
  });

  it("when retry and timeout are given, then they are whole seconds", () => {
    expect(parseBlockInfo("sh break retry=90 timeout=30")).toMatchObject({ mode: "break", retry: 90, timeout: 30 });
    expect(parseBlockInfo('sh undo retry="45"')).toMatchObject({ mode: "undo", retry: 45 });
  });

  it.each([
    ['sh run expct="x"', /unknown attribute "expct"/],
    ["sh runn", /unknown attribute "runn"/],
    ["sh run expect=Running", /expect needs a value in double quotes/],
    ['sh run expect=""', /empty/],
    ["sh run retry=1m", /retry must be a whole number of seconds/],
    ["sh run retry", /retry needs a number of seconds/],
    ["sh run timeout=0", /timeout must be a whole number/],
    ["sh run retry=5 retry=6", /retry is given twice/],
    ["sh run break", /either run, break or undo/],
    ["sh run=yes", /run takes no value/],
    ['sh expect="x"', /without run, break or undo/],
    ["sh fails", /without run, break or undo/],
    ['sh skip-check expect="x"', /skip-check stands alone/],
    ['sh run expect-re="(unclosed"', /not a valid regular expression/],
    ["yaml run", /only sh and bash blocks take attributes/],
    ["run", /language comes first/],
  ])("when the info string is %s, then it is refused", (info, message) => {
    expect(() => parseBlockInfo(info)).toThrow(message);
  });
});

describe("parseLab", () => {
  it("when a lab is parsed, then it has its title, blocks with their lines, and its budget", () => {
    const parsed = lab(
      [
        ["sh run", "kubectl get pods"],
        ["sh", "open http://folio.localtest.me"],
        ["sh break", "kubectl scale deploy/folio-worker --replicas=0"],
        ["sh undo retry=60", "kubectl scale deploy/folio-worker --replicas=1"],
      ],
      "<!-- labs:check timeout=900 -->",
    );
    expect(parsed).toMatchObject({ number: "01", id: "01-a-lab", title: "A lab", budget: 900 });
    expect(parsed.blocks.map((block) => [block.mode, block.line, block.code])).toEqual([
      ["run", 6, "kubectl get pods"],
      ["show", 12, "open http://folio.localtest.me"],
      ["break", 18, "kubectl scale deploy/folio-worker --replicas=0"],
      ["undo", 24, "kubectl scale deploy/folio-worker --replicas=1"],
    ]);
  });

  it("when blocks are broken, then every problem is reported with the file and line", () => {
    const problems = formatProblems(labText([["sh run expct=\"x\"", "true"], ["sh run", "true"], ["sh run retry=soon", "true"]]));
    expect(problems).toEqual([
      'docs/labs/01-a-lab/README.md:6: unknown attribute "expct" (known: run, break, undo, skip-check, fails, expect, expect-re, absent, retry, timeout)',
      'docs/labs/01-a-lab/README.md:18: retry must be a whole number of seconds, like retry=60, not "soon"',
    ]);
  });

  it("when a lab breaks something and never undoes it (or undoes what it never broke), then it is refused", () => {
    expect(formatProblems(labText([["sh break", "false"]]))).toEqual(["docs/labs/01-a-lab/README.md:6: a break block, but no undo block: the lab would leave the cluster broken"]);
    expect(formatProblems(labText([["sh undo", "true"]]))).toEqual(["docs/labs/01-a-lab/README.md:6: an undo block, but nothing is broken; make it a run block"]);
  });

  it("when the labs:check comment is wrong, then it is refused; inside a code block it is only text", () => {
    expect(formatProblems(labText([], "<!-- labs:check budget=900 -->"))).toEqual(['docs/labs/01-a-lab/README.md:1: unknown setting "budget" in the labs:check comment (known: timeout)']);
    expect(formatProblems(labText([], "<!-- labs:check timeout=15m -->"))[0]).toMatch(/:1: timeout must be a whole number of seconds/);
    expect(lab([["html", "<!-- labs:check nonsense -->"]]).budget).toBeUndefined();
  });

  it("when a code block is never closed or the lab has no title, then it is refused", () => {
    expect(formatProblems("# Lab\n\n```sh run\ntrue\n")).toEqual(["docs/labs/01-a-lab/README.md:3: the code block is never closed"]);
    expect(formatProblems("No title\n")).toEqual(['docs/labs/01-a-lab/README.md:1: the lab has no "# Title" heading']);
  });

  it("when a fence is longer or indented (inside a list), then its block is still found", () => {
    const text = "# Lab\n\n1. Step:\n\n   ````sh run expect=\"a\"\n   echo a\n   ```\n   still code\n   ````\n";
    const [block] = parseLab(text, "f.md", "01-x").blocks;
    expect(block).toMatchObject({ line: 5, mode: "run", code: "echo a\n```\nstill code" });
  });
});

describe("discoverLabs and selectLabs", () => {
  it("when lab directories exist, then they come in number order, and --lab takes a number or a name", () => {
    const labsDir = join(scratch, "discover", "docs", "labs");
    for (const id of ["02-second", "01-first", "notes"]) {
      mkdirSync(join(labsDir, id), { recursive: true });
      writeFileSync(join(labsDir, id, "README.md"), `# ${id}\n`);
    }
    writeFileSync(join(labsDir, "README.md"), "# Index\n");
    const labs = discoverLabs(labsDir, join(scratch, "discover"));
    expect(labs.map((found) => [found.id, found.file])).toEqual([
      ["01-first", "docs/labs/01-first/README.md"],
      ["02-second", "docs/labs/02-second/README.md"],
    ]);
    expect(selectLabs(labs, ["2", "01-first"]).map((found) => found.id)).toEqual(["02-second", "01-first"]);
    expect(() => selectLabs(labs, ["7"])).toThrow("no lab 7; the labs are 01, 02");
  });

  it("when two labs have format problems, then both are reported at once", () => {
    const labsDir = join(scratch, "broken", "docs", "labs");
    for (const id of ["01-a", "02-b"]) {
      mkdirSync(join(labsDir, id), { recursive: true });
      writeFileSync(join(labsDir, id, "README.md"), "# Lab\n\n```sh run retry=x\ntrue\n```\n");
    }
    expect(() => discoverLabs(labsDir, join(scratch, "broken"))).toThrow(/01-a\/README.md:3: retry[\s\S]*02-b\/README.md:3: retry/);
  });
});

describe("checkOutcome", () => {
  const block = parseBlockInfo('sh run expect="Running" expect-re="^2/2" absent="CrashLoopBackOff"');

  it("when the exit code and output meet every expectation, then there is no problem", () => {
    expect(checkOutcome(block, { exitCode: 0, output: "folio-api Running\n2/2 ready\n", timedOut: false })).toEqual([]);
  });

  it("when they do not, then each unmet expectation is named", () => {
    expect(checkOutcome(block, { exitCode: 1, output: "CrashLoopBackOff\n1/2", timedOut: false })).toEqual([
      "exited 1, expected 0",
      'output lacks expect="Running"',
      'output does not match expect-re="^2/2"',
      'output contains absent="CrashLoopBackOff"',
    ]);
  });

  it("when a block must fail, then exit 0 is the problem and a non-zero exit is not", () => {
    const failing = parseBlockInfo('sh run fails expect="timed out"');
    expect(checkOutcome(failing, { exitCode: 28, output: "curl: (28) Connection timed out", timedOut: false })).toEqual([]);
    expect(checkOutcome(failing, { exitCode: 0, output: "timed out", timedOut: false })).toEqual(["exited 0, but it should fail (fails)"]);
  });

  it("when the run timed out, then that is the problem, whatever it was expected to exit with", () => {
    expect(checkOutcome(parseBlockInfo("sh run fails timeout=5"), { exitCode: null, output: "", timedOut: true })).toEqual(["timed out after 5 s"]);
  });
});

describe("runLab", () => {
  it("when every block passes, then the lab passes and each block's output was checked", async () => {
    const outcome = await runLab(lab([["sh run expect=\"hello\"", "echo hello"], ["sh run fails expect=\"nope\"", "echo nope >&2; exit 3"]]), context());
    expect(outcome.status).toBe("ok");
    expect(outcome.results.map((result) => [result.ok, result.output])).toEqual([
      [true, "hello\n"],
      [true, "nope\n"],
    ]);
  });

  it("when blocks run, then it is with bash's set -euo pipefail, from the given directory and environment", async () => {
    const run = context({ env: { PATH: process.env.PATH, LAB_VALUE: "from the context" } });
    const outcome = await runLab(lab([["sh run expect=\"from the context\"", 'pwd > where; echo "$LAB_VALUE"'], ["sh run", "false | true"], ["sh run", "echo $UNSET_VARIABLE"]]), run);
    expect(readFileSync(join(run.cwd, "where"), "utf8").trim()).toBe(run.cwd);
    expect(outcome.results.map((result) => result.ok)).toEqual([true, false]); // pipefail; the third never runs
  });

  it("when a block fails, then the lab stops there and the failure says what was expected", async () => {
    const outcome = await runLab(lab([["sh run expect=\"ready\"", "echo starting"], ["sh run", "echo never"]]), context());
    expect(outcome.status).toBe("failed");
    expect(outcome.results).toHaveLength(1);
    expect(outcome.results[0]!.problems).toEqual(['output lacks expect="ready"']);
  });

  it("when a break step ran and a later block fails, then every undo runs at the end, in reverse order", async () => {
    const run = context();
    const parsed = lab([
      ["sh break", "echo break-1 >> log"],
      ["sh undo", "echo undo-1 >> log"],
      ["sh break", "echo break-2 >> log"],
      ["sh run", "echo checking >> log; false"],
      ["sh run", "echo never >> log"],
      ["sh undo", "echo undo-2 >> log"],
    ]);
    const outcome = await runLab(parsed, run);
    expect(readFileSync(join(run.cwd, "log"), "utf8").split("\n").filter(Boolean)).toEqual(["break-1", "break-2", "checking", "undo-2", "undo-1"]);
    expect(outcome.status).toBe("failed");
    expect(outcome.undoFailed).toBe(false);
    expect(outcome.results.map((result) => `${result.block.mode}:${result.ok}`)).toEqual(["break:true", "break:true", "run:false", "undo:true", "undo:true"]);
  });

  it("when the break step itself fails, then the undo still runs (a half-done break is undone too)", async () => {
    const run = context();
    await runLab(lab([["sh break", "echo broke >> log; exit 1"], ["sh undo", "echo undone >> log"]]), run);
    expect(readFileSync(join(run.cwd, "log"), "utf8")).toBe("broke\nundone\n");
  });

  it("when the lab fails before any break step, then nothing is undone", async () => {
    const run = context();
    const outcome = await runLab(lab([["sh run", "false"], ["sh break", "true"], ["sh undo", "echo undone >> log"]]), run);
    expect(outcome.results).toHaveLength(1);
    expect(existsSync(join(run.cwd, "log"))).toBe(false);
  });

  it("when an undo block fails, then the lab fails with undoFailed, and the next labs are not run", async () => {
    const first = lab([["sh break", "true"], ["sh undo", "echo cannot; exit 1"]]);
    const second = parseLab(labText([["sh run", "true"]]), "docs/labs/02-b/README.md", "02-b");
    const outcomes = await runLabs([first, second], context());
    expect(outcomes.map((outcome) => [outcome.lab.id, outcome.status, outcome.undoFailed])).toEqual([
      ["01-a-lab", "failed", true],
      ["02-b", "not run", false],
    ]);
  });

  it("when a block has retry, then it runs again until it passes", async () => {
    const run = context();
    // Passes on the third run.
    const outcome = await runLab(lab([["sh run retry=10 expect=\"3\"", "echo x >> count; wc -l < count"]]), run);
    expect(outcome.status).toBe("ok");
    expect(outcome.results[0]!.attempts).toBe(3);
  });

  it("when a block never passes within its retry time, then it fails with the last run's output", async () => {
    const outcome = await runLab(lab([["sh run retry=1 expect=\"Running\"", "echo Pending"]]), context({ retryIntervalMs: 300 }));
    expect(outcome.status).toBe("failed");
    expect(outcome.results[0]!.attempts).toBeGreaterThan(1);
    expect(outcome.results[0]!.output).toBe("Pending\n");
  });

  it("when a block runs past its timeout, then it is ended with what it started in the background", async () => {
    const run = context();
    const started = Date.now();
    const outcome = await runLab(lab([["sh run timeout=1", "sleep 60 & echo $! > child; sleep 60"]]), run);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(outcome.results[0]!.problems).toEqual(["timed out after 1 s"]);
    const child = Number(readFileSync(join(run.cwd, "child"), "utf8"));
    // A killed process closes its pipes before the kernel marks it exited: on a busy machine that takes a moment.
    await expect.poll(() => isAlive(child), { timeout: 5_000 }).toBe(false);
  });

  it("when a block leaves a process in the background, then it is ended when the block ends", async () => {
    const run = context();
    const outcome = await runLab(lab([["sh run", "sleep 60 & echo $! > child"]]), run);
    expect(outcome.status).toBe("ok");
    await expect.poll(() => isAlive(Number(readFileSync(join(run.cwd, "child"), "utf8"))), { timeout: 5_000 }).toBe(false);
  });

  it("when the lab's budget runs out, then the remaining blocks are not started and the undo still runs", async () => {
    const run = context();
    const outcome = await runLab(
      lab([["sh break", "echo broke >> log"], ["sh run", "sleep 30"], ["sh run", "echo never >> log"], ["sh undo", "echo undone >> log"]], "<!-- labs:check timeout=1 -->"),
      run,
    );
    expect(outcome.status).toBe("failed");
    // Ended by the budget, or (on a slow machine) never started because it had run out already.
    expect(outcome.results[1]!.problems.join("; ")).toMatch(/time budget.* ran out/);
    expect(readFileSync(join(run.cwd, "log"), "utf8")).toBe("broke\nundone\n");
  });

  it("when the run is aborted while a block waits to retry, then it stops at once", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const outcome = await runLab(lab([["sh run retry=60 expect=\"Running\"", "echo Pending"]]), { ...context({ retryIntervalMs: 5_000 }), signal: controller.signal });
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(outcome.results[0]!.problems).toContain("interrupted");
  });

  it("when the run is aborted (Ctrl-C), then the current block is stopped and the undo blocks still run", async () => {
    const run = context();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    const outcome = await runLab(lab([["sh break", "true"], ["sh run", "sleep 30"], ["sh run", "echo never >> log"], ["sh undo", "echo undone >> log"]]), { ...run, signal: controller.signal });
    expect(outcome.status).toBe("failed");
    expect(outcome.results[1]!.problems).toContain("interrupted");
    expect(readFileSync(join(run.cwd, "log"), "utf8")).toBe("undone\n");
  });
});

/** True while the process runs. A killed orphan can stay a zombie where PID 1 reaps nothing (a container): that is not running. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}

describe("reports", () => {
  const parsed = lab([["sh run expect=\"2/2\"", "# the pods\nkubectl get pods\necho more"], ["sh break", "kubectl delete pod folio-postgres-0"], ["sh undo", "true"]]);
  const results: LabResult[] = [
    {
      lab: parsed,
      status: "failed",
      undoFailed: false,
      seconds: 75.2,
      results: [{ block: parsed.blocks[0]!, ok: false, problems: ['output lacks expect="2/2"'], output: Array.from({ length: 50 }, (_, index) => `line ${index + 1}`).join("\n"), attempts: 1, seconds: 2 }],
    },
    { lab: { ...parsed, id: "02-next" }, status: "not run", undoFailed: false, seconds: 0, results: [] },
  ];

  it("when a block is shown in a line, then it is its first command, not its comment, shortened", () => {
    expect(firstLine(parsed.blocks[0]!)).toBe("kubectl get pods …");
    expect(firstLine({ code: "x".repeat(100) }, 20)).toBe(`${"x".repeat(19)}…`);
  });

  it("when labs ran, then the summary shows each lab's blocks passed, result and time, and the total", () => {
    expect(summaryTable(results).split("\n")).toEqual([
      "lab       blocks  result         time",
      "01-a-lab  0/3     FAILED   1 min 15 s",
      "02-next   0/3     not run",
      "total                      1 min 15 s",
    ]);
  });

  it("when a block failed, then the report has its place, command, expectations and the last 40 lines of output", () => {
    const report = failureReport(results);
    expect(report).toContain("01-a-lab: run block at docs/labs/01-a-lab/README.md:6 (1 run)");
    expect(report).toContain("  kubectl get pods\n");
    expect(report).toContain('expected: exit 0, expect="2/2"');
    expect(report).toContain('problems: output lacks expect="2/2"');
    expect(report).toContain("… (10 earlier lines)\n  line 11\n");
    expect(report).not.toContain("line 10\n");
    expect(report.trimEnd().endsWith("line 50")).toBe(true);
  });

  it("when labs are listed, then each runnable block shows its line, mode and attributes", () => {
    expect(listing([parsed]).split("\n")).toEqual([
      "01-a-lab  A lab  (docs/labs/01-a-lab/README.md; 3 runnable blocks)",
      '  :6    run   kubectl get pods …  [expect="2/2"]',
      "  :14   break kubectl delete pod folio-postgres-0",
      "  :20   undo  true",
    ]);
  });
});

describe("the blocks' environment", () => {
  it("when the ingress is on a port, then curl sends both public hosts there without DNS", () => {
    expect(curlrc(8080)).toContain('connect-to = "folio.localtest.me:80:127.0.0.1:8080"\n');
    expect(curlrc(8080)).toContain('connect-to = "api.folio.localtest.me:80:127.0.0.1:8080"\n');
    expect(curlrc(80)).toContain('connect-to = "api.folio.localtest.me:80:127.0.0.1:80"');
  });

  // kubectl reads and writes kubeconfig files here; no cluster is contacted.
  const userConfig = join(scratch, "user-kubeconfig");
  writeFileSync(
    userConfig,
    [
      "apiVersion: v1",
      "kind: Config",
      "current-context: elsewhere",
      "clusters:",
      "- {name: kind-labs, cluster: {server: 'https://127.0.0.1:1'}}",
      "- {name: elsewhere, cluster: {server: 'https://10.0.0.1'}}",
      "contexts:",
      "- {name: kind-labs, context: {cluster: kind-labs, user: kind-labs}}",
      "- {name: elsewhere, context: {cluster: elsewhere, user: elsewhere, namespace: prod}}",
      "users:",
      "- {name: kind-labs, user: {token: labs}}",
      "- {name: elsewhere, user: {token: prod}}",
      "",
    ].join("\n"),
  );
  const kubectl = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" });

  it.skipIf(kubectl.status !== 0)("when the environment is made, then its kubeconfig holds only the cluster's context, in Folio's namespace", async () => {
    const dir = mkdtempSync(join(scratch, "env-"));
    const settings = { ...clusterSettings({ name: "labs", namespace: "folio" }), httpPort: 8080 };
    const env = await labEnvironment(settings, dir, { PATH: process.env.PATH, KUBECONFIG: userConfig });
    expect(env).toMatchObject({ KUBECONFIG: join(dir, "kubeconfig"), CURL_HOME: dir, FOLIO_CLUSTER: "labs", FOLIO_NAMESPACE: "folio", FOLIO_HTTP_PORT: "8080" });
    const config = readFileSync(env.KUBECONFIG!, "utf8");
    expect(config).toContain("current-context: kind-labs");
    expect(config).toContain("namespace: folio");
    expect(config).not.toContain("elsewhere");
    expect(readFileSync(join(dir, ".curlrc"), "utf8")).toBe(curlrc(8080));
  });

  it.skipIf(kubectl.status !== 0)("when kubectl has no context for the cluster, then the error says how to create it", async () => {
    const settings = clusterSettings({ name: "absent" });
    await expect(labEnvironment(settings, mkdtempSync(join(scratch, "env-")), { PATH: process.env.PATH, KUBECONFIG: userConfig })).rejects.toThrow(
      /kubectl has no context kind-absent .*pnpm stack:up --cluster absent/,
    );
  });
});

describe("pnpm labs:check", () => {
  const script = join(import.meta.dirname, "..", "labs-check.ts");
  const run = (...args: string[]) => spawnSync(process.execPath, [script, ...args], { encoding: "utf8", timeout: 60_000 });

  /**
   * A labs folder and a stand-in kubectl that answers the script's own checks (a kubeconfig, /readyz, Folio's
   * Deployments) without any cluster, so the whole command runs: its output, exit code and clean-up.
   */
  function fakeSetup(labs: Record<string, string>): { dir: string; env: NodeJS.ProcessEnv } {
    const dir = mkdtempSync(join(scratch, "cli-"));
    for (const [id, text] of Object.entries(labs)) {
      mkdirSync(join(dir, "labs", id), { recursive: true });
      writeFileSync(join(dir, "labs", id, "README.md"), text);
    }
    mkdirSync(join(dir, "bin"));
    writeFileSync(
      join(dir, "bin", "kubectl"),
      [
        "#!/bin/bash",
        'case "$*" in',
        '  *"config view"*) printf "apiVersion: v1\\nkind: Config\\ncurrent-context: kind-folio\\n" ;;',
        '  *"get --raw /readyz"*) echo ok ;;',
        '  *"get deployments"*) echo deployment.apps/folio-api ;;',
        "esac",
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    return { dir, env: { ...process.env, PATH: `${join(dir, "bin")}:${process.env.PATH}`, FOLIO_HTTP_PORT: "8080", CI: "1" } };
  }

  it("when a lab fails, then its undo runs, the table and the failure report are printed, it exits 1 and leaves no temporary files", () => {
    const { dir, env } = fakeSetup({
      "01-good": labText([["sh run expect=\"8080\"", 'echo "$FOLIO_HTTP_PORT"; cat "$CURL_HOME/.curlrc"']]),
      "02-bad": labText([
        ["sh break", `echo "$KUBECONFIG" > ${join("$LOG_DIR", "kubeconfig-path")}`],
        ["sh run expect=\"Running\"", "echo Pending"],
        ["sh undo", `echo undone > ${join("$LOG_DIR", "undo")}`],
      ]),
    });
    const result = spawnSync(process.execPath, [script, "--dir", join(dir, "labs")], { encoding: "utf8", timeout: 60_000, env: { ...env, LOG_DIR: dir } });
    expect(result.status, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toMatch(/^ok {4}01-good {2}echo "\$FOLIO_HTTP_PORT"; cat "\$CURL_HOME\/\.curlrc" \(\d/m);
    expect(result.stdout).toMatch(/^FAIL {2}02-bad {2}echo Pending/m);
    expect(result.stdout).toMatch(/^ok {4}02-bad {2}undo: echo undone/m);
    expect(result.stdout).toMatch(/^01-good +1\/1 +ok /m);
    expect(result.stdout).toMatch(/^02-bad +2\/3 +FAILED /m);
    expect(result.stdout).toContain('problems: output lacks expect="Running"');
    expect(result.stdout).toContain("1 of 2 lab(s) failed: 02-bad");
    expect(readFileSync(join(dir, "undo"), "utf8")).toBe("undone\n");
    expect(existsSync(readFileSync(join(dir, "kubeconfig-path"), "utf8").trim())).toBe(false);
  }, 70_000);

  it("when it is interrupted during a lab, then the block is stopped, the undo runs, and it exits 130", async () => {
    const { dir, env } = fakeSetup({
      "01-slow": labText([
        ["sh break", "true"],
        ["sh run", `echo $$ > ${join("$LOG_DIR", "shell")}; touch ${join("$LOG_DIR", "started")}; sleep 60`],
        ["sh undo", `echo undone > ${join("$LOG_DIR", "undo")}`],
      ]),
    });
    const child = spawn(process.execPath, [script, "--dir", join(dir, "labs")], { env: { ...env, LOG_DIR: dir }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await expect.poll(() => existsSync(join(dir, "started")), { timeout: 30_000 }).toBe(true);
    child.kill("SIGINT");
    const code = await new Promise<number | null>((done) => child.on("exit", done));
    expect(code, output).toBe(130);
    expect(readFileSync(join(dir, "undo"), "utf8")).toBe("undone\n");
    expect(isAlive(Number(readFileSync(join(dir, "shell"), "utf8")))).toBe(false);
  }, 70_000);

  it("when an unknown option is given, then it exits 2 and names it", () => {
    const result = run("--lab-number", "3");
    expect(result.status).toBe(2);
    expect(result.stdout).toContain("unknown option --lab-number");
    expect(result.stdout).toContain("pnpm labs:check --help");
  }, 70_000);

  it("when --lab is given without a value, or a lab that does not exist, then it exits 2", () => {
    expect(run("--lab").status).toBe(2);
    const result = run("--lab", "99");
    expect(result.status).toBe(2);
    expect(result.stdout).toContain("no lab 99");
  }, 70_000);
});
