/**
 * Athena and CloudWatch Logs in a real VS Code (issue #15): a trail whose bucket holds the real
 * samples laid out as S3 and which also delivers to a log group, served by the fake CloudTrail,
 * S3, Athena (DuckDB over the same folder) and Logs Insights, all started here on 127.0.0.1
 * (never AWS). From the trail: set up the Athena table (the DDL to review, then created); from a
 * local log view: run its query in Athena and get the same events; open one; cancel a slow query
 * (StopQueryExecution); an AccessDenied that names the permission; search the log group.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe } from 'node:test';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { parseQuery } from '../../src/core/query/query';
import { SearchEngine } from '../../src/core/query/search';
import { EventStore } from '../../src/core/store/store';
import { ACCOUNT, type AwsFixture, startAwsFixture } from '../support/awsFixture';
import { runCommand, screenshot } from '../support/browser';
import { type FakeAthena, startFakeAthena } from '../support/fakeAthena';
import { type FakeLogs, startFakeLogs } from '../support/fakeLogsInsights';
import { type FakeS3, startFakeS3 } from '../support/fakeS3';
import { buildSampleBucket, listFiles, type SampleBucket } from '../support/sampleBucket';
import type { BucketObject } from '../support/trailBucket';
import {
  chooseFromContextMenu,
  eventView,
  logViewer,
  notificationSaid,
  openFromContextMenu,
  step,
  UI_TIMEOUT as T,
  webviewWith,
  workbenchSuite,
  expandSideBarRow,
  sideBarRow,
  toggleTheme,
} from '../support/workbench';

const LOG_GROUP = 'aws-cloudtrail-logs-main';
const TRAIL = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/main`;
const QUERY = 'eventName:AssumeRole,GetCallerIdentity';
const LOGS_QUERY = 'eventName:GetCallerIdentity';
const CAP_USD = 0.00002;

let aws: AwsFixture;
let s3: FakeS3;
let athena: FakeAthena;
let logs: FakeLogs;
let bucket: SampleBucket;
let page: Page;
let workspace: string;
const current = (): Page | undefined => page;

/** What the local engine finds for `q` among the bucket's events (the count every back end must give). */
function localCount(q: string): number {
  const store = new EventStore();
  for (const r of bucket.records) store.add(r, 0);
  return new SearchEngine(store).search(parseQuery(q), 'newest').rows.length;
}

const row = (label: string): Locator => sideBarRow(page, label);
const expand = (label: string): Promise<void> => expandSideBarRow(page, label);
const quickInput = (): Locator => page.locator('.quick-input-widget');
/** Picks a row of the open quick pick (whose title starts with `title`) by its label. */
async function pick(title: string, label: string): Promise<void> {
  await quickInput().locator('.quick-input-title', { hasText: title }).waitFor({ timeout: T });
  await quickInput()
    .locator('.quick-input-list .monaco-list-row', {
      has: page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }),
    })
    .first()
    .click({ timeout: T });
}
/** Types into the open input box titled `title` and accepts. */
async function answer(title: string, text: string): Promise<void> {
  await quickInput().locator('.quick-input-title', { hasText: title }).waitFor({ timeout: T });
  const input = quickInput().locator('.quick-input-box input');
  await input.fill(text);
  await input.press('Enter');
}
const toast = (text: string | RegExp): Locator =>
  page.locator('.notifications-toasts .notification-toast', { hasText: text });
/** The log viewer whose title is exactly `title`. */
const viewerTitled = (title: string): Promise<FrameLocator> =>
  webviewWith(page, `h1.title:text-is(${JSON.stringify(title)})`, 60_000);
const counts = async (v: FrameLocator): Promise<string> => (await v.locator('.counts').textContent()) ?? '';
const dialog = (): Locator => page.locator('.monaco-dialog-box');
/** The cost question before a run: its text, then the button `button` (or Escape). */
async function costDialog(button: 'Run Anyway' | 'Cancel', shot?: string): Promise<string> {
  await dialog().waitFor({ timeout: 60_000 });
  const text = (await dialog().textContent()) ?? '';
  if (shot) await screenshot(page, shot);
  if (button === 'Cancel') await page.keyboard.press('Escape');
  else await dialog().locator('.monaco-button', { hasText: button }).click();
  await dialog().waitFor({ state: 'hidden', timeout: T });
  return text;
}

