/**
 * End to end, as a user: the investigation tools of the log viewer on the real 2,900-event
 * invictus run (a Stratus Red Team attack simulation) in a real VS Code in Chromium — the
 * timeline (drag to filter, click to zoom), top values (click in, Alt+click out), detections,
 * unusual hours, sessions and export, with screenshots.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import { anEvent } from '../builders/events';
import { runCommand, screenshot } from '../support/browser';
import { FIXTURE, makeFixtureWorkspace } from '../support/fixtures';
import {
  eventView,
  explorerRow,
  logViewer,
  openFromContextMenu,
  step,
  UI_TIMEOUT as T,
  workbenchSuite,
} from '../support/workbench';

let page: Page;
let workspace = '';
const current = (): Page | undefined => page;

/** Waits until the table shows the results of exactly `query`; returns the counts line. */
async function resultsOf(v: FrameLocator, query: string): Promise<string> {
  await v.locator(`.grid[data-query=${JSON.stringify(query)}]`).waitFor({ timeout: T });
  return (await v.locator('.counts').textContent()) ?? '';
}

/** The visible rows' texts in one column, once the first row has arrived from the host. */
async function columnTexts(v: FrameLocator, column: string): Promise<string[]> {
  await v.locator('.spacer .row:not(.placeholder)').first().waitFor({ timeout: T });
  return v.locator(`.spacer .row:not(.placeholder) .c-${column}`).allTextContents();
}

/** RFC 4180 records (quoted cells may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      cells.push(cell);
      records.push(cells);
      cells = [];
      cell = '';
    } else cell += c;
  }
  if (cell || cells.length) records.push([...cells, cell]);
  return records;
}

/**
 * Two days of steady activity with two unusual hours: 61 GetSecretValue calls in hour 40 (about
 * one an hour otherwise) and 25 AccessDenied ListBuckets in hour 30 (no errors otherwise).
 */
function writeBaselineLogs(dir: string): void {
  const t0 = Date.UTC(2024, 2, 1);
  const at = (h: number, m: number): string =>
    new Date(t0 + h * 3_600_000 + m * 60_000).toISOString().replace(/\.000Z$/, 'Z');
  const events: unknown[] = [];
  for (let h = 0; h < 48; h++) {
    for (let i = 0; i < 4; i++) events.push(anEvent({ eventTime: at(h, i * 10), eventName: 'DescribeInstances' }));
    for (let i = 0; i < 2; i++)
      events.push(anEvent({ eventTime: at(h, 5 + i * 20), eventName: 'ListBuckets', eventSource: 's3.amazonaws.com' }));
    events.push(
      anEvent({ eventTime: at(h, 30), eventName: 'GetSecretValue', eventSource: 'secretsmanager.amazonaws.com' }),
    );
  }
  for (let i = 0; i < 60; i++)
    events.push(
      anEvent({ eventTime: at(40, i), eventName: 'GetSecretValue', eventSource: 'secretsmanager.amazonaws.com' }),
    );
  for (let i = 0; i < 25; i++)
    events.push(
      anEvent({
        eventTime: at(30, i * 2),
        eventName: 'ListBuckets',
        eventSource: 's3.amazonaws.com',
        errorCode: 'AccessDenied',
        errorMessage: 'Access Denied',
      }),
    );
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, '111122223333_CloudTrail_eu-west-1_20240301T0000Z_generated.json'),
    JSON.stringify({ Records: events }),
  );
}

/** A user rule folder named by the workspace's settings (one good rule, one broken file); a 5-minute session gap. */
function writeUserRules(root: string): void {
  mkdirSync(join(root, 'rules'));
  mkdirSync(join(root, '.vscode'), { recursive: true });
  writeFileSync(
    join(root, '.vscode', 'settings.json'),
    JSON.stringify({ 'cloudtrailLens.detectionsFolder': 'rules', 'cloudtrailLens.sessionGapMinutes': 5 }),
  );
  writeFileSync(
    join(root, 'rules', 'bert-jan-deletes.json'),
    JSON.stringify({
      id: 'bert-jan-deletes',
      title: 'bert-jan deleted something',
      severity: 'medium',
      description: 'Our own rule: deletions by the red-team user.',
      query: 'principal:bert-jan eventName:Delete*',
    }),
  );
  writeFileSync(
    join(root, 'rules', 'broken.json'),
    JSON.stringify({ id: 'broken rule', title: 'x', severity: 'urgent', query: 'evntName:x' }),
  );
}

