/**
 * Workbench moves the e2e tests share: waiting for the extension, explorer rows and their
 * context menu, finding one of several webviews by what it shows, and test steps that leave a
 * screenshot behind when they fail.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import { escapeRegExp, launchBrowser, openWorkbench, runCommand, screenshot } from './browser';
import { type CodeServer, startCodeServer } from './codeServer';

export const UI_TIMEOUT = 30_000;

/** The code-server of the suite now running (its logs are read when a step fails) and what the suite adds. */
let activeServer: CodeServer | undefined;
let activeDiagnose: (() => string) | undefined;

/** Waits until VS Code knows the extension's contributions (its commands are in the palette). */
export async function waitForExtension(page: Page): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const label = page.locator('.quick-input-list .label-name', { hasText: /^CloudTrail: Open Sample Logs$/ }).first();
  const end = Date.now() + 90_000;
  // Right after load, a keypress can land before the workbench listens for it: ask again until it answers.
  for (;;) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const opened = await input.waitFor({ timeout: 5000 }).then(
      () => true,
      () => false,
    );
    if (opened) {
      await input.fill('>CloudTrail: Open Sample Logs');
      if (
        await label.waitFor({ timeout: 10_000 }).then(
          () => true,
          () => false,
        )
      )
        break;
    }
    if (Date.now() > end) throw new Error('the CloudTrail Lens commands never appeared in the command palette');
  }
  await input.press('Escape');
}

/**
 * The readiness signal for a custom editor: waits until the explorer's
 * **Open With…** on `file` offers `editor`, then closes that pick without opening anything.
 * That list is the editor resolver's own answer for the file: the state a double-click is resolved
 * against. The palette wait (waitForExtension) shows that the extension's contributions are in;
 * this asks the service that decides which editor opens. Without this, the first double-click
 * after start-up was seen to open the text editor (one CI run in six) although the palette was ready.
 */
export async function waitForEditor(page: Page, file: string, editor: string): Promise<void> {
  const pick = page.locator('.quick-input-widget', {
    has: page.locator('.quick-input-box input[placeholder^="Select editor for"]'),
  });
  // The editor's row, marked as the default (what a double-click opens).
  const option = pick.locator('.quick-input-list .monaco-list-row', {
    has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(editor)}$`) }),
    hasText: 'Default',
  });
  const end = Date.now() + 90_000;
  for (;;) {
    await chooseFromContextMenu(page, explorerRow(page, file), 'Open With...');
    await pick.waitFor({ timeout: UI_TIMEOUT });
    const offered = await option
      .first()
      .waitFor({ timeout: 2000 })
      .then(
        () => true,
        () => false,
      );
    await page.keyboard.press('Escape');
    await pick.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
    if (offered) return;
    if (Date.now() > end) throw new Error(`Open With… on ${file} never offered "${editor}" as the default`);
    await page.waitForTimeout(1000);
  }
}

export function explorerRow(page: Page, name: string): Locator {
  return page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${name}"]`).first();
}

/** Right-click in the explorer → "Open in CloudTrail Lens". */
export async function openFromContextMenu(page: Page, name: string): Promise<void> {
  await chooseFromContextMenu(page, explorerRow(page, name), 'Open in CloudTrail Lens');
}

/** Right-click `target` (a tree row) → the context menu item labelled `label`. */
export async function chooseFromContextMenu(page: Page, target: Locator, label: string): Promise<void> {
  const item = page.locator('.context-view .action-item', { hasText: label }).first();
  // Right after a webview had focus, the first right-click can be taken for focus and open no menu
  // (or one that closes at once): ask again, a few times, before giving up.
  for (let attempt = 1; ; attempt++) {
    await target.click({ button: 'right' });
    const shown = await item.waitFor({ timeout: attempt < 3 ? 8000 : UI_TIMEOUT }).then(
      () => true,
      () => false,
    );
    if (shown) break;
    if (attempt === 3) throw new Error(`the context menu never offered "${label}"`);
    await page.keyboard.press('Escape');
  }
  await item.click();
  // The menu acts on mouse-up and may miss a click made while it is still laying out: then the
  // item is clicked again. Not Enter: under load the menu can close just after the check, and a
  // key would land in whatever has focus then (a webview's focused button), not in the menu.
  const menu = page.locator('.context-view.monaco-menu-container');
  if (
    !(await menu.waitFor({ state: 'hidden', timeout: 1500 }).then(
      () => true,
      () => false,
    ))
  ) {
    if (await menu.isVisible()) await item.click({ timeout: 2000 }).catch(() => undefined);
    await menu.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
  }
}

/** The content of a webview's outer iframe (webviews are two nested iframes). */
function inner(outer: Locator): FrameLocator {
  return outer.contentFrame().locator('iframe#active-frame').contentFrame();
}

