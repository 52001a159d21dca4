/**
 * A detection's details in the log viewer's side panel (jsdom): every field a rule file can set
 * is shown, as inert text, and the buttons act on the rule's id. User rule files and Sigma rules
 * from the internet are as untrusted as events.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { JSDOM } from 'jsdom';
import type { DetectionSummary } from '../../../src/protocol/logViewer';
import { INJECTION_PAYLOADS } from '../../builders/injection';

function summary(over: Partial<DetectionSummary> = {}): DetectionSummary {
  return {
    id: 'aws_sts_getsessiontoken_misuse',
    title: 'AWS STS GetSessionToken Misuse',
    severity: 'low',
    description: 'Detects potential misuse of GetSessionToken.',
    count: 3,
    source: 'aws_sts_getsessiontoken_misuse.yml',
    format: 'sigma',
    mitre: ['T1548', 'T1550', 'T1550.001'],
    references: ['https://example.invalid/ref'],
    queries: ['eventSource:sts.amazonaws.com eventName:GetSessionToken type:IAMUser'],
    conditions: [],
    author: 'Austin Songer @austinsonger',
    falsePositives: ['GetSessionToken is used legitimately by MFA scripts'],
    level: 'low',
    status: 'test',
    sigmaId: 'b45ab1d2-712f-4f01-a751-df3826969807',
    ...over,
  };
}

describe('detection details (jsdom)', () => {
  let window: JSDOM['window'];
  let detectionDetails: typeof import('../../../src/webview/logViewer/detectionDetails').detectionDetails;
  let SidePanel: typeof import('../../../src/webview/logViewer/sidePanel').SidePanel;
  before(async () => {
    window = new JSDOM('<!DOCTYPE html><body></body>', { runScripts: 'outside-only' }).window;
    Object.assign(globalThis, { document: window.document });
    ({ detectionDetails } = await import('../../../src/webview/logViewer/detectionDetails'));
    ({ SidePanel } = await import('../../../src/webview/logViewer/sidePanel'));
  });

  const facts = (root: HTMLElement): Record<string, string> =>
    Object.fromEntries(
      Array.from(root.querySelectorAll('dt'), (dt) => [
        dt.textContent,
        (dt.nextElementSibling as HTMLElement).textContent,
      ]),
    );

  test('a Sigma rule shows its metadata, queries and conditions', () => {
    const calls: string[] = [];
    const root = detectionDetails(summary({ conditions: ['at least 5 matching events within 10 minutes'] }), {
      show: (id) => calls.push(`show ${id}`),
      exportAlert: (id) => calls.push(`export ${id}`),
      addToNotebook: (id) => calls.push(`notebook ${id}`),
    });
    const f = facts(root);
    assert.equal(f['Rule'], 'aws_sts_getsessiontoken_misuse');
    assert.equal(f['Source'], 'aws_sts_getsessiontoken_misuse.yml (Sigma rule)');
    assert.equal(f['Sigma id'], 'b45ab1d2-712f-4f01-a751-df3826969807');
    assert.equal(f['Author'], 'Austin Songer @austinsonger');
    assert.equal(f['MITRE ATT&CK'], 'T1548, T1550, T1550.001');
    assert.equal(f['Matches'], 'eventSource:sts.amazonaws.com eventName:GetSessionToken type:IAMUser');
    assert.equal(f['And'], 'at least 5 matching events within 10 minutes');
    assert.equal(f['False positives'], 'GetSessionToken is used legitimately by MFA scripts');
    assert.equal(f['References'], 'https://example.invalid/ref');
    const [show, exportButton, notebookButton] = Array.from(root.querySelectorAll('button'));
    show.click();
    exportButton.click();
    notebookButton.click();
    assert.deepEqual(calls, [
      'show aws_sts_getsessiontoken_misuse',
      'export aws_sts_getsessiontoken_misuse',
      'notebook aws_sts_getsessiontoken_misuse',
    ]);
  });

  test('a built-in JSON rule leaves out what it does not have; a Sigma level that differs is named', () => {
    const f = facts(
      detectionDetails(
        summary({
          source: 'built-in',
          format: 'json',
          author: undefined,
          falsePositives: undefined,
          sigmaId: undefined,
          status: undefined,
          level: undefined,
          mitre: [],
        }),
        { show() {}, exportAlert() {}, addToNotebook() {} },
      ),
    );
    assert.deepEqual(Object.keys(f), ['Rule', 'Severity', 'Source', 'Matches', 'References']);
    assert.equal(f['Source'], 'built-in library');
    assert.equal(
      facts(
        detectionDetails(summary({ severity: 'info', level: 'informational' }), {
          show() {},
          exportAlert() {},
          addToNotebook() {},
        }),
      )['Severity'],
      'info (Sigma level informational)',
    );
  });

  test('the panel row unfolds the details on its toggle and exports by id', () => {
    const exported: string[] = [];
    const panel = new SidePanel({
      setQuery() {},
      addTerm() {},
      exportAlert: (id) => exported.push(id),
      addToNotebook() {},
      stopDetections() {},
      openCoverage() {},
    });
    panel.showDetections([summary()], [], { running: false });
    const toggle = panel.element.querySelector<HTMLButtonElement>('.detection-toggle')!;
    assert.equal(panel.element.querySelector('.detection-details'), null, 'details are built when first opened');
    toggle.click();
    const details = panel.element.querySelector<HTMLElement>('.detection-details')!;
    assert.equal(details.hidden, false);
    assert.equal(toggle.getAttribute('aria-expanded'), 'true');
    Array.from(details.querySelectorAll('button'))
      .find((b) => b.textContent === 'Export as alert…')!
      .click();
    assert.deepEqual(exported, ['aws_sts_getsessiontoken_misuse']);
    toggle.click();
    assert.equal(details.hidden, true);
  });

  test("while running: progress, Stop, the coverage link; a pack's rules apart from ours", () => {
    const asked: string[] = [];
    const panel = new SidePanel({
      setQuery() {},
      addTerm() {},
      exportAlert() {},
      addToNotebook() {},
      stopDetections: () => asked.push('stop'),
      openCoverage: () => asked.push('coverage'),
    });
    const ours = summary({ id: 'cloudtrail-stopped', source: 'built-in', format: 'json', count: 2 });
    const packRule = summary({ pack: 'SigmaHQ', source: 'SigmaHQ pack, DRL 1.1: x.yml' });
    const quietPack = summary({ id: 'aws_quiet', pack: 'SigmaHQ', count: 0 });
    const broad = summary({
      id: 'aws_broad',
      pack: 'SigmaHQ',
      count: 0,
      notRun: 'this SigmaHQ rule did not run: <b>too broad</b>',
    });
    panel.showDetections([ours, packRule, quietPack, broad], [], { running: true, progress: { done: 3, total: 150 } });
    // A rule that could not run is apart from the quiet ones, with its reason as text.
    const notRun = panel.element.querySelector<HTMLElement>('details.not-run')!;
    assert.match(notRun.querySelector('summary')!.textContent, /1 could not run here/);
    assert.equal(
      notRun.querySelector('.not-run-reason')!.textContent,
      'this SigmaHQ rule did not run: <b>too broad</b>',
    );
    assert.equal(notRun.querySelector('b'), null);
    const summaryText = panel.element.querySelector('.side-section summary')!.textContent;
    assert.match(summaryText, /running… 3 of 150 rules/);
    const meter = panel.element.querySelector<HTMLProgressElement>('progress.detections-progress')!;
    assert.equal(meter.value, 3);
    assert.equal(meter.max, 150);
    panel.element.querySelector<HTMLButtonElement>('.detections-stop')!.click();
    panel.element.querySelector<HTMLButtonElement>('.detections-coverage')!.click();
    assert.deepEqual(asked, ['stop', 'coverage']);
    const group = panel.element.querySelector<HTMLDetailsElement>('details.detection-pack')!;
    assert.equal(group.dataset.pack, 'SigmaHQ');
    assert.match(group.querySelector('summary')!.textContent, /SigmaHQ pack: 1 of 3 fired/);
    assert.deepEqual(
      Array.from(group.querySelectorAll<HTMLElement>('.detection-row')).map((r) => r.dataset.id),
      ['aws_sts_getsessiontoken_misuse', 'aws_broad', 'aws_quiet'],
    );
    const outside = Array.from(panel.element.querySelectorAll<HTMLElement>('.detection-row')).filter(
      (r) => !r.closest('details.detection-pack'),
    );
    assert.deepEqual(
      outside.map((r) => r.dataset.id),
      ['cloudtrail-stopped'],
    );
    // Stopped: no progress bar, and the note says the silence of the rules not run means nothing.
    panel.showDetections([ours], [], { running: false, stopped: true, progress: { done: 1, total: 150 } });
    assert.equal(panel.element.querySelector('.detections-stop'), null);
    assert.match(panel.element.querySelector('.detections-stopped')!.textContent, /149 rules did not run/);
    assert.doesNotMatch(panel.element.textContent, /No detection matched/);
  });

  const ALLOWED = new Set(['DIV', 'DL', 'DT', 'DD', 'BUTTON']);
  INJECTION_PAYLOADS.forEach((payload, i) => {
    test(`hostile rule text ${i} stays text: ${JSON.stringify(payload.slice(0, 30))}`, () => {
      const root = detectionDetails(
        summary({
          id: 'x',
          title: payload,
          description: payload,
          author: payload,
          falsePositives: [payload],
          references: [payload],
          queries: [payload],
          conditions: [payload],
          mitre: [payload],
          status: payload,
          sigmaId: payload,
          source: payload,
          level: payload,
        }),
        { show() {}, exportAlert() {}, addToNotebook() {} },
      );
      window.document.body.replaceChildren(root);
      for (const node of Array.from(root.querySelectorAll('*'))) {
        assert.ok(ALLOWED.has(node.tagName), `no <${node.tagName.toLowerCase()}> is created`);
        for (const attr of Array.from(node.attributes))
          assert.ok(['class', 'type', 'title', 'hidden'].includes(attr.name), `no ${attr.name} attribute`);
      }
      assert.doesNotMatch(
        root.textContent ?? '',
        /[\u202A-\u202E\u200B-\u200F\u0000]/,
        'no hidden or direction-changing characters reach the screen',
      );
      assert.ok((root.textContent ?? '').length < 12_000, 'long values are clipped');
      assert.equal((window as unknown as { __pwned?: number }).__pwned, undefined);
    });
  });
});
