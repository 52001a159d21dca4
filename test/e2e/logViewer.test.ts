/**
 * End to end, as a user: the built VSIX installed in a real VS Code (code-server) in Chromium.
 * Opens a real `.json.gz` by double-click and folders by the explorer's context menu, searches,
 * opens an event, checks bad files are reported, and saves screenshots in dark and light themes.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import { runCommand, screenshot } from '../support/browser';
import { FIXTURE, makeFixtureWorkspace } from '../support/fixtures';
import {
  activeTabTitle,
  eventView,
  explorerRow,
  waitForEditor,
  logViewer,
  openFromContextMenu,
  step,
  toggleTheme,
  UI_TIMEOUT as T,
  workbenchSuite,
} from '../support/workbench';

let page: Page;
const current = (): Page | undefined => page;

/** Types a query into the log view's search box and waits for its answer; returns the counts line. */
async function runQuery(v: FrameLocator, q: string): Promise<string> {
  await v.locator('input.search').fill(q);
  await v.locator(`.grid[data-query=${JSON.stringify(q)}]`).waitFor({ timeout: T });
  return (await v.locator('.counts').textContent()) ?? '';
}

describe('the log viewer in a real VS Code', { timeout: 300_000 }, () => {
  workbenchSuite(
    () => {
      const workspace = makeFixtureWorkspace();
      return { workspace, cleanup: () => rmSync(workspace, { recursive: true, force: true }) };
    },
    (s) => void (page = s.page),
  );

  step(
    'double-clicking a *_CloudTrail_*.json.gz opens its events, newest first',
    'custom-editor',
    current,
    async () => {
      // A double-click right after start-up is only meant once the resolver knows our editor.
      await waitForEditor(page, FIXTURE.gzLog, 'CloudTrail Lens');
      await explorerRow(page, FIXTURE.gzLog).dblclick();
      const v = await logViewer(page);
      await v.locator('.counts', { hasText: `${FIXTURE.gzLogEvents} events` }).waitFor({ timeout: T });
      assert.equal(await activeTabTitle(page), FIXTURE.gzLog);
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
    },
  );

  step('typing a search filters as you type, forgiving typos, and shows the match', 'search', current, async () => {
    const v = await logViewer(page);
    await v.locator('input.search').fill('StopLoging');
    await v.locator('.counts', { hasText: `of ${FIXTURE.gzLogEvents} events` }).waitFor({ timeout: T });
    const first = v.locator('.spacer .row:not(.placeholder)').first();
    await first.waitFor({ timeout: T });
    assert.equal(await first.locator('.c-eventName').textContent(), 'writeStopLogging');
    assert.ok((await first.locator('.c-eventName mark').count()) > 0, 'the match is highlighted');
    await screenshot(page, '02-search-typo');
  });

  step('selecting a row shows the event; "Open as JSON document" shows its JSON', 'event-json', current, async () => {
    const v = await logViewer(page);
    await v.locator('.spacer .row:not(.placeholder)').first().click();
    const ev = await eventView(page);
    await ev.locator('h1.event-name', { hasText: 'StopLogging' }).waitFor({ timeout: T });
    await ev.getByRole('button', { name: 'Open as JSON document' }).click();
    await page.locator('.tabs-container .tab', { hasText: 'StopLogging.json' }).waitFor({ timeout: T });
    await page
      .locator('.monaco-editor .view-lines')
      .getByText('"eventName": "StopLogging"')
      .first()
      .waitFor({ timeout: T });
    await screenshot(page, '03-event-json');
    await runCommand(page, 'View: Close All Editors');
  });

  step(
    'right-click a folder of bad files: each failure is named with its reason, the digest recognized',
    'bad-files',
    current,
    async () => {
      await openFromContextMenu(page, FIXTURE.bad);
      const v = await logViewer(page);
      await v.locator('.counts', { hasText: `${FIXTURE.badFailures} failed` }).waitFor({ timeout: 60_000 });
      const notes = v.locator('.notes');
      await notes.locator('summary').click();
      const text = (await notes.textContent()) ?? '';
      for (const expected of [
        /truncated/,
        /bomb\.json\.gz.*limit/,
        /package\.json.*Not CloudTrail/,
        /Not valid JSON/,
        /digest file, not a log/,
        /empty/,
      ]) {
        assert.match(text, expected);
      }
      await v.locator('.empty', { hasText: 'No events could be read' }).waitFor({ timeout: T });
      await screenshot(page, '04-bad-files');
      await runCommand(page, 'View: Close All Editors');
    },
  );

  step('right-click an AWSLogs/ folder: the whole tree loads; a search narrows it', 'folder', current, async () => {
    await openFromContextMenu(page, FIXTURE.folder);
    const v = await logViewer(page);
    await v.locator('.counts', { hasText: '2,900 events' }).waitFor({ timeout: 60_000 });
    await v.locator('input.search').fill('AccessDenied');
    await v.locator('.counts', { hasText: 'of 2,900 events' }).waitFor({ timeout: T });
    const first = v.locator('.spacer .row:not(.placeholder)').first();
    assert.equal(await first.locator('.c-errorCode').textContent(), 'AccessDenied');
    await screenshot(page, '05-folder-search-dark');
    // Structured queries: OR within a field, negation, wildcards, time ranges.
    const search = v.locator('input.search');
    const run = (q: string): Promise<string> => runQuery(v, q);
    assert.match(await run('eventName:StopLogging,DeleteTrail'), /^\d+ of 2,900 events/);
    const names = new Set(await v.locator('.spacer .row:not(.placeholder) .c-eventName').allTextContents());
    assert.deepEqual([...names].map((n) => n.replace(/^write/, '')).sort(), ['DeleteTrail', 'StopLogging']);
    assert.match(await run('eventName:Delete* -error:* before:2023-07-10T12:30Z'), / of 2,900 events/);
    for (const cell of await v.locator('.spacer .row:not(.placeholder) .c-errorCode').allTextContents())
      assert.equal(cell, '');
    // A mistyped field is reported inline, not searched as text.
    await run('evntName:StopLogging');
    await v
      .locator('.query-errors', { hasText: 'Unknown field "evntName": did you mean eventName:?' })
      .waitFor({ timeout: T });
    // Field names are offered while typing; Tab takes the first.
    await search.fill('AccessDenied even');
    await v.locator('.hints .hint', { hasText: 'eventName:' }).waitFor({ timeout: T });
    await screenshot(page, '07-query-hints');
    await search.press('Tab');
    assert.equal(await search.inputValue(), 'AccessDenied eventName:');
  });

  step(
    'a mistyped role session name and a mistyped access key id find their events, saying what matched and how far',
    'typos',
    current,
    async () => {
      const v = await logViewer(page);
      const rows = v.locator('.spacer .row:not(.placeholder)');
      // The session aws-go-sdk-1688990082523310002 (29 events as the assumed role), a 0 left out.
      const session = /^(\d+) of 2,900 events/.exec(await runQuery(v, 'aws-go-sdk-168899008252331002'));
      assert.ok(session && Number(session[1]) >= 29, "the session's events are found");
      const match = rows.first().locator('.c-match');
      await match.locator('.typo-badge', { hasText: '1 edit' }).waitFor({ timeout: T });
      // Shown from just before the match (the session ends a long principal).
      assert.match((await match.textContent()) ?? '', /^1 edit….{0,4}aws-go-sdk-1688990082523310002$/);
      assert.ok((await match.locator('mark').count()) > 0, 'the matched part is highlighted');
      await screenshot(page, '08-typo-role-session-dark');
      // The access key ASIATFQR7NSCS5BLNV76 (109 events), two letters swapped: first, before
      // the keys two edits away (a 20-character term forgives two).
      const key = /^(\d+) of 2,900 events/.exec(await runQuery(v, 'ASIATFQR7NSCS5BLVN76'));
      assert.ok(key && Number(key[1]) >= 109, "the key's events are found");
      const keyMatch = rows.first().locator('.c-match');
      await keyMatch.locator('.typo-badge', { hasText: '1 edit' }).waitFor({ timeout: T });
      assert.match((await keyMatch.textContent()) ?? '', /ASIATFQR7NSCS5BLNV76/);
      assert.match(
        (await keyMatch.getAttribute('title')) ?? '',
        /^Typo match: access key ASIATFQR7NSCS5BLNV76, 1 edit from what was typed$/,
      );
      await screenshot(page, '08-typo-access-key-dark');
      // The badge and the highlight in the light theme too.
      await toggleTheme(page, 'light');
      await v.locator('body.vscode-light').waitFor({ timeout: T });
      await page.waitForTimeout(500);
      await screenshot(page, '08-typo-access-key-light');
      await toggleTheme(page, 'dark');
      await v.locator('body.vscode-dark').waitFor({ timeout: T });
      // The field form: the same typo, in that field only.
      assert.equal(
        (await runQuery(v, 'accessKey:~ASIATFQR7NSCS5BLVN76')).replace(/ ·.*/, ''),
        `${key[1]} of 2,900 events`,
        'the field form finds the same events',
      );
      // With the exact key beside it, the key's own events.
      assert.match(
        await runQuery(v, 'accessKey:~ASIATFQR7NSCS5BLVN76 accessKey:ASIATFQR7NSCS5BLNV76'),
        /^109 of 2,900 events/,
      );
    },
  );

  step('the sample logs open from the command palette, in the light theme too', 'sample-light', current, async () => {
    await runCommand(page, 'View: Close All Editors');
    await toggleTheme(page, 'light');
    await runCommand(page, 'CloudTrail: Open Sample Logs');
    const v = await logViewer(page);
    await v.locator('.counts', { hasText: '678 events' }).waitFor({ timeout: T });
    await v.locator('input.search').fill('bert-jan GetSecretValue');
    await v.locator('.counts', { hasText: 'of 678 events' }).waitFor({ timeout: T });
    assert.equal(
      await v.locator('.spacer .row:not(.placeholder) .c-eventName').first().textContent(),
      'GetSecretValue',
    );
    // The shot is of the light theme: the workbench says so and its sidebar is painted light.
    await page.locator('.monaco-workbench.vs').waitFor({ timeout: T });
    await page.waitForFunction(() => {
      const [r, g, b] = (
        getComputedStyle(document.querySelector('.part.sidebar')!).backgroundColor.match(/\d+/g) ?? []
      ).map(Number);
      return r + g + b > 600;
    });
    await screenshot(page, '06-sample-light');
  });
});
