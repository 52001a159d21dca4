/**
 * End to end, as a user: a CloudTrail notebook (.ctnb) in a real VS Code in Chromium. It opens
 * with its saved outputs drawn by our renderer (a tampered output stays text), an unknown cell kind
 * opens as a note and the rest opens; Run All runs every query cell over the invictus logs with the
 * log view's engine and marks the cell whose count changed since the saved run; "Add Search to
 * Notebook" from a log view appends the search and runs it; with the logs moved away the saved
 * outputs still show and a run says where the logs went. Dark and light screenshots.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { runCommand, screenshot } from '../support/browser';
import { FIXTURE, makeFixtureWorkspace } from '../support/fixtures';
import { repoRoot } from '../support/repoRoot';
import {
  explorerRow,
  openFirstEvent,
  logViewer,
  openFromContextMenu,
  step,
  toggleTheme,
  UI_TIMEOUT as T,
  webviewWith,
} from '../support/workbench';
import { workbenchSuite } from '../support/workbench';

let page: Page;
let workspace = '';
const current = (): Page | undefined => page;
const NOTEBOOK = 'case.ctnb';
const TAMPERED = '<img src=x onerror="document.title=1">';

/** Events in the fixture's AWSLogs folder matching `pred`, counted from the files themselves. */
function countEvents(pred: (e: Record<string, unknown>) => boolean): number {
  let n = 0;
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.json.gz'))
        for (const e of (
          JSON.parse(gunzipSync(readFileSync(p)).toString('utf8')) as { Records: Array<Record<string, unknown>> }
        ).Records)
          if (pred(e)) n++;
    }
  };
  walk(join(workspace, FIXTURE.folder));
  return n;
}

function writeNotebook(): void {
  const saved = (count: number, principal: string): Record<string, unknown> => ({
    ranAt: '2026-12-01T09:00:00.000Z',
    query: 'eventName:StopLogging',
    count,
    loaded: FIXTURE.folderEvents,
    rows: [
      {
        time: '2023-07-10 12:05:00',
        eventName: 'StopLogging',
        eventSource: 'cloudtrail.amazonaws.com',
        principal,
        sourceIp: '',
        awsRegion: 'us-east-1',
        errorCode: '',
      },
    ],
    facets: [],
    problems: [],
  });
  const nb = {
    version: 1,
    from: { kind: 'logs', paths: [FIXTURE.folder] },
    cells: [
      { kind: 'markdown', source: '# Did anyone stop the trail?\n\nThe invictus run, July 2023.' },
      // Saved with a count the logs do not have: Run All marks the change.
      { kind: 'query', source: 'eventName:StopLogging', output: saved(1000, TAMPERED) },
      { kind: 'query', source: 'errorCode:AccessDenied' },
      { kind: 'timeline-of-the-future', source: 'kept as it is' },
    ],
  };
  writeFileSync(join(workspace, NOTEBOOK), `${JSON.stringify(nb, null, 2)}\n`);
}

const outputs = (): Promise<ReturnType<Page['frameLocator']>> => webviewWith(page, '.ctl-output');

/** The notebook file as saved, once `ok` holds for it (a save lands a moment after the tab is clean). */
async function savedFile(
  ok: (cells: Array<Record<string, unknown>>) => boolean,
  timeout = T,
): Promise<Array<Record<string, unknown>>> {
  const end = Date.now() + timeout;
  for (;;) {
    // Read while VS Code writes it, the file can be cut short: that read is tried again.
    let cells: Array<Record<string, unknown>> | undefined;
    try {
      cells = (JSON.parse(readFileSync(join(workspace, NOTEBOOK), 'utf8')) as { cells: Array<Record<string, unknown>> })
        .cells;
    } catch (e) {
      if (Date.now() > end) throw e;
    }
    if (cells && (ok(cells) || Date.now() > end)) return cells;
    await page.waitForTimeout(250);
  }
}

/** Saves the notebook: its tab first, so File: Save acts on it and not on a view beside it. */
async function saveNotebook(): Promise<void> {
  await page.locator('.tabs-container .tab', { hasText: NOTEBOOK }).first().click();
  await runCommand(page, 'File: Save');
  await page.locator('.tabs-container .tab.dirty', { hasText: NOTEBOOK }).waitFor({ state: 'detached', timeout: T });
}