/**
 * The visible webview whose page contains `selector` (the log viewer and event view sit side by
 * side). The locator is pinned to that webview's iframe by its unique `src`, not by position:
 * positions shift as other webviews are hidden and shown.
 */
export async function webviewWith(page: Page, selector: string, timeout = UI_TIMEOUT): Promise<FrameLocator> {
  const end = Date.now() + timeout;
  for (;;) {
    const visible = page.locator('iframe.webview.ready:visible');
    const n = await visible.count();
    for (let i = n - 1; i >= 0; i--) {
      if (
        (await inner(visible.nth(i))
          .locator(selector)
          .count()
          .catch(() => 0)) === 0
      )
        continue;
      const src = await visible
        .nth(i)
        .getAttribute('src')
        .catch(() => null);
      if (src && !src.includes('"')) return inner(page.locator(`iframe.webview[src="${src}"]`));
    }
    if (Date.now() > end) throw new Error(`no visible webview shows ${selector}`);
    await page.waitForTimeout(200);
  }
}

/** The log viewer webview (toolbar with the search box). */
export const logViewer = (page: Page): Promise<FrameLocator> => webviewWith(page, 'input.search');
/** The event view webview. */
export const eventView = (page: Page): Promise<FrameLocator> => webviewWith(page, '.event-page');

/** A row of the side bar's tree (the CloudTrail Lens explorer) whose label is exactly `label`. */
export function sideBarRow(page: Page, label: string): Locator {
  return page
    .locator('.part.sidebar')
    .locator('.monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) })
    .first();
}

/** Expands that row (a click unless it is expanded already), waiting until it is. */
export async function expandSideBarRow(page: Page, label: string): Promise<void> {
  const r = sideBarRow(page, label);
  await r.waitFor({ timeout: UI_TIMEOUT });
  if ((await r.getAttribute('aria-expanded')) !== 'true') await r.click();
  await page.waitForFunction((el) => el?.getAttribute('aria-expanded') === 'true', await r.elementHandle(), {
    timeout: UI_TIMEOUT,
  });
}

/** Filters the log view on `query` and opens the first matching event; returns the event view once it shows it. */
export async function openFirstEvent(page: Page, query: string): Promise<FrameLocator> {
  const v = await logViewer(page);
  await v.locator('input.search').fill(query);
  await v.locator(`.grid[data-query=${JSON.stringify(query)}]`).waitFor({ timeout: UI_TIMEOUT });
  const row = v.locator('.spacer .row:not(.placeholder)').first();
  await row.waitFor({ timeout: UI_TIMEOUT });
  const name = (await row.locator('.c-eventName').textContent())?.replace(/^write/, '') ?? '';
  // The event shown before, if any: two events of one name (a set of identity types) would
  // otherwise pass the name check below while the page still shows the old one.
  const before = await eventPageText(page);
  await row.click();
  const ev = await eventView(page);
  await ev.locator('h1.event-name', { hasText: name }).waitFor({ timeout: UI_TIMEOUT });
  // Another event comes within moments; the same one again (the page does not change) is let through.
  for (let i = 0; before !== undefined && i < 40 && (await eventPageText(page)) === before; i++)
    await page.waitForTimeout(125);
  return ev;
}

/** The event view's page text, or undefined when no event view is shown. */
async function eventPageText(page: Page): Promise<string | undefined> {
  return webviewWith(page, '.event-page', 300)
    .then((f) => f.locator('.event-page').textContent({ timeout: 1000 }))
    .then(
      (t) => t ?? undefined,
      () => undefined,
    );
}

export async function activeTabTitle(page: Page): Promise<string> {
  return (await page.locator('.tabs-container .tab.active .label-name').first().textContent()) ?? '';
}

/** A test that saves `FAILED-<shot>.png` when it fails, to see what the user would have seen. */
export function step(name: string, shot: string, page: () => Page | undefined, body: () => Promise<void>): void {
  test(name, async () => {
    try {
      await body();
    } catch (e) {
      const p = page();
      if (p) await screenshot(p, `FAILED-${shot}`).catch(() => undefined);
      // Never in the way of the failure itself: a problem gathering the context is only named.
      if (e instanceof Error) {
        const shown = await whatWasShown(p).catch(
          (d: unknown) => `\n(what the workbench showed could not be read: ${String(d)})`,
        );
        e.message += shown;
        // Playwright's errors have their stack (what the reporter prints) made already.
        if (e.stack && !e.stack.includes(shown)) e.stack += shown;
      }
      throw e;
    }
  });
}

/** Every file under the running code-server's `logs/` folder (none when it has gone). */
function logFiles(dataDir: string): string[] {
  try {
    return readdirSync(join(dataDir, 'logs'), { recursive: true, encoding: 'utf8' }).map((f) =>
      join(dataDir, 'logs', f),
    );
  } catch {
    return [];
  }
}

/**
 * What the workbench showed when a step failed, appended to its error: the side bar's rows, the
 * notifications, and the tail of the extension's log. A failure on a CI machine, whose
 * screenshots nobody can see, then still says what was on screen and what the extension did.
 */
async function whatWasShown(page: Page | undefined): Promise<string> {
  const out: string[] = ['', '--- when it failed ---'];
  const text = async (selector: string): Promise<string[]> =>
    page
      ? page
          .locator(selector)
          .allInnerTexts()
          .then(
            (t) => t.map((x) => x.replace(/\s+/g, ' ').trim()).filter(Boolean),
            () => [],
          )
      : [];
  out.push(`side bar rows: ${JSON.stringify((await text('.part.sidebar .monaco-list-row')).slice(0, 40))}`);
  out.push(`notifications: ${JSON.stringify(await text('.notifications-toasts .notification-toast'))}`);
  out.push(`dialog: ${JSON.stringify(await text('.monaco-dialog-box'))}`);
  const logs = activeServer ? logFiles(activeServer.dataDir) : [];
  for (const file of logs.filter((f) => f.endsWith('CloudTrail Lens.log'))) {
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    out.push(`extension log (last 30 of ${lines.length} lines):`, ...lines.slice(-30).map((l) => `  ${l}`));
  }
  for (const file of logs.filter((f) => f.endsWith('exthost.log'))) {
    const errors = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => /\[error\]/.test(l));
    if (errors.length)
      out.push(`extension host errors (last 10 of ${errors.length}):`, ...errors.slice(-10).map((l) => `  ${l}`));
  }
  if (activeDiagnose) out.push(activeDiagnose());
  return out.join('\n');
}