/** The `.sql` editor's CodeLenses wholly inside its viewport: their indexes among its lenses. */
async function lensesInView(editor: Locator): Promise<number[]> {
  return editor.evaluate((root) => {
    const view = root.querySelector('.overflow-guard')?.getBoundingClientRect() ?? root.getBoundingClientRect();
    const out: number[] = [];
    root.querySelectorAll('.codelens-decoration').forEach((el, i) => {
      const r = el.getBoundingClientRect();
      const shown = getComputedStyle(el).visibility !== 'hidden' && r.height > 0;
      if (shown && r.top >= view.top && r.bottom <= view.bottom && /Run in Athena/.test(el.textContent ?? ''))
        out.push(i);
    });
    return out;
  });
}

/**
 * Moves the `.sql` editor to its `k`-th statement (0-based) with Find, as a user would: the
 * editor reveals the match with its CodeLens above it. Every statement starts `SELECT "eventversion"`.
 */
async function revealStatement(editor: Locator, k: number): Promise<void> {
  // Focus by its tab, not a click in the text: a click there could land on a lens and run it.
  await page.locator('.tabs-container .tab', { hasText: 'Athena SQL for 3 searches' }).click();
  await page.keyboard.press('Control+f');
  const find = editor.locator('.find-widget textarea, .find-widget input').first();
  await find.waitFor({ timeout: T });
  await find.fill('SELECT "eventversion"');
  // Enter moves to the next match, round the document: pressed until the count says match k + 1.
  // (The count is in the DOM but hidden when the editor column is this narrow.)
  const count = editor.locator('.find-widget .matchesCount');
  const want = `${k + 1} of 3`;
  for (let i = 0; i < 8 && (await count.textContent()) !== want; i++) {
    await find.press('Enter');
    await page.waitForTimeout(250);
  }
  assert.equal(await count.textContent(), want, 'Find reached the statement');
  // Its close button, not Escape: with notifications up, Escape hides those first.
  await editor.locator('.find-widget .codicon-widget-close').click();
  await editor.locator('.find-widget.visible').waitFor({ state: 'detached', timeout: T });
}