describe('a CloudTrail notebook in a real VS Code', { timeout: 420_000 }, () => {
  workbenchSuite(
    () => {
      workspace = makeFixtureWorkspace();
      writeNotebook();
      return { workspace, cleanup: () => rmSync(workspace, { recursive: true, force: true }) };
    },
    (s) => void (page = s.page),
  );

  step(
    'it opens with its saved output drawn as text, and an unknown cell kept as a note',
    'notebook-open',
    current,
    async () => {
      await explorerRow(page, NOTEBOOK).dblclick();
      await page.locator('.notebook-editor:visible').first().waitFor({ timeout: T });
      await page
        .locator('.notifications-toasts .notification-toast', {
          hasText: /kind "timeline-of-the-future", which this version does not know/,
        })
        .waitFor({ timeout: T });
      const out = await outputs();
      // Markdown cells are drawn in the notebook's webview too, beside the outputs.
      await out.getByText('This cell could not be read').waitFor({ timeout: T });
      await out.locator('.ctl-output', { hasText: '1,000 events' }).waitFor({ timeout: T });
      assert.equal(
        await out.locator('.ctl-rows td', { hasText: TAMPERED }).count(),
        1,
        'the tampered value shows as its text',
      );
      assert.equal(await out.locator('img').count(), 0, 'and no element was made from it');
      await screenshot(page, 'notebook-open-dark');
    },
  );

  step('Run All runs each query over the logs and marks the count that changed', 'notebook-run', current, async () => {
    const stops = countEvents((e) => e.eventName === 'StopLogging');
    const denied = countEvents((e) => e.errorCode === 'AccessDenied');
    await runCommand(page, 'Notebook: Run All');
    const out = await outputs();
    await out
      .locator('.ctl-changed', { hasText: `1,000 → ${stops.toLocaleString('en-US')}` })
      .waitFor({ timeout: 90_000 });
    await out
      .locator('.ctl-output', {
        hasText: `${denied.toLocaleString('en-US')} events of ${FIXTURE.folderEvents.toLocaleString('en-US')} loaded`,
      })
      .waitFor({ timeout: 60_000 });
    assert.ok(denied > 0 && stops > 0, 'the sample has both');
    // The StopLogging cell: the detections that fired on its events, and when they happened.
    const stopped = out.locator('.ctl-output', { hasText: 'match eventName:StopLogging' });
    await stopped.locator('.ctl-detections li', { hasText: 'CloudTrail logging stopped' }).waitFor({ timeout: T });
    assert.match((await stopped.locator('.ctl-detections li').first().textContent()) ?? '', /^CRITICAL|^HIGH/);
    assert.ok((await stopped.locator('.ctl-timeline .ctl-bar').count()) > 0, 'a timeline');
    await screenshot(page, 'notebook-run-dark');
    await toggleTheme(page, 'light');
    await screenshot(page, 'notebook-run-light');
    await toggleTheme(page, 'dark');
    await saveNotebook();
    const cells = await savedFile((c) => (c[1].output as { count: number }).count === stops);
    assert.equal((cells[1].output as { count: number }).count, stops, 'the new output is saved in the file');
    assert.equal((cells[2].output as { count: number }).count, denied);
    const fired = (cells[1].output as { detections?: Array<{ id: string; count: number }> }).detections ?? [];
    assert.equal(fired.find((d) => d.id === 'cloudtrail-stopped')?.count, stops, 'saved with the output');
    assert.deepEqual(
      cells[3],
      { kind: 'timeline-of-the-future', source: 'kept as it is' },
      'the unknown cell is saved back unchanged',
    );
  });

  step("Add Search to Notebook appends the log view's search and runs it", 'notebook-add', current, async () => {
    await openFromContextMenu(page, FIXTURE.folder);
    const v = await logViewer(page);
    await v.locator('.counts', { hasText: '2,900 events' }).waitFor({ timeout: 60_000 });
    await v.locator('input.search').fill('eventName:CreateUser');
    await v.locator('input.search').press('Enter');
    await v.locator('.counts', { hasText: /of 2,900/ }).waitFor({ timeout: T });
    await runCommand(page, 'CloudTrail: Add Search to Notebook');
    const created = countEvents((e) => e.eventName === 'CreateUser');
    const out = await outputs();
    await out
      .locator('.ctl-output', {
        hasText: `${created.toLocaleString('en-US')} events of 2,900 loaded match eventName:CreateUser`,
      })
      .waitFor({ timeout: 60_000 });
    // An event from the log view, cited: a note and a cell that finds exactly it again.
    await page.locator('.tabs-container .tab', { hasText: FIXTURE.folder }).first().click();
    const ev = await openFirstEvent(page, 'eventName:CreateUser');
    const eventId = ((await ev.locator('.event-page').textContent()) ?? '').match(
      /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/,
    )?.[0];
    assert.ok(eventId, 'the event view shows an eventID');
    await runCommand(page, 'CloudTrail: Add Event to Notebook');
    // Its output is drawn once the cell scrolls into view; what it found is checked in the saved file below.
    await screenshot(page, 'notebook-add-dark');
    await saveNotebook();
    const cells = await savedFile((c) => c.length === 7 && c[6].output !== undefined);
    assert.equal(cells[4].source, 'eventName:CreateUser');
    assert.match(String(cells[5].source), /^\*\*Event\*\* ` CreateUser `/);
    assert.match(String(cells[6].source), /^eventName:"CreateUser" eventID:"/);
    assert.equal((cells[6].output as { count: number }).count, 1, 'the cited event is found again, and only it');
    assert.match(String(cells[5].source), new RegExp(`eventID: \` ${eventId} \``));
  });

  step(
    '"Add to notebook" on a detection cites the rule and finds its events',
    'notebook-detection',
    current,
    async () => {
      // The event view beside (the step before) leaves the log view too narrow for its panel: closed.
      const eventTab = page.locator('.tabs-container .tab', { hasText: 'CreateUser ·' });
      await eventTab.click();
      await runCommand(page, 'View: Close Editor');
      await eventTab.waitFor({ state: 'detached', timeout: T });
      await page.locator('.tabs-container .tab', { hasText: FIXTURE.folder }).first().click();
      const v = await logViewer(page);
      await v
        .locator('.side-section summary', { hasText: /^Detections: \d+ of \d+ fired$/ })
        .waitFor({ timeout: 60_000 });
      const row = v.locator('.detection-row[data-id="cloudtrail-stopped"]');
      const count = Number(await row.locator('.side-count').textContent());
      await row.locator('.detection-toggle').click();
      await row.locator('.detection-actions button', { hasText: 'Add to notebook' }).click();
      // The cell runs as it is added; its output may come after a save (and scrolls out of view):
      // saved until the file has it.
      const done = (c: Array<Record<string, unknown>>): boolean => c.length === 9 && c[8].output !== undefined;
      const until = Date.now() + 60_000;
      for (;;) {
        await saveNotebook();
        const saved = await savedFile(done, 1000);
        if (done(saved) || Date.now() > until) break;
      }
      const cells = await savedFile((c) => c.length === 9 && c[8].output !== undefined);
      assert.match(
        String(cells[7].source),
        /^\*\*Detection\*\* ` CloudTrail logging stopped ` \(high, rule ` cloudtrail-stopped `\)/,
      );
      assert.equal(cells[8].source, 'detection:cloudtrail-stopped');
      assert.equal(
        (cells[8].output as { count: number }).count,
        count,
        "the notebook's run finds the log view's events",
      );
      await screenshot(page, 'notebook-detection-dark');
    },
  );

  step(
    "Export Notebook Report writes Markdown and script-free HTML with each file's SHA-256",
    'notebook-report',
    current,
    async () => {
      await page.locator('.tabs-container .tab', { hasText: NOTEBOOK }).first().click();
      await runCommand(page, 'CloudTrail: Export Notebook Report…');
      const quick = page.locator('.quick-input-widget');
      const input = quick.locator('.quick-input-box input');
      const target = join(workspace, 'case-report.md');
      await quick.locator('.quick-input-title', { hasText: 'Export the notebook as a report' }).waitFor({ timeout: T });
      for (let attempt = 0; attempt < 10; attempt++) {
        await input.fill(target);
        await page.waitForTimeout(300);
        if ((await input.inputValue()) === target) break;
      }
      await page.keyboard.press('Enter');
      await page.locator('.notifications-toasts', { hasText: 'report written' }).waitFor({ timeout: 60_000 });
      const md = readFileSync(target, 'utf8');
      const html = readFileSync(join(workspace, 'case-report.html'), 'utf8');
      // Every log file of the folder, with the SHA-256 of its bytes, computed here independently.
      const logs: string[] = [];
      const walk = (dir: string): void => {
        for (const name of readdirSync(dir)) {
          const p = join(dir, name);
          if (statSync(p).isDirectory()) walk(p);
          else logs.push(p);
        }
      };
      walk(join(workspace, FIXTURE.folder));
      assert.equal(logs.length, 55);
      for (const p of logs) {
        const sha = createHash('sha256').update(readFileSync(p)).digest('hex');
        assert.ok(md.includes(sha) && html.includes(sha), `${p} is in the evidence with its hash`);
      }
      assert.match(md, /no digest covers it/);
      assert.doesNotMatch(html, /<script/i, 'the HTML report runs nothing');
      assert.match(md, /## Search 1: ` eventName:StopLogging `/);
      const viewer = await page.context().newPage();
      await viewer.setViewportSize({ width: 1200, height: 900 });
      await viewer.setContent(html);
      await viewer.screenshot({ path: join(repoRoot(), 'test-results', 'screenshots', 'notebook-report-html.png') });
      await viewer.locator('table.evidence').scrollIntoViewIfNeeded();
      await viewer.screenshot({
        path: join(repoRoot(), 'test-results', 'screenshots', 'notebook-report-evidence.png'),
      });
      await viewer.close();
    },
  );

  step(
    'with the logs moved away, saved outputs still show and a run says where the logs went',
    'notebook-moved',
    current,
    async () => {
      await runCommand(page, 'View: Close All Editors');
      renameSync(join(workspace, FIXTURE.folder), join(workspace, 'moved-away'));
      await explorerRow(page, NOTEBOOK).dblclick();
      const out = await outputs();
      await out.locator('.ctl-output', { hasText: 'eventName:CreateUser' }).waitFor({ timeout: T });
      await runCommand(page, 'Notebook: Run All');
      const gone = (await webviewWith(page, '.ctl-output'))
        .getByText(/None of the cell's logs can be found: AWSLogs is not there/)
        .first();
      await gone.waitFor({ timeout: 60_000 });
      await gone.scrollIntoViewIfNeeded();
      await (await outputs()).locator('.ctl-output', { hasText: 'eventName:CreateUser' }).waitFor({ timeout: T });
      await screenshot(page, 'notebook-moved-dark');
    },
  );
});
