/**
 * Trail logs from S3 and log file integrity validation in a real VS Code: a fake S3 holding a
 * generated organization trail bucket (signed, chained digests) and the fake CloudTrail serving
 * its public key, both started here on 127.0.0.1 (never AWS). From the trail in the tree: open a
 * window's logs in the log viewer; validate online with a tampered log; validate a local folder
 * offline from the file explorer.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { ACCOUNT, type AwsFixture, startAwsFixture } from '../support/awsFixture';
import { screenshot } from '../support/browser';
import { type FakeS3, startFakeS3 } from '../support/fakeS3';
import { buildTrailBucket, type TrailBucket, testSigningKey, writeBucketToFolder } from '../support/trailBucket';
import {
  chooseFromContextMenu,
  explorerRow,
  logViewer,
  step,
  UI_TIMEOUT as T,
  webviewWith,
  workbenchSuite,
  expandSideBarRow,
  sideBarRow,
} from '../support/workbench';

let aws: AwsFixture;
let s3: FakeS3;
let tb: TrailBucket;
let offlineCopy: TrailBucket;
let page: Page;
let workspace: string;
const current = (): Page | undefined => page;
const OTHER_ACCOUNT = '210987654321';

const row = (label: string): Locator => sideBarRow(page, label);
const expand = (label: string): Promise<void> => expandSideBarRow(page, label);
const quickInput = (): Locator => page.locator('.quick-input-widget');
/** Picks a row of the open quick pick by its label. */
async function pick(label: string): Promise<void> {
  await quickInput().locator('.quick-input-list .monaco-list-row', { hasText: label }).first().click({ timeout: T });
}
/** Accepts a multi-select quick pick whose title starts with `title` as preselected. */
async function acceptMulti(title: string): Promise<void> {
  await quickInput().locator('.quick-input-title', { hasText: title }).waitFor({ timeout: T });
  await quickInput().locator('.quick-input-box input').press('Enter');
}
const report = (): Promise<FrameLocator> => webviewWith(page, 'h1.verdict', 120_000);

