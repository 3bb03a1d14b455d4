/**
 * Command-line arguments and `--help`. The list of settings in the help is generated from the config schema,
 * so it cannot drift from what the process actually reads.
 */
import { parseArgs } from "node:util";
import { configSchema } from "./config.js";

export type Invocation = { help: true } | { help: false; dryRun: boolean };

/** Throws a TypeError naming the problem for an unknown option or a stray argument. */
export function parseArguments(argv: string[]): Invocation {
  const { values } = parseArgs({
    args: argv,
    options: { "dry-run": { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
    allowPositionals: false,
    strict: true,
  });
  return values.help ? { help: true } : { help: false, dryRun: values["dry-run"] };
}

export function usage(): string {
  const settings = Object.entries(configSchema.shape).map(([name, field]) => {
    // Parsing "unset" tells a required setting (fails) from an optional one (undefined) and a default.
    const unset = field.safeParse(undefined);
    const fallback = !unset.success ? "required" : unset.data === undefined ? "optional" : `default ${String(unset.data)}`;
    return { name, text: `${fallback}; ${field.description ?? ""}` };
  });
  const width = Math.max(...settings.map((setting) => setting.name.length));
  return [
    "Usage: node dist/main.js [--dry-run] [--help]",
    "",
    "Purges what Folio no longer needs, in batches, then prints one JSON summary line and exits:",
    "articles in the trash past their retention (with their revisions), media marked deleted (objects, then",
    "rows), objects under media/ without a row, pending media whose original never arrived, expired",
    "idempotency keys, and old finished jobs of the media queue. One run at a time (a Postgres advisory lock).",
    "",
    "Options:",
    "  --dry-run   report what would be purged and change nothing (or CLEANUP_DRY_RUN=true)",
    "  -h, --help  show this help",
    "",
    "Exit codes:",
    "  0        finished, or skipped because another run holds the lock",
    "  1        invalid configuration, database unreachable, or a purge failed (the others still ran)",
    "  130/143  stopped by SIGINT/SIGTERM after finishing its batch; the next run continues",
    "",
    "Environment:",
    ...settings.map((setting) => `  ${setting.name.padEnd(width)}  ${setting.text}`),
    "",
  ].join("\n");
}
