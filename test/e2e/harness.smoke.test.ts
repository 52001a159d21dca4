/**
 * Checks the e2e harness itself (code-server + Chromium + the helpers in test/support) without
 * the extension, so a broken environment fails here with a clear message rather than inside
 * every extension test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser, openWorkbench, runCommand, screenshot } from '../support/browser';
import { startCodeServer } from '../support/codeServer';

test('code-server workbench opens a folder and runs palette commands', { timeout: 180_000 }, async () => {
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'ctl-smoke-ws-'));
  // One line far wider than the editor, so toggling word wrap visibly changes the layout.
  const longLine = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
  writeFileSync(path.join(workspace, 'hello.txt'), `Hello from the harness smoke test. ${longLine}\n`);
  const server = await startCodeServer({ workspace });
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const page = await openWorkbench(browser, server);

    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'hello.txt' });
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    await page.locator('.tabs-container .tab', { hasText: 'hello.txt' }).waitFor({ timeout: 30_000 });

    const viewLines = page.locator('.editor-instance .view-lines .view-line');
    await viewLines.first().waitFor({ timeout: 30_000 });
    const unwrapped = await viewLines.count();
    await runCommand(page, 'View: Toggle Word Wrap');
    // Wrapping splits the long line over several rendered lines.
    await assert.doesNotReject(
      page.waitForFunction(
        (before) => document.querySelectorAll('.editor-instance .view-lines .view-line').length > before,
        unwrapped,
        { timeout: 10_000 },
      ),
      'word wrap did not take effect',
    );
    assert.equal(await page.locator('.quick-input-widget').isVisible(), false, 'command palette still open');

    const file = await screenshot(page, 'harness-smoke');
    assert.ok(existsSync(file), `screenshot not written: ${file}`);
  } finally {
    await browser?.close();
    await server.stop();
    rmSync(workspace, { recursive: true, force: true });
  }
  assert.equal(existsSync(server.dataDir), false, 'temporary user-data dir left behind');
});
