/**
 * The event view, end to end in a real VS Code: real sample events of every identity type get
 * their identity card, errors are prominent, pivots filter the log view, state survives hiding,
 * and hostile event strings stay inert text in the real browser (no script runs, no element is
 * injected) in both the event view and the table. Screenshots in dark and light themes.
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
  workbenchSuite,
} from '../support/workbench';
import { INJECTION_PAYLOADS } from '../builders/injection';

let page: Page;
const current = (): Page | undefined => page;

/** What a successful injection would leave in a webview page: a flag, foreign elements, handlers. */
async function injectionTraces(
  frame: FrameLocator,
): Promise<{ pwned: unknown; foreign: string[]; handlers: number; injected: number }> {
  return frame.locator('body').evaluate((body) => {
    const allowed = new Set([
      'MAIN',
      'HEADER',
      'DIV',
      'H1',
      'H2',
      'SPAN',
      'BUTTON',
      'SECTION',
      'DETAILS',
      'SUMMARY',
      'DL',
      'DT',
      'DD',
      'UL',
      'LI',
      'MARK',
      'INPUT',
      'SELECT',
      'OPTION',
      'ASIDE',
      // The log view's column menu (its checkboxes' labels are ours, their text constant).
      'LABEL',
    ]);
    // The timeline's chart, and only it, is SVG (drawn from counts and times, never from event text).
    const chart = new Set(['svg', 'g', 'title', 'rect', 'line', 'text']);
    const app = body.ownerDocument.getElementById('app')!;
    const all = Array.from(app.querySelectorAll('*'));
    const inChart = (e: Element): boolean => chart.has(e.tagName) && !!e.closest('.timeline svg.timeline-chart');
    return {
      pwned: (window as unknown as { __pwned?: unknown }).__pwned,
      foreign: all.filter((e) => !allowed.has(e.tagName) && !inChart(e)).map((e) => e.tagName),
      handlers: all.filter((e) => Array.from(e.attributes).some((a) => /^on/i.test(a.name))).length,
      injected: body.ownerDocument.querySelectorAll('#injected, body > img, body > iframe, body > svg').length,
    };
  });
}