describe('Athena and CloudWatch Logs in a real VS Code', { timeout: 600_000 }, () => {
  workbenchSuite(
    async () => {
      bucket = buildSampleBucket();
      const objects = new Map<string, BucketObject>();
      const bucketDir = join(bucket.root, bucket.bucket);
      for (const f of listFiles(bucketDir))
        objects.set(relative(bucketDir, f).split('\\').join('/'), {
          body: readFileSync(f),
          metadata: {},
          lastModified: new Date(),
        });
      s3 = await startFakeS3({ buckets: { [bucket.bucket]: objects } });
      athena = await startFakeAthena({
        s3Root: bucket.root,
        workGroups: { primary: 's3://athena-results/' },
        runMs: 200,
      });
      logs = await startFakeLogs({ [LOG_GROUP]: bucket.records.map((r) => r.raw) });
      const main = {
        Name: 'main',
        TrailARN: TRAIL,
        HomeRegion: 'us-east-1',
        IsMultiRegionTrail: true,
        IsOrganizationTrail: false,
        S3BucketName: bucket.bucket,
        LogFileValidationEnabled: true,
        CloudWatchLogsLogGroupArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:${LOG_GROUP}:*`,
        HasCustomEventSelectors: false,
        HasInsightSelectors: false,
        IncludeGlobalServiceEvents: true,
      };
      aws = await startAwsFixture(Date.now(), { trails: { 'us-east-1': [main] } });
      workspace = mkdtempSync(join(tmpdir(), 'ctl-ws-athena-'));
      // The same files on disk, for the local log view.
      cpSync(join(bucketDir, 'AWSLogs'), join(workspace, 'AWSLogs'), { recursive: true });
      return {
        workspace,
        env: aws.env,
        settings: {
          'cloudtrailLens.endpoint': aws.fake.url,
          'cloudtrailLens.s3Endpoint': s3.url,
          'cloudtrailLens.athenaEndpoint': athena.url,
          'cloudtrailLens.logsEndpoint': logs.url,
          'cloudtrailLens.athena.maxResults': 10000,
          // Below the least Athena bills (10 MB, $0.000048): every Athena run here asks first.
          'cloudtrailLens.athena.askAboveUsd': CAP_USD,
        },
        diagnose: () => {
          const t0 = aws.fake.requests[0]?.time ?? 0;
          const ct = aws.fake.requests
            .slice(-20)
            .map((r) => `${r.operation} ${r.region} +${((r.time - t0) / 1000).toFixed(1)}s`);
          return [
            `fake CloudTrail: ${aws.fake.requests.length} request(s), the last: ${ct.join('; ')}`,
            `fake Athena calls: ${athena.calls.slice(-20).join(', ')}`,
            `fake Logs queries: ${logs.queries.length}`,
          ].join('\n');
        },
        cleanup: async () => {
          await s3.close();
          await athena.close();
          await logs.close();
          await aws.close();
          rmSync(workspace, { recursive: true, force: true });
          rmSync(bucket.root, { recursive: true, force: true });
        },
      };
    },
    async (s) => {
      page = s.page;
      await page.locator('.activitybar .action-label[aria-label^="CloudTrail Lens"]').click();
    },
  );

  step(
    '"Set Up Athena Table…" on the trail: the DDL opens to review, and is created on confirmation',
    'athena-setup',
    current,
    async () => {
      await expand('dev');
      await expand('us-east-1');
      await expand('Trails');
      await chooseFromContextMenu(page, row('main'), 'Set Up Athena Table…');
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ timeout: 60_000 });
      // 16 account folders in the bucket and the trail's own account; 5 region folders.
      assert.match(
        (await dialog.textContent()) ?? '',
        /Create the table default\.cloudtrail_main over s3:\/\/trail-bucket\/AWSLogs\/ \(17 account\(s\), 5 region\(s\)\) in workgroup "primary"/,
      );
      await page
        .locator('.monaco-editor .view-lines')
        .getByText('CREATE EXTERNAL TABLE `default`.`cloudtrail_main` (')
        .first()
        .waitFor({ timeout: T });
      await screenshot(page, '60-athena-ddl-review');
      await dialog.locator('.monaco-button', { hasText: 'Create Table' }).click();
      await toast('Created the Athena table default.cloudtrail_main for main').waitFor({ timeout: 60_000 });
      const ddl = athena.queries.find((q) => /^CREATE EXTERNAL TABLE/.test(q.sql));
      assert.equal(ddl?.state, 'SUCCEEDED');
      assert.ok(!ddl.sql.startsWith('--'), 'the header comments are not sent');
      assert.match(
        ddl.sql,
        /'storage\.location\.template'='s3:\/\/trail-bucket\/AWSLogs\/\$\{account\}\/CloudTrail\/\$\{region\}\/\$\{timestamp\}'/,
      );
      assert.ok(athena.duck.table('default', 'cloudtrail_main'), 'the fake holds the table');
      // The document's CodeLens runs it again (it names where).
      await page
        .locator('.codelens-decoration', { hasText: 'Run in Athena (main · dev · us-east-1 · primary/default)' })
        .first()
        .waitFor({ timeout: T });
      await screenshot(page, '61-athena-table-created');
    },
  );

  step(
    "a local log view's query runs in Athena from its toolbar: the SQL shown, the same events in a new view",
    'athena-run',
    current,
    async () => {
      // The DDL document stays open: an untitled document would ask to be saved on closing.
      await page.keyboard.press('Control+Shift+E');
      await openFromContextMenu(page, 'AWSLogs');
      const local = await logViewer(page);
      await local
        .locator('.counts', { hasText: `${bucket.records.length.toLocaleString('en-US')} events` })
        .waitFor({ timeout: 120_000 });
      await local.locator('input.search').fill(QUERY);
      await local.locator(`.grid[data-query=${JSON.stringify(QUERY)}]`).waitFor({ timeout: T });
      const expected = localCount(QUERY);
      assert.ok(expected > 0);
      assert.match(await counts(local), new RegExp(`^${expected.toLocaleString('en-US')} of `));
      await local.locator('button.remote-button').click();
      await pick('Run this query over which trail?', 'main');
      await pick('Run over main in', 'Run in Athena');
      await pick('Run in Athena over main: time window', 'All time');
      // No time range: the estimate first, and a question before Athena reads every day.
      const asked = await costDialog('Run Anyway', '62a-athena-no-range-asks');
      assert.match(asked, /no time range: Athena reads every day of the trail/);
      assert.match(
        asked,
        /Estimated scan: [\d.]+ (KB|MB) \(about \$[\d.e-]+ at \$5 per TB, 10 MB minimum\), \d+ files under \d+ partition prefixes/,
      );
      const title = `Athena: ${QUERY} (all time)`;
      const v = await viewerTitled(title);
      await v
        .locator('.counts', { hasText: new RegExp(`^${expected.toLocaleString('en-US')} events · 1 file`) })
        .waitFor({ timeout: 60_000 });
      await page.locator('.tabs-container .tab', { hasText: title }).first().waitFor({ timeout: T });
      const q = athena.queries.at(-1)!;
      assert.match(
        q.sql,
        /^SELECT [\s\S]*FROM "default"\."cloudtrail_main"[\s\S]*ORDER BY "eventtime" DESC\nLIMIT 10001$/,
      );
      // The SQL is open as a document, its lens ready to run it again.
      await page
        .locator('.monaco-editor .view-lines')
        .getByText('FROM "default"."cloudtrail_main"')
        .first()
        .waitFor({ timeout: T });
      // The CodeLens shows the estimate and its price beside Run.
      await page
        .locator('.codelens-decoration', { hasText: /Run in Athena \(main.*\) · ≈ [\d.]+ (KB|MB), about \$/ })
        .first()
        .waitFor({ timeout: T });
      // After the run: the scan beside the estimate (all time on a small bucket: they are equal).
      await toast(/scanned \(about \$[^)]*\) \(estimated [\d.]+ (bytes|KB|MB) \(actual \d+% of it\)\)/)
        .first()
        .waitFor({ timeout: T });
      await screenshot(page, '62-athena-results');
    },
  );

  step('an event of the Athena results opens in the event view', 'athena-event', current, async () => {
    const v = await viewerTitled(`Athena: ${QUERY} (all time)`);
    await v.locator('.spacer .row:not(.placeholder)').first().click();
    const ev = await eventView(page);
    await ev.locator('h1.event-name', { hasText: /AssumeRole|GetCallerIdentity/ }).waitFor({ timeout: T });
    await screenshot(page, '63-athena-event');
  });

  step(
    'a slow query is cancelled from its notification: StopQueryExecution, and a message saying so',
    'athena-cancel',
    current,
    async () => {
      athena.setRunMs(120_000);
      try {
        await runCommand(page, 'CloudTrail: Run in Athena…');
        await pick('Run in Athena: which trail?', 'main');
        await answer('Run in Athena over main', LOGS_QUERY);
        await pick('Run in Athena over main: time window', 'Last 30 days');
        await costDialog('Run Anyway');
        const progress = toast(`Athena: ${LOGS_QUERY} (last 30 days)`);
        await progress.waitFor({ timeout: T });
        await page.waitForFunction(
          () => /RUNNING/.test(document.querySelector('.notifications-toasts')?.textContent ?? ''),
          undefined,
          { timeout: T },
        );
        await screenshot(page, '64-athena-running');
        await progress.locator('.monaco-button', { hasText: 'Cancel' }).click();
        // A toast, or the notification center (VS Code does not always toast a message that comes as
        // a progress notification closes).
        if ((await notificationSaid(page, 'Query cancelled. Athena stopped it (StopQueryExecution).')) === 'center')
          await screenshot(page, '65-athena-cancelled-center');
        assert.ok(athena.calls.includes('StopQueryExecution'), 'StopQueryExecution was sent');
        assert.equal(athena.queries.at(-1)!.state, 'CANCELLED');
        await screenshot(page, '65-athena-cancelled');
      } finally {
        athena.setRunMs(200);
      }
    },
  );

  step('AccessDenied on Athena names the permission to add', 'athena-denied', current, async () => {
    athena.failNext('StartQueryExecution', {
      code: 'AccessDeniedException',
      message: `User: arn:aws:iam::${ACCOUNT}:user/dev is not authorized to perform: athena:StartQueryExecution on resource: arn:aws:athena:us-east-1:${ACCOUNT}:workgroup/primary`,
    });
    await runCommand(page, 'CloudTrail: Run in Athena…');
    await pick('Run in Athena: which trail?', 'main');
    await answer('Run in Athena over main', LOGS_QUERY);
    await pick('Run in Athena over main: time window', 'All time');
    await costDialog('Run Anyway');
    await toast(
      /Access denied \(Athena\)\. The profile may not run Athena queries in us-east-1 \(workgroup "primary"\): it needs athena:StartQueryExecution/,
    ).waitFor({ timeout: T });
    await screenshot(page, '66-athena-access-denied');
  });

  step(
    'a run whose estimate is over the cap asks first, and nothing runs on Cancel',
    'athena-cap',
    current,
    async () => {
      {
        const before = athena.queries.length;
        await runCommand(page, 'CloudTrail: Run in Athena…');
        await pick('Run in Athena: which trail?', 'main');
        await answer('Run in Athena over main', QUERY);
        await pick('Run in Athena over main: time window', 'Last 7 days');
        const asked = await costDialog('Cancel', '68-athena-over-cap-dark');
        assert.match(asked, /The estimate is above \$0\.000020 \(setting cloudtrailLens\.athena\.askAboveUsd\)/);
        assert.match(asked, /Estimated scan: /);
        assert.equal(athena.queries.length, before, 'nothing ran');
      }
    },
  );

  step(
    'a detection of three searches opens a .sql document with three CodeLenses, each with its estimate, each running its own search',
    'athena-three-lenses',
    current,
    async () => {
      const before = athena.queries.length;
      await runCommand(page, 'CloudTrail: Run Detection in Athena…');
      await quickInput().locator('.quick-input-box input').fill('CloudTrail event selectors reduce coverage');
      await pick('Run which detection in Athena?', 'CloudTrail event selectors reduce coverage');
      await pick('Run "CloudTrail event selectors reduce coverage" in Athena: which trail?', 'main');
      await pick('Run "CloudTrail event selectors reduce coverage" in Athena: time window', 'Last 30 days');
      assert.match(await costDialog('Run Anyway'), /Query 1: Estimated scan: .* Query 3: Estimated scan: /);
      await toast(/Athena found no events|events ·/)
        .first()
        .waitFor({ timeout: 60_000 });
      const ran = athena.queries.slice(before);
      assert.equal(ran.length, 3, 'the three searches ran');
      const lenses = page.locator('.codelens-decoration', { hasText: /Run in Athena \(main.*· ≈ / });
      await page.waitForFunction(() => document.querySelectorAll('.codelens-decoration').length >= 3, undefined, {
        timeout: T,
      });
      assert.equal(await lenses.count(), 3);
      await screenshot(page, '69-athena-three-lenses-dark');
      // Each lens runs its own search: the first where it stands, the others once the editor has
      // moved to them (Find, as a user would, reveals each statement with the lens above it).
      const sql = page.locator('.editor-instance .monaco-editor', { has: page.locator('.codelens-decoration') });
      for (let k = 0; k < 3; k++) {
        if (k > 0) await revealStatement(sql, k);
        const visible = await lensesInView(sql);
        assert.equal(visible.length, 1, `one lens in view for statement ${k + 1} (saw ${visible.length})`);
        const n = athena.queries.length;
        await sql.locator('.codelens-decoration').nth(visible[0]).locator('a').first().click();
        await costDialog('Run Anyway');
        for (let t = 0; t < 300 && athena.queries.length === n; t++) await page.waitForTimeout(100);
        assert.equal(athena.queries.length, n + 1, `lens ${k + 1} ran one query`);
        assert.equal(athena.queries.at(-1)!.sql, ran[k].sql, `lens ${k + 1} ran its own search`);
        if (k === 2) await screenshot(page, '69-athena-third-lens-dark');
      }
    },
  );

  step(
    '"Search in CloudWatch Logs…" on the trail: Logs Insights, results as a log view',
    'logs-search',
    current,
    async () => {
      await page.locator('.activitybar .action-label[aria-label^="CloudTrail Lens"]').click();
      await chooseFromContextMenu(page, row('main'), 'Search in CloudWatch Logs…');
      await answer("Search main's log group in CloudWatch Logs", LOGS_QUERY);
      await pick('Search in CloudWatch Logs over main: time window', 'All time');
      // The estimate: the log group's stored bytes (all of them for all time) at $0.005 per GB.
      const stored = bucket.records.reduce((n, r) => n + Buffer.byteLength(r.raw), 0);
      if ((stored / 1024 ** 3) * 0.005 > CAP_USD)
        assert.match(await costDialog('Run Anyway'), /Estimated scan: about [\d.]+ (KB|MB) \(100% of the/);
      else
        await toast(/Estimated scan: about [\d.]+ (KB|MB) \(100% of the/)
          .first()
          .waitFor({ timeout: T });
      const expected = localCount(LOGS_QUERY);
      assert.ok(expected > 0);
      const v = await viewerTitled(`CloudWatch Logs: ${LOGS_QUERY} (all time)`);
      await v
        .locator('.counts', { hasText: new RegExp(`^${expected.toLocaleString('en-US')} events · 1 file`) })
        .waitFor({ timeout: 60_000 });
      const q = logs.queries.at(-1)!;
      assert.equal(q.logGroup, LOG_GROUP);
      assert.match(q.queryString, /^fields @timestamp, @message\n\| filter /);
      assert.equal(q.results.length, expected);
      await screenshot(page, '67-logs-results');
    },
  );

  // Last: a theme switch here has been seen to leave the next quick pick without its rows.
  step('the CodeLens estimate and the results in the light theme', 'athena-light', current, async () => {
    await toggleTheme(page, 'light');
    await screenshot(page, '69-athena-light');
    await toggleTheme(page, 'dark');
  });
});
