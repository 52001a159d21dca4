/**
 * Where is this IP, end to end in a real VS Code (#24): the log view's Country and Network columns
 * shown from the column menu, the event view's "From where" card, an impossible-travel detection
 * with its distance and speed, and "Refresh AWS IP Ranges" against a local server standing in for
 * AWS's public URL (first a captive portal's page, refused; then a newer ip-ranges.json, which
 * re-enriches the open view). Screenshots dark and light.
 *
 * The log: the real flaws.cloud excerpt from ../shared/samples (public addresses of a real
 * account) and the impossible-travel rule's own firing cases (detections/impossible-travel.json).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import { runCommand, screenshot } from '../support/browser';
import { repoRoot } from '../support/repoRoot';
import { samplesDir } from '../builders/events';
import {
  eventView,
  logViewer,
  notificationSaid,
  openFromContextMenu,
  step,
  toggleTheme,
  UI_TIMEOUT as T,
  workbenchSuite,
} from '../support/workbench';

let page: Page;
const current = (): Page | undefined => page;
const LOG = 'where-from.json';
/** The rule's first firing case: erin's key in Germany, then in the United States 40 minutes later. */
const DE = '185.220.101.45';

interface RuleCase {
  name: string;
  events: Array<Record<string, unknown>>;
  fires: string[];
}

function writeLog(root: string): number {
  const dir = join(samplesDir(), 'umccr_flaws-cloud-excerpt_hand-edited/AWSLogs');
  const flaws = (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { Records: unknown[] }).Records);
  const rule = JSON.parse(readFileSync(join(repoRoot(), 'detections', 'impossible-travel.json'), 'utf8')) as {
    tests: RuleCase[];
  };
  const trips = rule.tests.filter((c) => c.fires.length > 0).flatMap((c) => c.events);
  const records = [...flaws, ...trips];
  writeFileSync(join(root, LOG), JSON.stringify({ Records: records }));
  return records.length;
}