/** Switches between the light and dark default themes. */
export async function toggleTheme(page: Page, to: 'light' | 'dark'): Promise<void> {
  await runCommand(page, 'Preferences: Toggle between Light/Dark Themes');
  await page
    .locator(to === 'light' ? '.monaco-workbench.vs' : '.monaco-workbench.vs-dark')
    .waitFor({ timeout: UI_TIMEOUT });
}

export interface SuiteSetup {
  workspace: string;
  env?: Record<string, string>;
  settings?: Record<string, unknown>;
  /** Removes what the setup made (temporary folders, fake servers). */
  cleanup?(): Promise<void> | void;
  /** What the suite's fakes saw, added to a failed step's error (the calls they answered, say). */
  diagnose?(): string;
}

/**
 * The e2e suites' common frame: before the tests, code-server with the built VSIX installed
 * (`CTL_VSIX`), the dark theme and `setup`'s workspace, env and settings, a browser on it, and
 * the extension ready; after them, everything stopped and removed. `ready` receives the page.
 */
export function workbenchSuite(
  setup: () => Promise<SuiteSetup> | SuiteSetup,
  ready: (s: { page: Page; server: CodeServer }) => Promise<void> | void,
): void {
  let browser: Browser | undefined;
  let server: CodeServer | undefined;
  let cleanup: SuiteSetup['cleanup'];
  before(async () => {
    const s = await setup();
    cleanup = s.cleanup;
    server = await startCodeServer({
      workspace: s.workspace,
      vsix: process.env.CTL_VSIX ?? 'cloudtrail-lens.vsix',
      env: s.env,
      settings: { 'workbench.colorTheme': 'Default Dark Modern', ...s.settings },
    });
    activeServer = server;
    activeDiagnose = s.diagnose;
    browser = await launchBrowser();
    const page = await openWorkbench(browser, server);
    await waitForExtension(page);
    await ready({ page, server });
  });
  after(async () => {
    await browser?.close().catch(() => undefined);
    activeServer = undefined;
    activeDiagnose = undefined;
    await server?.stop();
    await cleanup?.();
  });
}

/**
 * Waits for a notification saying `text`: its toast, or else the notification center. VS Code
 * does not always toast a message that comes as a progress notification closes (seen in 4 runs
 * of 12 of the Athena cancel, and in the IP ranges refresh), but the center always has it.
 * Returns where it was found.
 */
export async function notificationSaid(
  page: Page,
  text: string | RegExp,
  timeout = UI_TIMEOUT,
): Promise<'toast' | 'center'> {
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: text });
  if (
    await toast.waitFor({ timeout: Math.min(timeout, 5000) }).then(
      () => true,
      () => false,
    )
  )
    return 'toast';
  await runCommand(page, 'Notifications: Show Notifications');
  await page.locator('.notifications-center .notification-list-item', { hasText: text }).waitFor({ timeout });
  await runCommand(page, 'Notifications: Hide Notifications');
  return 'center';
}