function shownOf(counts: string): number {
  const m = /^([\d,]+) of/.exec(counts);
  assert.ok(m, `counts line "${counts}"`);
  return Number(m[1].replace(/,/g, ''));
}

describe('investigation tools in a real VS Code', { timeout: 300_000 }, () => {
  workbenchSuite(
    () => {
      workspace = makeFixtureWorkspace();
      writeBaselineLogs(join(workspace, 'baseline'));
      writeUserRules(workspace);
      return { workspace, cleanup: () => rmSync(workspace, { recursive: true, force: true }) };
    },
    (s) => void (page = s.page),
  );

  step('the timeline shows the 2,900 events over time, errors stacked apart', 'timeline', current, async () => {
    await openFromContextMenu(page, FIXTURE.folder);
    const v = await logViewer(page);
    await v.locator('.counts', { hasText: '2,900 events' }).waitFor({ timeout: 60_000 });
    await v.locator('.timeline-caption', { hasText: '2,900 events over time' }).waitFor({ timeout: T });
    assert.match((await v.locator('.timeline-caption').textContent()) ?? '', /30 s bars · [\d,]+ errors/);
    // 11:42 to 12:37 UTC in 30-second bars.
    assert.equal(await v.locator('.timeline-chart .bucket').count(), 112);
    assert.ok((await v.locator('.timeline-chart .bar-error').count()) > 0, 'errors are drawn');
    assert.equal(await v.locator('.timeline-chart .tick').first().textContent(), '2023-07-10 11:42:00');
    await screenshot(page, '30-timeline-dark');
  });

  step(
    'dragging across the timeline filters to that time range; "Show all times" resets it',
    'timeline-drag',
    current,
    async () => {
      const v = await logViewer(page);
      const chart = v.locator('.timeline-chart');
      const box = (await chart.boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
      await page.mouse.up();
      await v.locator('.grid[data-query^="after:2023-07-10T"]').waitFor({ timeout: T });
      const query = (await v.locator('input.search').inputValue()).trim();
      assert.match(query, /^after:2023-07-10T\d\d:\d\d:\d\dZ before:2023-07-10T\d\d:\d\d:\d\dZ$/);
      const shown = shownOf(await resultsOf(v, query));
      assert.ok(shown > 0 && shown < 2900, `${shown} events in the selection`);
      const times = await columnTexts(v, 'time');
      assert.ok(times.length > 0);
      const [, from, to] = /after:(\S+) before:(\S+)/.exec(query)!;
      for (const t of times) {
        const ms = Date.parse(t.replace(' ', 'T'));
        assert.ok(ms >= Date.parse(from) && ms < Date.parse(to), `${t} inside ${from}..${to}`);
      }
      await screenshot(page, '31-timeline-selection');
      await v.getByRole('button', { name: 'Show all times' }).click();
      await resultsOf(v, '');
    },
  );

  step('clicking a bar zooms into it: finer bars, only its events', 'timeline-zoom', current, async () => {
    const v = await logViewer(page);
    const bars = v.locator('.timeline-chart .bucket:has(.bar)');
    const bar = bars.nth(Math.floor((await bars.count()) / 2));
    const tip = (await bar.locator('title').textContent()) ?? '';
    const expected = Number(/: ([\d,]+) events?/.exec(tip)![1].replace(/,/g, ''));
    await bar.locator('.hit').click();
    await v.locator('.grid[data-query^="after:"]').waitFor({ timeout: T });
    const query = (await v.locator('input.search').inputValue()).trim();
    assert.equal(shownOf(await resultsOf(v, query)), expected);
    await v.locator('.timeline-caption', { hasText: /\b(1|5|10) s bars/ }).waitFor({ timeout: T });
    await v.getByRole('button', { name: 'Show all times' }).click();
    await resultsOf(v, '');
    // From the keyboard: Home goes to the first bar (it holds the earliest event), Enter zooms.
    const firstTip = (await v.locator('.timeline-chart .bucket').first().locator('title').textContent()) ?? '';
    const firstCount = Number(/: ([\d,]+) events?/.exec(firstTip)![1].replace(/,/g, ''));
    await v.locator('.timeline-chart').focus();
    await page.keyboard.press('End');
    await page.keyboard.press('Home');
    assert.equal(await v.locator('.timeline-chart .bucket.focused').getAttribute('data-index'), '0');
    assert.equal(await v.locator('.timeline-chart').getAttribute('aria-label'), firstTip);
    await page.keyboard.press('Enter');
    await v.locator('.grid[data-query^="after:2023-07-10T11:42:00Z"]').waitFor({ timeout: T });
    assert.equal(shownOf(await resultsOf(v, (await v.locator('input.search').inputValue()).trim())), firstCount);
    await v.getByRole('button', { name: 'Show all times' }).click();
    await resultsOf(v, '');
  });

  step(
    'top values: click filters in, Alt+click filters out, counts follow the result set',
    'top-values',
    current,
    async () => {
      const v = await logViewer(page);
      const principals = v.locator('.facet[data-field="principal"]');
      await principals.locator('.facet-value').first().waitFor({ timeout: T });
      const top = principals.locator('.facet-value').first();
      assert.equal(await top.locator('.side-label').textContent(), 'bert-jan');
      const count = Number(((await top.locator('.side-count').textContent()) ?? '').replace(/,/g, ''));
      await top.click();
      assert.equal(shownOf(await resultsOf(v, 'principal:bert-jan')), count);
      const errors = v.locator('.facet[data-field="error"] .facet-value', { hasText: 'ThrottlingException' });
      await errors.click({ modifiers: ['Alt'] });
      const shown = shownOf(await resultsOf(v, 'principal:bert-jan -error:ThrottlingException'));
      assert.ok(shown < count, 'excluding an error code removes events');
      assert.equal(
        await v.locator('.facet[data-field="error"] .facet-value', { hasText: 'ThrottlingException' }).count(),
        0,
      );
      await screenshot(page, '32-top-values');
    },
  );

  step("a role's IAM ARN in the search box finds its sessions' events", 'role-arn', current, async () => {
    const v = await logViewer(page);
    const role = 'stratus-red-team-ec2-get-password-data-role';
    const bySessions = `principal:${role}/*`;
    await v.locator('input.search').fill(bySessions);
    const sessions = shownOf(await resultsOf(v, bySessions));
    assert.ok(sessions > 0, 'the sample has sessions of the role');
    const arn = `arn:aws:iam::123837392027:role/${role}`;
    await v.locator('input.search').fill(`principal:${arn}`);
    assert.equal(shownOf(await resultsOf(v, `principal:${arn}`)), sessions);
    const principals = await columnTexts(v, 'principal');
    assert.ok(principals.length > 0 && principals.every((p) => p.startsWith(`${role}/`)), principals.join(', '));
    // Pasted as free text: the sessions' events, and any event naming the role (such as assuming it).
    await v.locator('input.search').fill(arn);
    assert.ok(shownOf(await resultsOf(v, arn)) >= sessions);
    await v.locator('input.search').fill('');
    await resultsOf(v, '');
  });

  step('detections run once loaded; clicking one shows exactly its events', 'detections', current, async () => {
    const v = await logViewer(page);
    await v
      .locator('.side-section summary', { hasText: /^Detections: \d+ of \d+ fired$/ })
      .waitFor({ timeout: 60_000 });
    const stopped = v.locator('.detection[data-id="cloudtrail-stopped"]');
    assert.equal(await stopped.locator('.side-label').textContent(), 'CloudTrail logging stopped');
    assert.equal(await stopped.locator('.severity').textContent(), 'high');
    const count = Number((await stopped.locator('.side-count').textContent())!.replace(/,/g, ''));
    assert.ok(count > 0);
    for (const id of ['cloudtrail-deleted', 'ec2-password-data', 'ebs-snapshot-shared', 'cis-4.1', 'cis-4.5']) {
      assert.equal(await v.locator(`.detection[data-id="${id}"]:not([disabled])`).count(), 1, `${id} fired`);
    }
    // The user's rule runs beside the library; the broken file is reported with what is wrong.
    const own = v.locator('.detection[data-id="bert-jan-deletes"]');
    assert.equal(await own.locator('.side-label').textContent(), 'bert-jan deleted something');
    assert.match((await own.getAttribute('title')) ?? '', /rule file bert-jan-deletes\.json/);
    const problem = (await v.locator('.side-problem').allTextContents()).join('\n');
    assert.match(problem, /^broken\.json: .*"severity" must be one of/m);
    const ownCount = Number((await own.locator('.side-count').textContent())!.replace(/,/g, ''));
    assert.ok(ownCount > 0);
    // A run of under an hour cannot have unusual hours; the panel says why.
    await v.locator('.insights-note', { hasText: 'at least 24 hours' }).waitFor({ timeout: T });
    await v.locator('.side').evaluate((e) => e.scrollTo(0, 0));
    await screenshot(page, '35-detections');
    await stopped.click();
    assert.equal(shownOf(await resultsOf(v, 'detection:cloudtrail-stopped')), count);
    const names = new Set((await columnTexts(v, 'eventName')).map((n) => n.replace(/^write/, '')));
    assert.deepEqual([...names], ['StopLogging']);
  });

  step(
    'switching to another tab and back restores the timeline, the panel and the query',
    'reshow',
    current,
    async () => {
      await explorerRow(page, 'hostile.json').dblclick();
      await page.locator('.tabs-container .tab.active', { hasText: 'hostile.json' }).waitFor({ timeout: T });
      await page.locator('.tabs-container .tab', { hasText: 'AWSLogs' }).click();
      const v = await logViewer(page);
      assert.equal(await v.locator('input.search').inputValue(), 'detection:cloudtrail-stopped');
      await v.locator('.timeline-caption', { hasText: /^\d+ events over time/ }).waitFor({ timeout: T });
      await v.locator('.side-section summary', { hasText: /^Detections: \d+ of \d+ fired$/ }).waitFor({ timeout: T });
      await v
        .locator('.facet[data-field="eventName"] .facet-value', { hasText: 'StopLogging' })
        .waitFor({ timeout: T });
      await runCommand(page, 'View: Close Other Editors in Group');
    },
  );

  step(
    "an event's session: the event view offers it; one click shows exactly that session",
    'session',
    current,
    async () => {
      const v = await logViewer(page);
      await v.locator('input.search').fill('eventName:StopLogging');
      await resultsOf(v, 'eventName:StopLogging');
      await v.locator('.spacer .row:not(.placeholder)').first().click();
      const ev = await eventView(page);
      const link = ev.locator('.sessions .session-link[data-by="principal"]');
      await link.waitFor({ timeout: T });
      const expected = Number(/\(([\d,]+) events\)/.exec((await link.textContent()) ?? '')![1].replace(/,/g, ''));
      assert.ok(expected > 1);
      // The workspace sets a 5-minute gap (cloudtrailLens.sessionGapMinutes).
      assert.match((await link.getAttribute('title')) ?? '', /no pause longer than 5 minutes/);
      await screenshot(page, '33-event-session');
      await link.click();
      const back = await logViewer(page);
      await back.locator('.grid[data-query^="principal:"]').waitFor({ timeout: T });
      const query = (await back.locator('input.search').inputValue()).trim();
      assert.match(query, /^principal:\S+ after:\S+ before:\S+$/);
      assert.equal(shownOf(await resultsOf(back, query)), expected);
      // With the event view beside it the log view is narrow: the table drops columns, the panel
      // steps aside and opens over the table on demand.
      assert.ok(!(await back.locator('.side').isVisible()));
      assert.ok(await back.locator('.row.head .c-errorCode').isVisible());
      await back.getByRole('button', { name: 'Panel' }).click();
      await back.locator('.side .facet').first().waitFor({ timeout: T });
      await screenshot(page, '37-narrow-panel');
      await back.getByRole('button', { name: 'Panel' }).click();
      await back.locator('.side').waitFor({ state: 'hidden', timeout: T });
    },
  );

  step(
    'Export… writes the shown events as CSV with the chosen columns, defused and complete',
    'export',
    current,
    async () => {
      const v = await logViewer(page);
      await v.locator('input.search').fill('error:AccessDenied');
      const shown = shownOf(await resultsOf(v, 'error:AccessDenied'));
      await v.getByRole('button', { name: 'Export…' }).click();
      const quick = page.locator('.quick-input-widget');
      await quick.locator('.quick-input-list .monaco-list-row', { hasText: 'CSV' }).first().click();
      // The columns: the defaults are ticked; accept them.
      await quick.locator('.quick-input-list .monaco-list-row', { hasText: 'errorMessage' }).waitFor({ timeout: T });
      await page.keyboard.press('Enter');
      const target = join(workspace, 'access-denied.csv');
      // The save dialog (code-server's simple file dialog) is a quick input titled by the format.
      await quick.locator('.quick-input-title', { hasText: 'Export as CSV' }).waitFor({ timeout: T });
      const input = quick.locator('.quick-input-box input');
      // The dialog fills in its default path once it has listed the folder: type ours after that.
      for (let attempt = 0; attempt < 10; attempt++) {
        await input.fill(target);
        await page.waitForTimeout(300);
        if ((await input.inputValue()) === target) break;
      }
      assert.equal(await input.inputValue(), target);
      await page.keyboard.press('Enter');
      await page.locator('.notifications-toasts', { hasText: 'exported' }).waitFor({ timeout: T });
      await screenshot(page, '34-exported');
      assert.ok(existsSync(target));
      const records = parseCsv(readFileSync(target, 'utf8').replace(/^\ufeff/, ''));
      assert.equal(
        records[0].join(','),
        'time,eventName,eventSource,principal,principalArn,accessKeyId,sourceIp,awsRegion,account,errorCode,errorMessage,readOnly,userAgent,eventID,resources',
      );
      assert.equal(records.length - 1, shown);
      for (const r of records.slice(1)) assert.equal(r[9], 'AccessDenied');
      // Nothing but the export is left in the folder (no temporary file).
      assert.deepEqual(
        readdirSync(workspace).filter((f) => f.includes('access-denied')),
        ['access-denied.csv'],
      );
    },
  );

  step(
    'unusual hours: a spike over a two-day baseline is listed; clicking it shows that hour',
    'insights',
    current,
    async () => {
      // The event view beside the table leaves too little room for the panel: close it first.
      await runCommand(page, 'View: Close All Editors');
      // The export added a file: let the explorer show it before right-clicking, or the rows move
      // under the menu.
      await explorerRow(page, 'access-denied.csv').waitFor({ timeout: T });
      await openFromContextMenu(page, 'baseline');
      await page.locator('.tabs-container .tab', { hasText: 'baseline' }).waitFor({ timeout: T });
      const v = await logViewer(page);
      await v.locator('.side-section summary', { hasText: 'Unusual hours: 3' }).waitFor({ timeout: 60_000 });
      const first = v.locator('.anomaly').first();
      assert.equal(await first.locator('.side-label').textContent(), 'GetSecretValue');
      assert.match(
        (await first.locator('.anomaly-detail').textContent()) ?? '',
        /^61 calls vs 1\.0\/h · 2024-03-02 16:00–17:00 UTC$/,
      );
      const errors = v.locator('.anomaly-errors');
      assert.match(
        (await errors.locator('.anomaly-detail').textContent()) ?? '',
        /^25 errors vs 0\.0\/h · 2024-03-02 06:00–07:00 UTC$/,
      );
      await screenshot(page, '36-unusual-hours');
      await first.click();
      const q =
        'eventSource:secretsmanager.amazonaws.com eventName:GetSecretValue after:2024-03-02T16:00:00Z before:2024-03-02T17:00:00Z';
      assert.equal(shownOf(await resultsOf(v, q)), 61);
    },
  );
});
