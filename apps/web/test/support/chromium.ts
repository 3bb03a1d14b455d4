/**
 * Which Chromium the browser tests drive. Playwright's own browser download is not needed: the first of these
 * that exists is used, and otherwise the error says what to install.
 *   1. CHROMIUM_PATH or PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH: an executable you name;
 *   2. a Chromium from the system's packages (Debian/Ubuntu `apt-get install chromium`, Homebrew);
 *   3. an installed Google Chrome (Playwright's "chrome" channel);
 *   4. Playwright's own Chromium, if `playwright-core install chromium` was run.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser, type LaunchOptions } from "playwright-core";

const SYSTEM_CHROMIUM = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/snap/bin/chromium",
  "/opt/homebrew/bin/chromium",
  "/Applications/Chromium.app/Contents/MacOS/Chromium",
];

const GOOGLE_CHROME = [
  "/opt/google/chrome/chrome",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
  `${process.env.PROGRAMFILES ?? "C:\\Program Files"}\\Google\\Chrome\\Application\\chrome.exe`,
  `${process.env.LOCALAPPDATA ?? ""}\\Google\\Chrome\\Application\\chrome.exe`,
];

export function chromiumLaunchOptions(): Pick<LaunchOptions, "executablePath" | "channel"> & { description: string } {
  const named = process.env.CHROMIUM_PATH || process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH;
  if (named) {
    if (!existsSync(named)) throw new Error(`CHROMIUM_PATH/PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH names ${named}, which does not exist.`);
    return { executablePath: named, description: named };
  }
  const system = SYSTEM_CHROMIUM.find((path) => existsSync(path));
  if (system) return { executablePath: system, description: system };
  const chrome = GOOGLE_CHROME.find((path) => existsSync(path));
  if (chrome) return { channel: "chrome", description: `Google Chrome (${chrome})` };
  const bundled = bundledChromium();
  if (bundled && existsSync(bundled)) return { executablePath: bundled, description: bundled };
  throw new Error(
    [
      "The browser tests need Chromium or Google Chrome, and none was found. Install one of:",
      "  Debian/Ubuntu:  sudo apt-get install chromium",
      "  macOS:          brew install --cask chromium   (or install Google Chrome)",
      "  any system:     pnpm --filter @folio/web exec playwright-core install chromium",
      "or point CHROMIUM_PATH at a Chromium or Chrome executable.",
    ].join("\n"),
  );
}

function bundledChromium(): string | undefined {
  try {
    return chromium.executablePath();
  } catch {
    return undefined;
  }
}

/** Headless Chromium with a fresh temporary profile (Playwright makes one per launch and deletes it on close). */
export async function launchChromium(): Promise<Browser> {
  const { description: _description, ...where } = chromiumLaunchOptions();
  return chromium.launch({
    ...where,
    headless: true,
    args: [
      // Needed when the tests run as root (CI containers); harmless otherwise for a test profile.
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