describe('the event view in a real VS Code', { timeout: 400_000 }, () => {
  workbenchSuite(
    () => {
      const workspace = makeFixtureWorkspace();
      return { workspace, cleanup: () => rmSync(workspace, { recursive: true, force: true }) };
    },
    async (s) => {
      page = s.page;
      await openFromContextMenu(page, FIXTURE.identities);
      await (await logViewer(page))
        .locator('.counts', { hasText: `${FIXTURE.identityTypes.length + 1} events` })
        .waitFor({ timeout: T });
    },
  );

  step('every identity type gets its card; Root is flagged loudly', 'identities', current, async () => {
    for (const type of FIXTURE.identityTypes) {
      const ev = await openFirstEvent(page, `type:${type ? type : '""'}`);
      assert.equal(await ev.locator('.identity-type').textContent(), type || 'none', `card for ${type || 'no type'}`);
      assert.ok(((await ev.locator('.principal-name').textContent()) ?? '').length > 0);
      assert.equal(await ev.locator('.root-flag').count(), type === 'Root' ? 1 : 0);
      if (type === 'Root') await screenshot(page, '10-event-root-dark');
      if (type === 'AssumedRole') {
        assert.match((await ev.locator('.identity dl').textContent()) ?? '', /Role session/);
        await screenshot(page, '11-event-assumed-role-dark');
      }
    }
  });

  step('an error is prominent; a pivot filters the log view on the principal', 'error-pivot', current, async () => {
    const ev = await openFirstEvent(page, 'error:AccessDenied');
    assert.equal(await ev.locator('.error-box .error-code').textContent(), 'AccessDenied');
    assert.ok(((await ev.locator('.error-box .error-message').textContent()) ?? '').length > 10);
    assert.equal(await ev.locator('.badge.failed').textContent(), 'AccessDenied');
    await screenshot(page, '12-event-error-dark');
    const principal = (await ev.locator('.principal-name').textContent()) ?? '';
    await ev.locator('.pivots .pivot[data-field="principal"]').click();
    const v = await logViewer(page);
    await v
      .locator('input.search')
      .evaluate((input, want) => {
        if ((input as HTMLInputElement).value !== want)
          throw new Error(`search is "${(input as HTMLInputElement).value}"`);
      }, `principal:${principal}`)
      .catch(async () => {
        await page.waitForTimeout(500);
        assert.equal(await v.locator('input.search').inputValue(), `principal:${principal}`);
      });
    await v.locator('.counts', { hasText: ' of ' }).waitFor({ timeout: T });
    for (const cell of await v.locator('.spacer .row:not(.placeholder) .c-principal').allTextContents())
      assert.equal(cell, principal);
  });

  step(
    'keyboard: JSON nodes collapse with Enter; the state survives the view being hidden',
    'keyboard-state',
    current,
    async () => {
      const ev = await openFirstEvent(page, 'type:AssumedRole');
      const toggle = ev.locator('.section-full .j-row[data-path="$.userIdentity"] > .j-head > .j-toggle');
      await toggle.focus();
      await page.keyboard.press('Enter');
      await ev.locator('.section-full .j-row.collapsed[data-path="$.userIdentity"]').waitFor({ timeout: T });
      await ev.locator('.section-requestParameters').scrollIntoViewIfNeeded();
      await screenshot(page, '16-event-json-tree');
      // Hide the view behind another editor in its group, then bring it back.
      await ev.locator('h1.event-name').click();
      // Event view tabs are titled "<event> · <time>": its group is now the active one.
      await page
        .locator('.editor-group-container.active .tab.active .label-name', { hasText: ' · ' })
        .waitFor({ timeout: T });
      await runCommand(page, 'File: New Untitled Text File');
      await page.locator('.editor-group-container.active .tab.active', { hasText: 'Untitled' }).waitFor({ timeout: T });
      await runCommand(page, 'View: Open Previous Editor');
      const back = await eventView(page);
      await back.locator('.section-full .j-row.collapsed[data-path="$.userIdentity"]').waitFor({ timeout: T });
      await back.getByRole('button', { name: 'Copy event JSON' }).click();
      await back.locator('.toast.shown', { hasText: 'Copied event JSON' }).waitFor({ timeout: T });
    },
  );

  step('light theme', 'light', current, async () => {
    await toggleTheme(page, 'light');
    await openFirstEvent(page, 'type:Root');
    await screenshot(page, '13-event-root-light');
    await openFirstEvent(page, 'error:AccessDenied');
    await screenshot(page, '14-event-error-light');
    await toggleTheme(page, 'dark');
  });

  step(
    'hostile strings in every field stay inert text, in the event view and the table',
    'injection',
    current,
    async () => {
      await runCommand(page, 'View: Close All Editors');
      await openFromContextMenu(page, FIXTURE.hostile);
      const v = await logViewer(page);
      await v.locator('.counts', { hasText: `${INJECTION_PAYLOADS.length} events` }).waitFor({ timeout: T });
      const rows = v.locator('.spacer .row:not(.placeholder)');
      await rows.first().waitFor({ timeout: T });
      for (let i = 0; i < INJECTION_PAYLOADS.length; i++) {
        await rows.nth(i).click();
        const ev = await eventView(page);
        await ev
          .locator('.event-page')
          .waitFor({ timeout: T })
          .catch((e: Error) => {
            throw new Error(`row ${i} (${JSON.stringify(INJECTION_PAYLOADS[i].slice(0, 40))}…): ${e.message}`);
          });
        const traces = await injectionTraces(ev);
        assert.deepEqual(traces, { pwned: undefined, foreign: [], handlers: 0, injected: 0 }, `event view, row ${i}`);
      }
      assert.deepEqual(await injectionTraces(v), { pwned: undefined, foreign: [], handlers: 0, injected: 0 }, 'table');
      // The payloads are on screen as text.
      assert.ok((await v.locator('.spacer').textContent())?.includes('<img src=x onerror="window.__pwned=3">'));
      // The side panel's top values show them as text too.
      await v.locator('.facet[data-field="principal"] .facet-value').first().waitFor({ state: 'attached', timeout: T });
      const side = (await v.locator('.side').textContent()) ?? '';
      assert.ok(
        INJECTION_PAYLOADS.filter((p) => p.length > 12 && side.includes(p)).length >= 3,
        'payloads shown as text in the panel',
      );
      await screenshot(page, '15-injection-inert');
    },
  );
});
