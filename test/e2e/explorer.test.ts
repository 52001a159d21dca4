/**
 * The AWS explorer end to end in a real VS Code: profiles from temporary AWS config files, the
 * real AWS SDK talking to a local fake CloudTrail endpoint (never AWS), trails with their health,
 * recent events paged with "Load more…" under the LookupEvents rate limit, a filter, an event
 * opened in the event view and a pivot back to a lookup, and error nodes (SSO, access denied).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { type AwsFixture, startAwsFixture } from '../support/awsFixture';
import { runCommand, screenshot } from '../support/browser';
import { eventView, step, UI_TIMEOUT as T, workbenchSuite } from '../support/workbench';

let aws: AwsFixture;
let page: Page;
const current = (): Page | undefined => page;

const sidebar = (): Locator => page.locator('.part.sidebar');
/** A tree row by its label (exact), optionally the n-th such row. */
function row(label: string, nth = 0): Locator {
  return sidebar()
    .locator('.monaco-list-row')
    .filter({
      has: page.locator('.label-name', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }),
    })
    .nth(nth);
}
async function expand(label: string, nth = 0): Promise<void> {
  const r = row(label, nth);
  await r.waitFor({ timeout: T });
  if ((await r.getAttribute('aria-expanded')) !== 'true') await r.click();
  await page.waitForFunction((el) => el?.getAttribute('aria-expanded') === 'true', await r.elementHandle(), {
    timeout: T,
  });
}
async function inlineAction(label: string, action: string, nth = 0): Promise<void> {
  const r = row(label, nth);
  await r.hover();
  await r.locator(`.action-label[aria-label^="${action}"]`).click();
}
/** Collapses the tree, then expands `labels` in order: the path to the node a step is about. */
async function openPath(...labels: string[]): Promise<void> {
  await collapseAll();
  for (const label of labels) await expand(label);
}
async function collapseAll(): Promise<void> {
  // Our view's title bar (the only tree view in the CloudTrail Lens container).
  await sidebar().locator('.action-label[aria-label^="Collapse All"]:visible').first().click();
}
const lookupCalls = (): number[] => aws.fake.requests.filter((r) => r.operation === 'LookupEvents').map((r) => r.time);

