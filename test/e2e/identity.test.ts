/**
 * "Who is really behind this?", end to end in a real VS Code on the invictus AWSLogs fixture
 * (2,900 events of a Stratus Red Team run): the event view shows a Stratus role session's
 * credential chain back to the IAM user bert-jan and opens the AssumeRole that minted it; the
 * identity graph shows bert-jan → the Stratus role and filters the log view from an edge; the
 * access-key report and a least-privilege draft open as documents. Screenshots dark and light.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import { runCommand, screenshot } from '../support/browser';
import { FIXTURE, makeFixtureWorkspace } from '../support/fixtures';
import {
  eventView,
  openFirstEvent,
  logViewer,
  openFromContextMenu,
  step,
  toggleTheme,
  UI_TIMEOUT as T,
  webviewWith,
  workbenchSuite,
} from '../support/workbench';

let page: Page;
const current = (): Page | undefined => page;

const STRATUS_KEY = 'ASIATFQR7NSCWLLE7IWW';
const BERT_JAN_KEY = 'AKIATFQR7NSC8Q4X20BJ';
const ROLE = 'stratus-red-team-ec2-get-password-data-role';
const SESSION = `${ROLE}/aws-go-sdk-1688990082523310002`;

/** Waits until the table shows the results of exactly `query`; answers how many events it shows. */
async function shownFor(v: FrameLocator, query: string): Promise<number> {
  await v.locator(`.grid[data-query=${JSON.stringify(query)}]`).waitFor({ timeout: T });
  const counts = (await v.locator('.counts').textContent()) ?? '';
  // "6 of 2,900 events …" for a query, "2,900 events · 55 files" for none.
  const m = /^([\d,]+) (?:of|events)/.exec(counts);
  assert.ok(m, `counts line "${counts}"`);
  return Number(m[1].replace(/,/g, ''));
}

/** Closes editors (`command`); the reports are untitled documents, so their "save?" dialogs are answered Don't Save. */
async function closeEditors(p: Page, command = 'View: Close All Editors'): Promise<void> {
  await runCommand(p, command);
  const dontSave = p.locator('.monaco-dialog-box .monaco-button', { hasText: /Don.t Save/ });
  for (let i = 0; i < 10; i++) {
    try {
      await dontSave.first().click({ timeout: 2000 });
    } catch {
      break;
    }
  }
}

/** The identity graph webview. */
const identityGraph = (p: Page): Promise<FrameLocator> => webviewWith(p, 'svg.graph');

/** The text of the editor lines on screen (every visible editor). */
async function editorText(p: Page): Promise<string> {
  // Monaco draws spaces as no-break spaces.
  return (await p.locator('.editor-instance .monaco-editor .view-lines').allTextContents())
    .join('\n')
    .replace(/\u00a0/g, ' ');
}