/** A stand-in for https://ip-ranges.amazonaws.com/ip-ranges.json: a portal's page first, then a newer file. */
function rangesServer(): Promise<{ server: Server; url: string; served: string[] }> {
  const shipped = JSON.parse(readFileSync(join(repoRoot(), 'data', 'aws-ip-ranges.json'), 'utf8')) as {
    createDate: string;
    prefixes: Array<Record<string, string>>;
  };
  // A newer publication in which the German address of the case is an EC2 range in Frankfurt.
  const newer = JSON.stringify({
    ...shipped,
    createDate: '2026-12-01-10-00-00',
    prefixes: [
      ...shipped.prefixes,
      {
        ip_prefix: '185.220.101.0/24',
        region: 'eu-central-1',
        service: 'AMAZON',
        network_border_group: 'eu-central-1',
      },
      { ip_prefix: '185.220.101.0/24', region: 'eu-central-1', service: 'EC2', network_border_group: 'eu-central-1' },
    ],
  });
  const served: string[] = [];
  const server = createServer((_req, res) => {
    const first = served.length === 0;
    served.push(first ? 'portal' : 'ranges');
    if (first) {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Sign in to the hotel Wi-Fi</body></html>');
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(newer);
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ip-ranges.json`, served }),
    ),
  );
}

const rowOf = (v: FrameLocator, ip: string): ReturnType<FrameLocator['locator']> =>
  v.locator('.spacer .row:not(.placeholder)', { has: v.locator('.c-sourceIp', { hasText: ip }) }).first();

/** Waits until `ok` holds (for what is in the page but not in view). */
async function until(ok: () => Promise<boolean>, timeout = 60_000): Promise<void> {
  const end = Date.now() + timeout;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`not so within ${timeout / 1000} s`);
    await page.waitForTimeout(250);
  }
}

async function search(v: FrameLocator, query: string): Promise<void> {
  await v.locator('input.search').fill(query);
  await v.locator(`.grid[data-query=${JSON.stringify(query)}]`).waitFor({ timeout: T });
}

async function light(name: string, frame: FrameLocator): Promise<void> {
  await toggleTheme(page, 'light');
  // The workbench's class flips before the webview has its light colours: wait for those.
  await frame.locator('body.vscode-light').waitFor({ timeout: T });
  await page.waitForTimeout(500);
  await screenshot(page, name);
  await toggleTheme(page, 'dark');
  await frame.locator('body.vscode-dark').waitFor({ timeout: T });
}

describe(
  'where is this IP: columns, the event card, impossible travel, refreshed AWS ranges',
  { timeout: 300_000 },
  () => {
    let total = 0;
    let ranges: Awaited<ReturnType<typeof rangesServer>>;
    workbenchSuite(
      async () => {
        const workspace = mkdtempSync(join(tmpdir(), 'ctl-ws-ip-'));
        total = writeLog(workspace);
        // A file named like a GeoLite2 City database that is not one: a warning, and the shipped data.
        writeFileSync(join(workspace, 'GeoLite2-City.mmdb'), 'not an MMDB: a download that failed half-way');
        ranges = await rangesServer();
        return {
          workspace,
          settings: {
            'cloudtrailLens.enrichment.ipRangesUrl': ranges.url,
            'cloudtrailLens.enrichment.mmdbPath': join(workspace, 'GeoLite2-City.mmdb'),
          },
          cleanup: () => {
            ranges.server.close();
            rmSync(workspace, { recursive: true, force: true });
          },
          diagnose: () => `ranges server answered: ${ranges.served.join(', ') || 'nothing'}`,
        };
      },
      (s) => void (page = s.page),
    );

    step(
      'the Country and Network columns are hidden, and shown from the column menu',
      'ip-columns',
      current,
      async () => {
        await openFromContextMenu(page, LOG);
        // The extension starts with the first log: the broken MMDB is said then.
        await notificationSaid(page, /your MMDB \(.*GeoLite2-City\.mmdb\): .*use the shipped data/, 60_000);
        const v = await logViewer(page);
        await v.locator('.counts', { hasText: `${total} events` }).waitFor({ timeout: 60_000 });
        await v.locator('.spacer .row:not(.placeholder)').first().waitFor({ timeout: T });
        const head = v.locator('.row.head');
        assert.equal(await head.locator('.c-country').isVisible(), false, 'hidden by default');
        await head.locator('button.column-button').click();
        const menu = v.locator('.column-menu[role="menu"]');
        await menu.waitFor({ timeout: T });
        await menu.locator('label.column-option[data-column="country"] input').check();
        await menu.locator('label.column-option[data-column="asn"] input').check();
        await screenshot(page, '90-ip-column-menu-dark');
        await menu.press('Escape');
        await menu.waitFor({ state: 'hidden', timeout: T });
        await search(v, `ip:${DE}`);
        const row = rowOf(v, DE);
        await row.waitFor({ timeout: T });
        assert.equal(await row.locator('.c-country').textContent(), 'DE · Germany');
        assert.match((await row.locator('.c-asn').textContent()) ?? '', /^AS60729 /);
        const hover = (await row.locator('.c-country').getAttribute('title')) ?? '';
        assert.match(hover, /Data: ip-location-db .*CC BY 4\.0/);
        assert.match(hover, /AWS ip-ranges\.json \(2026-08-22/);
        assert.match(hover, /Not available: your MMDB \(.*GeoLite2-City\.mmdb\): /);
        await search(v, '');
        await v.locator('.spacer .row:not(.placeholder)').first().waitFor({ timeout: T });
        // The flaws.cloud excerpt: a real account's callers, with their countries and networks.
        assert.ok((await v.locator('.spacer .row:not(.placeholder) .c-country:not(:empty)').count()) > 10);
        await screenshot(page, '91-ip-columns-dark');
        await light('92-ip-columns-light', v);
      },
    );

    step(
      'impossible travel fires, with the distance, time and speed in "Matched in"',
      'ip-travel',
      current,
      async () => {
        const v = await logViewer(page);
        await v
          .locator('.side-section summary', { hasText: /^Detections: \d+ of \d+ fired$/ })
          .waitFor({ timeout: 60_000 });
        const det = v.locator('.detection-row[data-id="impossible-travel"]');
        assert.equal(Number(await det.locator('.side-count').textContent()), 2);
        await det.locator('.detection-toggle').click();
        await det.locator('.detection-actions button', { hasText: 'Show events' }).click();
        await v.locator('.grid[data-query="detection:impossible-travel"]').waitFor({ timeout: T });
        const matched = v.locator('.spacer .row:not(.placeholder) .c-match');
        await matched.first().waitFor({ timeout: T });
        const notes = (await matched.allTextContents()).sort();
        // The note is read first; the rule that wrote it is in the tooltip.
        assert.match((await matched.first().getAttribute('title')) ?? '', /^impossible-travel: [\d,]+ km in /);
        assert.equal(notes.length, 2);
        assert.match(notes[0], /^7,\d{3} km in 40 min \(1\d,\d{3} km\/h\): DE \(185\.220\.101\.45\) → US/);
        assert.match(notes[1], /^8,\d{3} km in 1 h 30 min \(\d,\d{3} km\/h\): GB \(81\.2\.69\.142\) → BR/);
        await det.scrollIntoViewIfNeeded();
        await screenshot(page, '95-ip-travel-dark');
        await light('96-ip-travel-light', v);
        await det.locator('.detection-toggle').click();
      },
    );

    step('the event view\'s "From where" card: location, network, AWS', 'ip-event-card', current, async () => {
      const v = await logViewer(page);
      await search(v, `ip:8.8.8.8`);
      await rowOf(v, '8.8.8.8').click();
      const ev = await eventView(page);
      const card = ev.locator('section.network');
      await card.locator('dt', { hasText: 'Location' }).waitFor({ timeout: T });
      const facts = Object.fromEntries(
        await card
          .locator('dt')
          .evaluateAll((dts) => dts.map((dt) => [dt.textContent, (dt.nextElementSibling as HTMLElement).textContent])),
      ) as Record<string, string>;
      assert.equal(facts['Location'], 'US · United States');
      assert.match(facts['Network'], /^AS15169 Google LLC/);
      assert.equal(facts['AWS'], undefined, 'not an AWS address');
      assert.match((await card.locator('dd', { hasText: 'US · United States' }).getAttribute('title')) ?? '', /Data: /);
      await screenshot(page, '93-ip-event-card-dark');
      await light('94-ip-event-card-light', ev);
    });

    step(
      'Refresh AWS IP Ranges: a portal page is refused, a newer file re-enriches the view',
      'ip-refresh',
      current,
      async () => {
        await runCommand(page, 'CloudTrail: Refresh AWS IP Ranges');
        await notificationSaid(page, /did not give AWS's ip-ranges\.json: .*not JSON/, 60_000);
        await runCommand(page, 'CloudTrail: Refresh AWS IP Ranges');
        await notificationSaid(
          page,
          /AWS IP ranges updated \(published 2026-12-01 10:00:00 UTC, [\d,]+ prefixes\)/,
          60_000,
        );
        assert.deepEqual(ranges.served, ['portal', 'ranges']);
        const v = await logViewer(page);
        // The German address is AWS's now: its Network cell says so, and the trip from it is gone.
        await search(v, `ip:${DE}`);
        const row = rowOf(v, DE);
        // The event view beside leaves the log view too narrow for these columns and the side panel:
        // they are read, not seen, here (the screenshots before show them).
        await until(async () => /· AWS EC2 eu-central-1$/.test((await row.locator('.c-asn').textContent()) ?? ''));
        assert.match((await row.locator('.c-asn').getAttribute('title')) ?? '', /AWS ip-ranges\.json \(refreshed\)/);
        const det = v.locator('.detection-row[data-id="impossible-travel"]');
        await until(async () => (await det.locator('.side-count').textContent()) === '1');
        await screenshot(page, '97-ip-refreshed-dark');
        // Its event's card has the AWS row now.
        await row.click();
        const ev = await eventView(page);
        await ev.locator('section.network dd', { hasText: 'AWS (EC2, eu-central-1)' }).waitFor({ timeout: T });
        await screenshot(page, '98-ip-event-card-aws-dark');
        await light('99-ip-event-card-aws-light', ev);
      },
    );
  },
);
