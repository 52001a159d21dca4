/**
 * End to end, as a user: the built VSIX installed in a real VS Code (code-server) in Chromium.
 * Opens a real `.json.gz` by double-click and folders by the explorer's context menu, searches,
 * opens an event, checks bad files are reported, and saves screenshots in dark and light themes.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { launchBrowser, openWorkbench, runCommand, screenshot } from '../support/browser';
import { startCodeServer, type CodeServer } from '../support/codeServer';
import { FIXTURE, makeFixtureWorkspace } from '../support/fixtures';

const vsix = process.env.CTL_VSIX ?? 'cloudtrail-lens.vsix';
const T = 30_000;

let workspace: string;
let server: CodeServer;
let browser: Browser;
let page: Page;

/** The log viewer webview of the active editor (webviews are two nested iframes). */
function viewer(): FrameLocator {
  return page.locator('iframe.webview.ready:visible').last().contentFrame().locator('iframe#active-frame').contentFrame();
}

function explorerRow(name: string) {
  return page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${name}"]`).first();
}

async function openFromContextMenu(name: string): Promise<void> {
  await explorerRow(name).click({ button: 'right' });
  const item = page.locator('.context-view .action-item', { hasText: 'Open in CloudTrail Lens' }).first();
  await item.waitFor({ timeout: T });
  await item.click();
  // The menu acts on mouse-up and may miss a click made while it is still laying out; the
  // highlighted item then still takes Enter.
  const menu = page.locator('.context-view.monaco-menu-container');
  if (!(await menu.waitFor({ state: 'hidden', timeout: 1500 }).then(() => true, () => false))) {
    await item.hover();
    await page.keyboard.press('Enter');
    await menu.waitFor({ state: 'hidden', timeout: T });
  }
}

/** Waits until VS Code knows the extension's contributions (its commands are in the palette). */
async function waitForExtension(): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.fill('>CloudTrail: Open Sample Logs');
  await page.locator('.quick-input-list .label-name', { hasText: /^CloudTrail: Open Sample Logs$/ }).first().waitFor({ timeout: 60_000 });
  await input.press('Escape');
}

async function activeTabTitle(): Promise<string> {
  return (await page.locator('.tabs-container .tab.active .label-name').first().textContent()) ?? '';
}

/** A test step that leaves a screenshot behind when it fails, to see what the user would have seen. */
function step(name: string, shot: string, body: () => Promise<void>): void {
  test(name, async () => {
    try {
      await body();
    } catch (e) {
      if (page) await screenshot(page, `FAILED-${shot}`).catch(() => undefined);
      throw e;
    }
  });
}