describe('who is behind it, in a real VS Code', { timeout: 400_000 }, () => {
  workbenchSuite(
    () => {
      const workspace = makeFixtureWorkspace();
      return { workspace, cleanup: () => rmSync(workspace, { recursive: true, force: true }) };
    },
    async (s) => {
      page = s.page;
      await openFromContextMenu(page, FIXTURE.folder);
      await (await logViewer(page)).locator('.counts', { hasText: '2,900 events' }).waitFor({ timeout: 60_000 });
    },
  );

  step(
    "a Stratus role session's chain leads back to bert-jan; its AssumeRole hop opens",
    'identity-chain',
    current,
    async () => {
      const ev = await openFirstEvent(page, `accessKey:${STRATUS_KEY}`);
      assert.equal(await ev.locator('.identity-type').textContent(), 'AssumedRole');
      const chain = ev.locator('.identity .chain');
      await chain.waitFor({ timeout: T });
      assert.equal(await chain.locator('.chain-line').textContent(), `bert-jan (IAM user) → ${SESSION} → this event`);
      assert.equal(await chain.locator('.chain-note').count(), 0, 'a complete chain: no note');
      const hop = chain.locator('.chain-hops > li.hop:not(.origin):not(.this)');
      assert.equal(await hop.count(), 1);
      assert.match(
        (await hop.locator('.hop-meta').textContent()) ?? '',
        /^2023-07-10 11:54:47Z · from 192\.168\.10\.20 · account 123837392027$/,
      );
      // The Who card sits below the error: bring the chain on screen for the picture.
      await chain.scrollIntoViewIfNeeded();
      await screenshot(page, '70-identity-chain-dark');
      await hop.locator('button.hop-open', { hasText: 'AssumeRole' }).click();
      const issuing = await eventView(page);
      await issuing.locator('h1.event-name', { hasText: 'AssumeRole' }).waitFor({ timeout: T });
      assert.equal(await issuing.locator('.principal-name').textContent(), 'bert-jan');
      assert.equal(
        await issuing.locator('.identity .chain .chain-line').textContent(),
        'bert-jan (IAM user) → this event',
      );
      // The issuing event's own pivots still reach the log view it came from.
      assert.ok(((await issuing.locator('.section-responseElements').textContent()) ?? '').includes(STRATUS_KEY));
    },
  );

  step(
    "the access key report of bert-jan's key opens as Markdown, from the event view",
    'identity-key-report',
    current,
    async () => {
      const ev = await eventView(page);
      await ev.locator('.identity dd .key-report').click();
      const editor = page.locator('.editor-instance .monaco-editor .view-lines').first();
      await editor
        .locator('.view-line', { hasText: `# Access key \`${BERT_JAN_KEY}\`` })
        .first()
        .waitFor({ timeout: T });
      const text = await editorText(page);
      assert.match(text, /Long-term access key/);
      assert.match(text, /\*\*Events:\*\* 2,104/);
      await screenshot(page, '71-identity-key-report');
      // The report is an untitled document: close it without the "save?" dialog.
      await runCommand(page, 'View: Revert and Close Editor');
      // From the palette: the input box offers the event view's key.
      await runCommand(page, 'CloudTrail: Access Key Report…');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ timeout: T });
      assert.equal(await input.inputValue(), BERT_JAN_KEY);
      await input.press('Escape');
    },
  );

  step(
    'the identity graph shows bert-jan → the Stratus role; an edge filters the log view',
    'identity-graph',
    current,
    async () => {
      const v0 = await logViewer(page);
      await v0.locator('input.search').fill('');
      await shownFor(v0, '');
      await runCommand(page, 'CloudTrail: Show Identity Graph');
      const g = await identityGraph(page);
      await g.locator('g.node[data-id="user:arn:aws:iam::123837392027:user/bert-jan"]').waitFor({ timeout: T });
      await g.locator(`g.node[data-id="role:123837392027:${ROLE}"]`).waitFor({ timeout: T });
      const edge = g.locator(`g.edge[data-from="bert-jan"][data-to="${ROLE}"]`);
      assert.equal(await edge.locator('.edge-label').textContent(), 'AssumeRole ×2');
      assert.equal(await edge.locator('.edge-failed').textContent(), '3 failed');
      assert.match((await g.locator('.graph-header .meta').textContent()) ?? '', /2,900 events/);
      await screenshot(page, '72-identity-graph-dark');
      await edge.locator('.edge-label').click();
      const v = await logViewer(page);
      const query = `eventName:AssumeRole principal:arn:aws:iam::123837392027:user/bert-jan resource:arn:aws:iam::123837392027:role/${ROLE} error:""`;
      assert.equal(await shownFor(v, query), 2);
      for (const name of await v.locator('.spacer .row:not(.placeholder) .c-eventName').allTextContents())
        assert.equal(name.replace(/^write/, ''), 'AssumeRole');
      await screenshot(page, '73-identity-graph-filtered');
      // The failed calls, from the same edge.
      await runCommand(page, 'CloudTrail: Show Identity Graph');
      const again = await identityGraph(page);
      await again.locator(`g.edge[data-from="bert-jan"][data-to="${ROLE}"] .edge-failed`).click();
      const v2 = await logViewer(page);
      await v2
        .locator('.grid[data-query^="eventName:AssumeRole principal:arn:aws:iam::123837392027:user/bert-jan error:*"]')
        .waitFor({ timeout: T });
      assert.equal(await shownFor(v2, (await v2.locator('input.search').inputValue()).trim()), 3);
    },
  );

  step(
    "a least-privilege draft of bert-jan's events opens as JSON with statements, notes beside it",
    'identity-policy',
    current,
    async () => {
      const v = await logViewer(page);
      await v.locator('input.search').fill('principal:bert-jan');
      await shownFor(v, 'principal:bert-jan');
      await runCommand(page, 'CloudTrail: Draft Least-Privilege Policy');
      await page
        .locator('.editor-instance .monaco-editor .view-line', { hasText: '"Version": "2012-10-17"' })
        .first()
        .waitFor({ timeout: T });
      await page
        .locator('.editor-instance .monaco-editor .view-line', { hasText: '# Least-privilege draft: notes' })
        .first()
        .waitFor({ timeout: T });
      const text = await editorText(page);
      assert.match(text, /"Statement": \[/);
      assert.match(text, /"Sid": "/);
      assert.match(text, /"Action": \[/);
      await screenshot(page, '74-identity-policy');
      await closeEditors(page);
    },
  );

  step('light theme: the chain and the graph', 'identity-light', current, async () => {
    await openFromContextMenu(page, FIXTURE.folder);
    await (await logViewer(page)).locator('.counts', { hasText: '2,900 events' }).waitFor({ timeout: 60_000 });
    await toggleTheme(page, 'light');
    const ev = await openFirstEvent(page, `accessKey:${STRATUS_KEY}`);
    // The log view is narrow now, beside the event view: its timeline's labels still never overlap.
    const boxes = await (await logViewer(page))
      .locator('.timeline-chart .tick')
      .evaluateAll((ts) => ts.map((t) => t.getBoundingClientRect()).map((r) => [r.left, r.right]));
    assert.ok(boxes.length >= 1, 'the narrow timeline keeps at least its start label');
    const sorted = boxes.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < sorted.length; i++)
      assert.ok(sorted[i - 1][1] <= sorted[i][0], `tick labels ${i - 1} and ${i} overlap`);
    const chain = ev.locator('.identity .chain');
    await chain.locator('.chain-line').waitFor({ timeout: T });
    await chain.scrollIntoViewIfNeeded();
    await screenshot(page, '75-identity-chain-light');
    await runCommand(page, 'CloudTrail: Show Identity Graph');
    const graph = await identityGraph(page);
    await graph.locator('g.edge').first().waitFor({ timeout: T });
    // Fitted to its panel: the whole graph is in view, none of it cut off at the right edge.
    const fits = (): Promise<{ svg: number; panel: number; level: string }> =>
      graph.locator('.graph-scroll').evaluate((el) => ({
        svg: el.querySelector('svg.graph')!.getBoundingClientRect().width,
        panel: el.clientWidth,
        level: document.querySelector('.zoom-level')?.textContent ?? '',
      }));
    await graph.locator('.zoom-level', { hasText: '%' }).waitFor({ timeout: T });
    const fitted = await fits();
    assert.ok(fitted.svg <= fitted.panel, `the graph (${fitted.svg} px) fits its panel (${fitted.panel} px)`);
    await screenshot(page, '76-identity-graph-light');
    await graph.locator('button.zoom-in').click();
    await graph.locator('button.zoom-in').click();
    const zoomed = await fits();
    assert.ok(zoomed.svg > fitted.svg, 'zooming in draws it larger (the panel scrolls to pan)');
    assert.notEqual(zoomed.level, fitted.level);
    await screenshot(page, '77-identity-graph-zoomed-light');
    await toggleTheme(page, 'dark');
  });
});
