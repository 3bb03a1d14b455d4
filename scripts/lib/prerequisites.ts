/** Checks shared by the scripts: each failure says exactly how to fix it. */
import { fileURLToPath } from "node:url";
import { chalk, echo } from "zx";

export function repoRoot(): string {
  return fileURLToPath(new URL("../..", import.meta.url));
}

export function checkNode(minimum = 22): void {
  const major = Number(process.versions.node.split(".")[0]);
  if (major < minimum) {
    echo(chalk.red(`Node ${minimum} or newer is needed (this is ${process.version}). Run \`nvm use\` (the repo's .nvmrc says 24).`));
    process.exit(1);
  }
}
