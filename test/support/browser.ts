/**
 * Drives the code-server workbench with playwright-core in a system Chromium (Playwright's
 * own browser downloads are not reachable from CI here; Debian's `chromium` package is).
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { CodeServer } from './codeServer';
import { repoRoot } from './repoRoot';

const WORKBENCH_TIMEOUT_MS = 60_000;
const UI_TIMEOUT_MS = 15_000;

/**
 * Launches headless Chromium (`$CHROMIUM_PATH`, default `/usr/bin/chromium`) with the network
 * chatter that a sandboxed CI machine cannot serve switched off.
 */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}: run \`npm run setup\` or set CHROMIUM_PATH.`);
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox', // runs as root in containers, where Chromium's sandbox cannot start
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--no-proxy-server', // the workbench is on 127.0.0.1; a proxy from the environment must not be asked
      '--disable-dev-shm-usage', // containers often have a tiny /dev/shm
    ],
  });
}

/**
 * Opens the server's workspace in a fresh browser context and waits until the workbench is
 * usable: activity bar rendered and the explorer listing the workspace folder (as a fresh
 * profile shows it on start).
 * Close it with `page.context().close()` (or by closing the browser).
 * @param opts.query extra query string appended to the URL, e.g. `&payload=…`
 * @param opts.viewport default 1400×900
 */
export async function openWorkbench(
  browser: Browser,
  server: CodeServer,
  opts: { query?: string; viewport?: { width: number; height: number } } = {},
): Promise<Page> {
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1400, height: 900 } });
  const page = await context.newPage();
  try {
    await page.goto(`${server.url}/?folder=${encodeURIComponent(server.workspace)}${opts.query ?? ''}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: WORKBENCH_TIMEOUT_MS });
    await page.locator('.part.activitybar').waitFor({ timeout: WORKBENCH_TIMEOUT_MS });
    // The parts render at once, but the folder's contents come over the remote connection
    // about a second later: explorer rows show that the workbench talks to the server.
    // (An empty folder has no rows to wait for.)
    if (readdirSync(server.workspace).length > 0) {
      await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: WORKBENCH_TIMEOUT_MS });
    }
    await dismissNotifications(page);
  } catch (err) {
    await context.close().catch(() => undefined);
    throw err;
  }
  return page;
}

/** Closes any notification toasts, which otherwise cover the lower right of the workbench. */
async function dismissNotifications(page: Page): Promise<void> {
  const toasts = page.locator('.notifications-toasts .notification-toast');
  if ((await toasts.count()) === 0) return;
  await runCommand(page, 'Notifications: Clear All Notifications').catch(() => undefined);
}

/**
 * Runs a command from the command palette by its exact title (as shown in the palette, e.g.
 * `View: Toggle Word Wrap`).
 * @throws if no palette entry has that title within 15 s.
 */
export async function runCommand(page: Page, title: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('.quick-input-box input');
  // With focus inside a webview, F1 can open the palette and close it again at once: on a miss,
  // move focus to the workbench (the status bar) and ask again.
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    try {
      await input.waitFor({ timeout: 5000 });
      // F1 opens the palette with '>' already typed: the title goes after it.
      await input.fill(`>${title}`, { timeout: 5000 });
      break;
    } catch (err) {
      if (attempt === 3) throw err;
      await page.keyboard.press('Escape');
      await page
        .locator('.part.statusbar')
        .click({ position: { x: 5, y: 5 } })
        .catch(() => undefined);
    }
  }
  // Rows' aria-label is the title, possibly followed by the keybinding or "recently used";
  // the label element's text is exactly the title.
  const row = widget
    .locator('.quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) })
    .first();
  await row.waitFor({ timeout: UI_TIMEOUT_MS });
  // Enter runs the focused row: the best match, which need not be this one (a recently used
  // or similar command can rank first); then click this row's label instead.
  if ((await row.getAttribute('class'))?.split(' ').includes('focused')) {
    await input.press('Enter');
  } else {
    await row.locator('.label-name').click();
  }
  // The palette is done when its widget hides, or when the command's own quick input (an input
  // box, a pick) has taken the widget over: its text no longer starts with the palette's '>'.
  await page.waitForFunction(
    () => {
      const w = document.querySelector<HTMLElement>('.quick-input-widget');
      if (!w || w.offsetParent === null || getComputedStyle(w).display === 'none') return true;
      const box = w.querySelector<HTMLInputElement>('.quick-input-box input');
      return !box || !box.value.startsWith('>');
    },
    undefined,
    { timeout: UI_TIMEOUT_MS },
  );
}

/** `text` as a regular expression that matches exactly it. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Saves a screenshot of the page as `test-results/screenshots/<name>.png` under the repo root.
 * @returns the file's absolute path
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = path.join(repoRoot(), 'test-results', 'screenshots');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