describe('the log viewer in a real VS Code', { timeout: 300_000 }, () => {
  before(async () => {
    workspace = makeFixtureWorkspace();
    server = await startCodeServer({ workspace, vsix, settings: { 'workbench.colorTheme': 'Default Dark Modern' } });
    browser = await launchBrowser();
    page = await openWorkbench(browser, server);
    await waitForExtension();
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  step('double-clicking a *_CloudTrail_*.json.gz opens its events, newest first', 'custom-editor', async () => {
    await explorerRow(FIXTURE.gzLog).dblclick();
    const v = viewer();
    await v.locator('.counts', { hasText: `${FIXTURE.gzLogEvents} events` }).waitFor({ timeout: T });
    assert.equal(await activeTabTitle(), FIXTURE.gzLog);
    const rows = v.locator('.spacer .row:not(.placeholder)');
    await rows.first().waitFor({ timeout: T });
    assert.ok((await rows.count()) >= 20, 'a screenful of rows is rendered');
    const times = await v.locator('.spacer .row .c-time').allTextContents();
    const sorted = [...times].sort().reverse();
    assert.deepEqual(times.slice(0, 10), sorted.slice(0, 10), 'newest first');
    assert.match(times[0], /^2023-07-10 12:\d\d:\d\dZ$/);
    // Error rows and write events are marked.
    assert.ok((await v.locator('.spacer .row.error').count()) > 0);
    assert.ok((await v.locator('.spacer .row.write .write-badge').count()) > 0);
    // Local time on hover.
    assert.match((await v.locator('.spacer .row .c-time').first().getAttribute('title')) ?? '', /^Local time: /);
    await screenshot(page, '01-custom-editor-dark');
  });

  step('typing a search filters as you type, forgiving typos, and shows the match', 'search', async () => {
    const v = viewer();
    await v.locator('input.search').fill('StopLoging');
    await v.locator('.counts', { hasText: `of ${FIXTURE.gzLogEvents} events` }).waitFor({ timeout: T });
    const first = v.locator('.spacer .row:not(.placeholder)').first();
    await first.waitFor({ timeout: T });
    assert.equal(await first.locator('.c-eventName').textContent(), 'writeStopLogging');
    assert.ok((await first.locator('.c-eventName mark').count()) > 0, 'the match is highlighted');
    await screenshot(page, '02-search-typo');
  });

  step('selecting a row shows the full event JSON', 'event-json', async () => {
    const v = viewer();
    await v.locator('.spacer .row:not(.placeholder)').first().click();
    const tab = page.locator('.tabs-container .tab', { hasText: 'StopLogging.json' });
    await tab.waitFor({ timeout: T });
    const editor = page.locator('.editor-group-container .monaco-editor .view-lines').last();
    await editor.getByText('"eventName": "StopLogging"').waitFor({ timeout: T });
    await screenshot(page, '03-event-json');
    await runCommand(page, 'View: Close All Editors');
  });

  step('right-click a folder of bad files: each failure is named with its reason, the digest recognized', 'bad-files', async () => {
    await openFromContextMenu(FIXTURE.bad);
    const v = viewer();
    await v.locator('.counts', { hasText: `${FIXTURE.badFailures} failed` }).waitFor({ timeout: 60_000 });
    const notes = v.locator('.notes');
    await notes.locator('summary').click();
    const text = (await notes.textContent()) ?? '';
    for (const expected of [/truncated/, /bomb\.json\.gz.*limit/, /package\.json.*Not CloudTrail/, /Not valid JSON/, /digest file, not a log/, /empty/]) {
      assert.match(text, expected);
    }
    await v.locator('.empty', { hasText: 'No events could be read' }).waitFor({ timeout: T });
    await screenshot(page, '04-bad-files');
    await runCommand(page, 'View: Close All Editors');
  });

  step('right-click an AWSLogs/ folder: the whole tree loads; a search narrows it', 'folder', async () => {
    await openFromContextMenu(FIXTURE.folder);
    const v = viewer();
    await v.locator('.counts', { hasText: '2,900 events' }).waitFor({ timeout: 60_000 });
    await v.locator('input.search').fill('AccessDenied');
    await v.locator('.counts', { hasText: 'of 2,900 events' }).waitFor({ timeout: T });
    const first = v.locator('.spacer .row:not(.placeholder)').first();
    assert.equal(await first.locator('.c-errorCode').textContent(), 'AccessDenied');
    await screenshot(page, '05-folder-search-dark');
  });

  step('the sample logs open from the command palette, in the light theme too', 'sample-light', async () => {
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'Preferences: Toggle between Light/Dark Themes');
    await page.locator('.monaco-workbench.vs').waitFor({ timeout: T });
    await runCommand(page, 'CloudTrail: Open Sample Logs');
    const v = viewer();
    await v.locator('.counts', { hasText: '678 events' }).waitFor({ timeout: T });
    await v.locator('input.search').fill('bert-jan GetSecretValue');
    await v.locator('.counts', { hasText: 'of 678 events' }).waitFor({ timeout: T });
    assert.equal(await v.locator('.spacer .row:not(.placeholder) .c-eventName').first().textContent(), 'GetSecretValue');
    await screenshot(page, '06-sample-light');
  });
});