describe('trail logs from S3 and integrity validation in a real VS Code', { timeout: 600_000 }, () => {
  workbenchSuite(
    async () => {
      const now = Date.now();
      const key = testSigningKey();
      // The fixture's organization trail: bucket org-cloudtrail-logs, key prefix o-abc123.
      tb = buildTrailBucket({
        start: now - 5 * 3_600_000,
        hours: 4,
        key,
        bucket: 'org-cloudtrail-logs',
        prefix: 'o-abc123',
        orgId: 'o-abcdef1234',
        trailName: 'org-main',
        accounts: [ACCOUNT, OTHER_ACCOUNT],
        regions: ['us-east-1', 'eu-west-1'],
      });
      s3 = await startFakeS3({ buckets: { [tb.bucket]: tb.objects } });
      aws = await startAwsFixture(now, {
        publicKeys: [
          {
            Value: key.publicDer.toString('base64'),
            Fingerprint: key.fingerprint,
            ValidityStartTime: new Date(now - 30 * 86_400_000),
            ValidityEndTime: new Date(now + 86_400_000),
          },
        ],
      });
      workspace = mkdtempSync(join(tmpdir(), 'ctl-ws-integrity-'));
      const cache = mkdtempSync(join(tmpdir(), 'ctl-s3-cache-'));
      // A local copy of another bucket, one log file deleted from it, for offline validation.
      offlineCopy = buildTrailBucket({ start: Date.UTC(2024, 2, 1), hours: 3, key, bucket: 'copy' });
      writeBucketToFolder(offlineCopy, join(workspace, 'trail-copy'));
      unlinkSync(join(workspace, 'trail-copy', ...offlineCopy.logs[2].split('/')));
      return {
        workspace,
        env: aws.env,
        settings: {
          'cloudtrailLens.endpoint': aws.fake.url,
          'cloudtrailLens.s3Endpoint': s3.url,
          'cloudtrailLens.s3CacheFolder': cache,
        },
        cleanup: async () => {
          await s3.close();
          await aws.close();
          rmSync(workspace, { recursive: true, force: true });
          rmSync(cache, { recursive: true, force: true });
        },
      };
    },
    async (s) => {
      page = s.page;
      await page.locator('.activitybar .action-label[aria-label^="CloudTrail Lens"]').click();
    },
  );

  step(
    '"Open Trail Logs from S3…" on the trail: window, accounts, regions, count, download, log viewer',
    'open-s3',
    current,
    async () => {
      await expand('dev');
      await expand('us-east-1');
      await expand('Trails');
      await chooseFromContextMenu(page, row('org-main'), 'Open Trail Logs from S3…');
      await pick('Last 6 hours');
      await acceptMulti('Open org-main logs from S3: accounts (2');
      await acceptMulti('Open org-main logs from S3: regions (2');
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ timeout: T });
      const logs = tb.logs.length;
      assert.match(
        (await dialog.textContent()) ?? '',
        new RegExp(
          `${logs} log files, [\\d.]+ KB in s3://org-cloudtrail-logs/o-abc123.*2 account\\(s\\), 2 region\\(s\\)`,
        ),
      );
      await screenshot(page, '40-s3-confirm');
      await dialog.locator('.monaco-button', { hasText: 'Download and Open' }).click();
      const v = await logViewer(page);
      await v.locator('.counts', { hasText: `${tb.events} events` }).waitFor({ timeout: 60_000 });
      assert.equal(
        s3.requests.filter((r) => r.method === 'GET' && r.key.includes('/CloudTrail/')).length,
        logs,
        'each log downloaded once',
      );
      await screenshot(page, '41-s3-logs-in-viewer');
    },
  );

  step(
    '"Validate Log File Integrity…" on the trail with a tampered log: the report names it',
    'validate-online',
    current,
    async () => {
      const victim = tb.logs.find((k) => k.includes(`/${OTHER_ACCOUNT}/CloudTrail/eu-west-1/`))!;
      const o = tb.objects.get(victim)!;
      o.body = gzipSync(Buffer.from('{"Records":[{"eventName":"ConsoleLogin","note":"inserted by an attacker"}]}'));
      await page
        .locator('.part.sidebar')
        .click({ position: { x: 5, y: 5 } })
        .catch(() => undefined);
      await chooseFromContextMenu(page, row('org-main'), 'Validate Log File Integrity…');
      await pick('Last 6 hours');
      await acceptMulti('Validate org-main: accounts');
      await acceptMulti('Validate org-main: regions');
      const r = await report();
      await r.locator('h1.verdict', { hasText: 'Problems found' }).waitFor({ timeout: T });
      const bad = r.locator('tr.finding.v-invalid');
      await bad.first().waitFor({ timeout: T });
      assert.equal(await bad.count(), 1);
      assert.match(
        (await bad.textContent()) ?? '',
        new RegExp(`${victim.split('/').pop()!.replace(/\./g, '\\.')}.*Modified: its SHA-256 is`),
      );
      assert.match(
        (await r.locator('.summary').textContent()) ?? '',
        /16\/16 digests valid, 31\/32 log files valid; 1 log file\(s\) modified/,
      );
      assert.ok(
        aws.fake.requests.some((q) => q.operation === 'ListPublicKeys'),
        'public keys from CloudTrail',
      );
      await screenshot(page, '42-integrity-online-tampered');
    },
  );

  step(
    'offline validation of a local folder from the file explorer: the deleted log is missing',
    'validate-offline',
    current,
    async () => {
      await page.keyboard.press('Control+Shift+E');
      await explorerRow(page, 'trail-copy').waitFor({ timeout: T });
      await chooseFromContextMenu(page, explorerRow(page, 'trail-copy'), 'Validate Log File Integrity…');
      const r = await webviewWith(page, '.meta:has-text("Offline (local folder)")', 120_000);
      await r.locator('h1.verdict', { hasText: 'Problems found' }).waitFor({ timeout: T });
      const missing = r.locator('tr.finding.v-missing');
      assert.equal(await missing.count(), 1);
      assert.match(
        (await missing.textContent()) ?? '',
        new RegExp(offlineCopy.logs[2].split('/').pop()!.replace(/\./g, '\\.')),
      );
      assert.match(
        (await r.locator('.summary').textContent()) ?? '',
        /^3\/3 digests valid, 5\/6 log files valid; 1 file\(s\) missing\.$/,
      );
      assert.match((await r.locator('h2').last().textContent()) ?? '', /^1 problem$/);
      await screenshot(page, '43-integrity-offline');
      // Export: the save dialog proposes the workspace folder; the JSON holds every finding.
      await r.locator('button', { hasText: 'Export JSON' }).click();
      const input = quickInput().locator('.quick-input-box input');
      await input.waitFor({ timeout: T });
      // The simple file dialog fills its path in steps: wait for the proposed name.
      await page.waitForFunction(
        (el) => /cloudtrail-integrity-.*\.json$/.test((el as HTMLInputElement | null)?.value ?? ''),
        await input.elementHandle(),
        { timeout: T },
      );
      await input.press('Enter');
      await r.locator('.toast', { hasText: 'Saved' }).waitFor({ timeout: T });
      const saved = readdirSync(workspace).find((f) => f.startsWith('cloudtrail-integrity-'));
      assert.ok(saved, 'the report was written into the workspace');
      const json = JSON.parse(readFileSync(join(workspace, saved), 'utf8'));
      assert.equal(json.format, 'cloudtrail-lens.integrity-report/1');
      assert.equal(json.mode, 'offline');
      assert.equal(json.findings.filter((f: { verdict: string }) => f.verdict === 'missing').length, 1);
    },
  );
});