describe('the AWS explorer in a real VS Code', { timeout: 400_000 }, () => {
  workbenchSuite(
    async () => {
      aws = await startAwsFixture();
      const workspace = mkdtempSync(join(tmpdir(), 'ctl-ws-aws-'));
      return {
        workspace,
        env: aws.env,
        settings: { 'cloudtrailLens.endpoint': aws.fake.url, 'cloudtrailLens.regions': ['eu-west-1'] },
        cleanup: async () => {
          await aws.close();
          rmSync(workspace, { recursive: true, force: true });
        },
      };
    },
    async (s) => {
      page = s.page;
      await page.locator('.activitybar .action-label[aria-label^="CloudTrail Lens"]').click();
    },
  );

  step('profiles from the config files; regions; trails with their health', 'trails', current, async () => {
    await row('dev').waitFor({ timeout: T });
    await row('corp-sso').waitFor({ timeout: T });
    assert.match((await row('dev').textContent()) ?? '', /access key AKIA…/);
    await expand('dev');
    await row('eu-west-1').waitFor({ timeout: T });
    await expand('us-east-1');
    await expand('Trails');
    await row('org-main').waitFor({ timeout: T });
    assert.match((await row('org-main').textContent()) ?? '', /logging · multi-region · organization/);
    assert.match((await row('legacy-audit').textContent()) ?? '', /NOT LOGGING/);
    assert.match((await row('Trails').textContent()) ?? '', /2 · 1 with problems/);
    await expand('legacy-audit');
    await row('Logging').waitFor({ timeout: T });
    assert.match((await row('Delivery error').textContent()) ?? '', /AccessDenied/);
    assert.match((await row('Log file validation').textContent()) ?? '', /OFF/);
    await expand('org-main');
    await row('Advanced selector "S3 writes"').waitFor({ timeout: T });
    assert.match((await row('Insights').textContent()) ?? '', /ApiCallRateInsight, ApiErrorRateInsight/);
    await screenshot(page, '20-explorer-trails');
  });

  step('a shadow trail in another region', 'shadow', current, async () => {
    await openPath('dev', 'eu-west-1', 'Trails');
    await row('org-main').waitFor({ timeout: T });
    assert.match((await row('org-main').textContent()) ?? '', /shadow of us-east-1/);
  });

  step(
    'recent events, newest first, 50 a page; fast "Load more" never hits the rate limit',
    'events',
    current,
    async () => {
      aws.fake.reset();
      aws.fake.rateLimit(2);
      await openPath('dev', 'us-east-1', 'Recent events');
      // "Load more…" is below the fold: scroll to it and click it, four times in quick succession.
      await row('Recent events').waitFor({ timeout: T });
      await page.waitForFunction(
        () => document.querySelectorAll('.part.sidebar .monaco-list-row').length > 20,
        undefined,
        { timeout: T },
      );
      const more = row('Load more…');
      for (let i = 0; i < 4; i++) {
        await sidebar().locator('.monaco-list[role="tree"]:visible').first().hover();
        for (let n = 0; n < 100 && !(await more.isVisible()); n++) {
          await page.mouse.wheel(0, 600);
          await page.waitForTimeout(30);
        }
        await more.click({ timeout: T });
        await page.waitForTimeout(150);
      }
      await page.waitForFunction(
        () =>
          /Recent events\s*(1[5-9]\d|[2-9]\d\d)\+?/.test(document.querySelector('.part.sidebar')?.textContent ?? ''),
        undefined,
        { timeout: T },
      );
      await page.waitForTimeout(3000); // let every requested page land
      assert.equal(
        await sidebar().locator('.monaco-list-row', { hasText: 'Throttled' }).count(),
        0,
        'no throttling error node',
      );
      const calls = lookupCalls();
      assert.ok(calls.length >= 3, `${calls.length} LookupEvents calls`);
      for (let i = 2; i < calls.length; i++) assert.ok(calls[i] - calls[i - 2] >= 1000, 'at most 2 calls per second');
      assert.match((await row('Recent events').textContent()) ?? '', /\d+\+/);
      await screenshot(page, '21-explorer-events');
      aws.fake.rateLimit(undefined);
    },
  );

  step(
    'a filter (one lookup attribute and a time range) shows on the node and can be cleared',
    'filter',
    current,
    async () => {
      await inlineAction('Recent events', 'Filter Events');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.fill('EventName');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'EventName' }).first().click();
      await input.fill('StopLogging');
      await input.press('Enter');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Last 7 days' }).first().click();
      await page.waitForFunction(
        () =>
          /filter: EventName = StopLogging · last 7 days/.test(
            document.querySelector('.part.sidebar')?.textContent ?? '',
          ),
        undefined,
        { timeout: T },
      );
      const sent = aws.fake.requests.filter((r) => r.operation === 'LookupEvents').pop()!;
      assert.deepEqual(sent.body.LookupAttributes, [{ AttributeKey: 'EventName', AttributeValue: 'StopLogging' }]);
      await row('StopLogging').waitFor({ timeout: T });
      await screenshot(page, '22-explorer-filter');
    },
  );

  step('an event opens in the event view; a pivot becomes a lookup on the user', 'open-pivot', current, async () => {
    await row('StopLogging').click();
    const ev = await eventView(page);
    await ev.locator('h1.event-name', { hasText: 'StopLogging' }).waitFor({ timeout: T });
    await screenshot(page, '23-explorer-event');
    // LookupEvents cannot search by source IP or error code: those pivots are not offered here.
    assert.deepEqual(
      await ev.locator('.pivots .pivot').evaluateAll((bs) => bs.map((b) => (b as HTMLElement).dataset.field)),
      ['principal', 'accessKey', 'eventName'],
    );
    await ev.locator('.pivots .pivot[data-field="principal"]').click();
    await page.waitForFunction(
      () => /filter: Username = bert-jan/.test(document.querySelector('.part.sidebar')?.textContent ?? ''),
      undefined,
      { timeout: T },
    );
    const sent = aws.fake.requests.filter((r) => r.operation === 'LookupEvents').pop()!;
    assert.deepEqual(sent.body.LookupAttributes, [{ AttributeKey: 'Username', AttributeValue: 'bert-jan' }]);
    await inlineAction('Recent events', 'Clear Filter');
    await page.waitForFunction(
      () => !/filter:/.test(document.querySelector('.part.sidebar')?.textContent ?? ''),
      undefined,
      { timeout: T },
    );
  });

  step('"Who did this to a resource?" from the palette', 'who', current, async () => {
    await collapseAll();
    await row('dev').click();
    await expand('dev');
    await row('us-east-1').click();
    await page.locator('.statusbar-item', { hasText: 'dev · us-east-1' }).waitFor({ timeout: T });
    await runCommand(page, 'CloudTrail: Who Did This to a Resource…');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.fill('stratus-red-team-ct-stop-trail');
    await input.press('Enter');
    await page.waitForFunction(
      () =>
        /filter: ResourceName = stratus-red-team-ct-stop-trail/.test(
          document.querySelector('.part.sidebar')?.textContent ?? '',
        ),
      undefined,
      { timeout: T },
    );
  });

  step('errors are nodes with reasons: SSO not signed in, access denied', 'errors', current, async () => {
    await openPath('corp-sso', 'us-east-1', 'Trails');
    await row('SSO session expired or not signed in').waitFor({ timeout: T });
    assert.match(
      (await row('SSO session expired or not signed in').textContent()) ?? '',
      /aws sso login --profile corp-sso/,
    );
    await screenshot(page, '24-explorer-sso-error');
    aws.fake.failNext('DescribeTrails', {
      code: 'AccessDeniedException',
      message: 'User: arn:aws:iam::123837392027:user/dev is not authorized to perform: cloudtrail:DescribeTrails',
    });
    await openPath('dev', 'eu-west-1');
    await inlineAction('Trails', 'Refresh', 0);
    await expand('Trails');
    await row('Access denied').waitFor({ timeout: T });
  });

  step('insights events', 'insights', current, async () => {
    await openPath('dev', 'us-east-1', 'Insights events');
    await row('DescribeInstances').waitFor({ timeout: T });
    const sent = aws.fake.requests.filter((r) => r.operation === 'LookupEvents').pop()!;
    assert.equal(sent.body.EventCategory, 'insight');
  });
});
