/**
 * End to end, as a user: the investigation tools of the log viewer on the real 2,900-event
 * invictus run (a Stratus Red Team attack simulation) in a real VS Code in Chromium — the
 * timeline (drag to filter, click to zoom), top values (click in, Alt+click out), detections,
 * unusual hours, sessions and export, with screenshots.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import { screenshot } from '../support/browser';
import { FIXTURE, makeFixtureWorkspace } from '../support/fixtures';
import { logViewer, openFromContextMenu, step, UI_TIMEOUT as T, workbenchSuite } from '../support/workbench';

let page: Page;
let workspace = '';
const current = (): Page | undefined => page;

/** Waits until the table shows the results of exactly `query`; returns the counts line. */
async function resultsOf(v: FrameLocator, query: string): Promise<string> {
  await v.locator(`.grid[data-query=${JSON.stringify(query)}]`).waitFor({ timeout: T });
  return (await v.locator('.counts').textContent()) ?? '';
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

  step('dragging across the timeline filters to that time range; "Show all times" resets it', 'timeline-drag', current, async () => {
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
    const times = await v.locator('.spacer .row:not(.placeholder) .c-time').allTextContents();
    const [, from, to] = /after:(\S+) before:(\S+)/.exec(query)!;
    for (const t of times) {
      const ms = Date.parse(t.replace(' ', 'T'));
      assert.ok(ms >= Date.parse(from) && ms < Date.parse(to), `${t} inside ${from}..${to}`);
    }
    await screenshot(page, '31-timeline-selection');
    await v.getByRole('button', { name: 'Show all times' }).click();
    await resultsOf(v, '');
  });

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
  });

  step('top values: click filters in, Alt+click filters out, counts follow the result set', 'top-values', current, async () => {
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
    assert.equal(await v.locator('.facet[data-field="error"] .facet-value', { hasText: 'ThrottlingException' }).count(), 0);
    await screenshot(page, '32-top-values');
  });
});
