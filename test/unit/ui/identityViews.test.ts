/**
 * "Who is behind it" in the webviews (jsdom): the credential chain in the event view's Who
 * section and the identity graph page, rendered from hostile labels (only known elements, no
 * handlers, the text revealed), their buttons acting on rows and ids only; the checks both pages
 * make of what the host sends; the graph's layout; and the host's checks of every new message.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { JSDOM } from 'jsdom';
import { describeEvent } from '../../../src/core/ui/eventDetail';
import { parseEventViewMessage } from '../../../src/core/ui/eventViewMessages';
import { parseIdentityViewMessage } from '../../../src/core/ui/identityViewMessages';
import { PIVOT_FIELDS } from '../../../src/protocol/eventView';
import type {
  ChainHopView,
  ChainView,
  GraphEdgeView,
  GraphNodeView,
  IdentityGraphView,
} from '../../../src/protocol/identity';
import { layoutGraph, MAX_COLUMNS } from '../../../src/webview/identity/layout';
import { parseGraph } from '../../../src/webview/identity/validate';
import { anEvent } from '../../builders/events';
import { hostileEvent, INJECTION_PAYLOADS } from '../../builders/injection';

function hop(over: Partial<ChainHopView> = {}): ChainHopView {
  return {
    row: 7,
    inferred: false,
    eventName: 'AssumeRole',
    identity: 'Deploy/ci-run',
    identityArn: 'arn:aws:sts::111122223333:assumed-role/Deploy/ci-run',
    account: '111122223333',
    callerAccount: '111122223333',
    crossAccount: false,
    key: 'ASIADEPLOY0000000000',
    time: 1_709_283_600_000,
    timeUtc: '2024-03-01 09:00:00Z',
    sourceIp: '198.51.100.7',
    sourceIdentity: '',
    ...over,
  };
}

function chain(over: Partial<ChainView> = {}): ChainView {
  return {
    origin: { kind: 'identityCenter', label: 'alice@corp (Identity Center)', arn: '', account: '', inferred: false },
    hops: [
      hop({ row: 3, eventName: 'AssumeRoleWithSAML', identity: 'AWSReservedSSO_Admin_0123456789abcdef/alice@corp' }),
      hop({ row: 5, crossAccount: true, account: '444455556666' }),
    ],
    end: 'origin',
    notes: [],
    ...over,
  };
}

function node(id: string, over: Partial<GraphNodeView> = {}): GraphNodeView {
  return {
    id,
    kind: 'role',
    label: id,
    arn: '',
    account: '111122223333',
    events: 1,
    errors: 0,
    query: `principal:${id}`,
    ...over,
  };
}
function edge(from: string, to: string, over: Partial<GraphEdgeView> = {}): GraphEdgeView {
  return {
    id: `${from}→${to}`,
    from,
    to,
    eventName: 'AssumeRole',
    ok: 2,
    failed: 0,
    crossAccount: false,
    query: `q:${from}:${to}`,
    ...over,
  };
}

/** Elements the pages may create; SVG only inside the graph. */
const HTML_TAGS = new Set([
  'MAIN',
  'HEADER',
  'DIV',
  'H1',
  'H2',
  'P',
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
]);
const SVG_TAGS = new Set(['svg', 'g', 'rect', 'path', 'text', 'title']);

function assertInert(root: Element, window: JSDOM['window']): void {
  for (const el of Array.from(root.querySelectorAll('*'))) {
    const svg = el.namespaceURI === 'http://www.w3.org/2000/svg';
    assert.ok(
      svg ? SVG_TAGS.has(el.tagName) && !!el.closest('svg.graph') : HTML_TAGS.has(el.tagName),
      `no <${el.tagName.toLowerCase()}> is created`,
    );
    for (const attr of Array.from(el.attributes)) {
      assert.ok(!/^on/i.test(attr.name), `no ${attr.name} handler`);
      assert.ok(!/^(href|src|style|action|data|srcdoc|xlink:href)$/i.test(attr.name), `no ${attr.name} attribute`);
    }
  }
  assert.equal((window as unknown as { __pwned?: number }).__pwned, undefined);
}

describe('the credential chain in the event view (jsdom)', () => {
  let window: JSDOM['window'];
  let renderEvent: typeof import('../../../src/webview/eventView/render').renderEvent;
  let reveal: typeof import('../../../src/webview/shared/dom').reveal;
  let chainLine: typeof import('../../../src/webview/eventView/chain').chainLine;
  let parseChain: typeof import('../../../src/webview/eventView/chain').parseChain;
  before(async () => {
    window = new JSDOM('<!DOCTYPE html><body></body>', { runScripts: 'outside-only' }).window;
    Object.assign(globalThis, { document: window.document });
    ({ renderEvent } = await import('../../../src/webview/eventView/render'));
    ({ reveal } = await import('../../../src/webview/shared/dom'));
    ({ chainLine, parseChain } = await import('../../../src/webview/eventView/chain'));
  });
  const base = {
    copy: () => undefined,
    isCollapsed: () => false,
    setCollapsed: () => undefined,
    pivotable: new Set(PIVOT_FIELDS),
    pivot: () => undefined,
    openJson: () => undefined,
    sessions: [],
    showSession: () => undefined,
  };
  const detail = describeEvent(
    JSON.stringify(
      anEvent({
        userIdentity: {
          type: 'AssumedRole',
          arn: 'arn:aws:sts::444455556666:assumed-role/Deploy/ci-run',
          accessKeyId: 'ASIADEPLOY0000000000',
          accountId: '444455556666',
        },
      }),
    ),
  )!;

  test('each hop back to the origin, in order; loaded hops open their issuing event; cross-account marked', () => {
    const opened: number[] = [];
    const page = renderEvent(detail, { ...base, chain: chain(), linked: true, openHop: (r) => opened.push(r) });
    const block = page.querySelector('.identity .chain')!;
    assert.equal(
      block.querySelector('.chain-line')?.textContent,
      'alice@corp (Identity Center) → AWSReservedSSO_Admin_0123456789abcdef/alice@corp → Deploy/ci-run → this event',
    );
    const hops = Array.from(block.querySelectorAll('.chain-hops > li'));
    assert.deepEqual(
      hops.map((h) => h.className),
      ['hop origin', 'hop', 'hop cross-account', 'hop this'],
    );
    const buttons = Array.from(block.querySelectorAll<HTMLButtonElement>('button.hop-open'));
    assert.deepEqual(
      buttons.map((b) => [b.textContent, b.dataset.row]),
      [
        ['AssumeRoleWithSAML', '3'],
        ['AssumeRole', '5'],
      ],
    );
    buttons[1].click();
    assert.deepEqual(opened, [5]);
    assert.match(
      hops[2].querySelector('.hop-meta')!.textContent,
      /^2024-03-01 09:00:00Z · from 198\.51\.100\.7 · account 444455556666$/,
    );
    assert.equal(hops[2].querySelector('.badge.cross')?.textContent, 'cross-account');
    assert.equal(block.querySelectorAll('.chain-note').length, 0);
  });

  test('inferred hops are marked and not openable; without a live log view nothing opens and no identity actions show', () => {
    const inferred = chain({
      origin: { kind: 'identityCenter', label: 'alice@corp (Identity Center)', arn: '', account: '', inferred: true },
      hops: [hop({ row: null, inferred: true, timeUtc: '', time: null })],
      end: 'missing',
    });
    const page = renderEvent(detail, {
      ...base,
      chain: inferred,
      linked: true,
      openHop: () => assert.fail('no row to open'),
    });
    assert.equal(page.querySelectorAll('button.hop-open').length, 0);
    assert.equal(page.querySelectorAll('.hop.inferred:not(.origin) .badge.inferred').length, 1);
    assert.equal(page.querySelectorAll('.hop.origin .badge.inferred').length, 1);
    assert.match(page.querySelector('.chain-note')!.textContent, /not loaded/);
    const unlinked = renderEvent(detail, {
      ...base,
      chain: chain(),
      linked: false,
      keyReport: () => undefined,
      policy: () => undefined,
    });
    assert.equal(unlinked.querySelectorAll('button.hop-open').length, 0, 'the log view is gone: hops are text');
    assert.equal(unlinked.querySelectorAll('.key-report, .draft-policy').length, 0);
  });

  test('loops and too-long chains end with the note, loudly, and claim no origin', () => {
    for (const end of ['loop', 'tooLong'] as const) {
      const page = renderEvent(detail, {
        ...base,
        chain: chain({ end, notes: ['The chain loops: key ASIAX leads back to the call at row 3.'] }),
        linked: true,
      });
      const notes = Array.from(page.querySelectorAll('.chain-note.danger'), (n) => n.textContent);
      assert.equal(notes.length, 2, end);
      assert.ok(notes.some((n) => n?.startsWith('The chain loops: key ASIAX')));
      assert.equal(page.querySelector('.chain-note')?.getAttribute('role'), 'alert');
      assert.match(page.querySelector('.chain-line')!.textContent, /^\(no origin: see the note\) → /);
    }
  });

  test('the key report sits beside the access key, policy drafts below; each posts its scope', () => {
    const asked: string[] = [];
    const page = renderEvent(detail, {
      ...base,
      chain: chain(),
      linked: true,
      keyReport: () => asked.push('key'),
      policy: (s) => asked.push(s),
    });
    const key = page.querySelector<HTMLButtonElement>('.identity dd .key-report')!;
    assert.ok(key.parentElement!.textContent.includes('ASIADEPLOY0000000000'));
    key.click();
    for (const b of Array.from(page.querySelectorAll<HTMLButtonElement>('.identity-actions .draft-policy'))) b.click();
    assert.deepEqual(asked, ['key', 'principal', 'session']);
  });

  INJECTION_PAYLOADS.forEach((payload, i) => {
    test(`hostile hop labels stay text: payload ${i} ${JSON.stringify(payload.slice(0, 30))}`, () => {
      const hostile = chain({
        origin: { kind: 'unknown', label: payload, arn: payload, account: payload, inferred: true },
        hops: [
          hop({
            eventName: payload,
            identity: payload,
            identityArn: payload,
            account: payload,
            callerAccount: payload,
            key: payload,
            timeUtc: payload,
            sourceIp: payload,
            sourceIdentity: payload,
            crossAccount: true,
            inferred: true,
          }),
        ],
        end: 'missing',
        notes: [payload],
      });
      const page = renderEvent(describeEvent(JSON.stringify(hostileEvent(payload, i)))!, {
        ...base,
        chain: hostile,
        linked: true,
        openHop: () => undefined,
        keyReport: () => undefined,
        policy: () => undefined,
      });
      window.document.body.replaceChildren(page);
      assertInert(page, window);
      const shown = reveal(payload.slice(0, 100));
      const text = page.querySelector('.chain')!.textContent ?? '';
      assert.ok(text.includes(shown), 'the payload is shown as text in the chain');
      assert.doesNotMatch(text, /[\u202A-\u202E\u2066-\u2069\u200B-\u200F\u0000]/);
      assert.ok(chainLine(hostile).length < 1000, 'one line, even for a 100,000-character label');
    });
  });

  test('the page checks a chain before laying it out', () => {
    const good = chain();
    assert.deepEqual(parseChain(JSON.parse(JSON.stringify(good))), good);
    for (const bad of [
      null,
      'x',
      { ...good, end: 'ok' },
      { ...good, origin: null },
      { ...good, origin: { ...good.origin, label: 1 } },
      { ...good, hops: 'x' },
    ])
      assert.equal(parseChain(bad), undefined);
    const mixed = parseChain({
      ...good,
      hops: [good.hops[0], { ...good.hops[0], row: 'x' }, { ...good.hops[0], identity: {} }, null],
      notes: ['a', 2],
    })!;
    assert.equal(mixed.hops.length, 1, 'malformed hops are dropped');
    assert.deepEqual(mixed.notes, ['a']);
  });
});

describe('the identity graph page (jsdom)', () => {
  let window: JSDOM['window'];
  let renderGraphPage: typeof import('../../../src/webview/identity/render').renderGraphPage;
  let reveal: typeof import('../../../src/webview/shared/dom').reveal;
  before(async () => {
    window = new JSDOM('<!DOCTYPE html><body></body>', { runScripts: 'outside-only' }).window;
    Object.assign(globalThis, { document: window.document });
    ({ renderGraphPage } = await import('../../../src/webview/identity/render'));
    ({ reveal } = await import('../../../src/webview/shared/dom'));
  });
  const graph = (): IdentityGraphView => ({
    nodes: [
      node('user:bert-jan', { kind: 'user', label: 'bert-jan', events: 2641, errors: 20 }),
      node('role:Stratus', { label: 'stratus-role', events: 29 }),
      node('role:Other', { label: 'other-account-role', account: '444455556666', query: undefined }),
      node('service:s3', { kind: 'service', label: 's3.amazonaws.com', events: 4 }),
    ],
    edges: [
      edge('user:bert-jan', 'role:Stratus', { failed: 3, failedQuery: 'fq' }),
      edge('role:Stratus', 'role:Other', { crossAccount: true, failed: 1, query: undefined }),
    ],
    folded: 0,
    anonymous: 2,
  });

  test('labels of crossing edges do not overlap', () => {
    // Two users each assuming four roles: edges cross, and their middles meet.
    const roles = Array.from({ length: 4 }, (_, i) => node(`role:r${i}`, { label: `role-${i}`, events: 1 }));
    const users = [0, 1].map((i) => node(`user:u${i}`, { kind: 'user', label: `u${i}`, events: 9 }));
    const edges = users.flatMap((u, i) =>
      roles.map((r, j) => edge(u.id, r.id, (i + j) % 2 ? { failed: 1, failedQuery: 'f' } : {})),
    );
    const fan: IdentityGraphView = { nodes: [...users, ...roles], edges, folded: 0, anonymous: 0 };
    const page = renderGraphPage({ title: 't', graph: fan, events: 9, ms: 1 }, { filter() {}, refresh() {} });
    // Each edge's label block: from its label's top (12 above the baseline) to its last line's bottom.
    const blocks = Array.from(page.querySelectorAll<SVGGElement>('g.edge'), (g) => {
      const label = g.querySelector('.edge-label')!;
      const failed = g.querySelector('.edge-failed');
      return {
        x: Number(label.getAttribute('x')),
        top: Number(label.getAttribute('y')) - 12,
        bottom: Number((failed ?? label).getAttribute('y')) + 4,
      };
    });
    assert.equal(blocks.length, 8);
    for (const [i, a] of blocks.entries()) {
      for (const b of blocks.slice(i + 1))
        assert.ok(
          Math.abs(a.x - b.x) >= 120 || a.bottom <= b.top || b.bottom <= a.top,
          `labels at ${a.top}-${a.bottom} and ${b.top}-${b.bottom} overlap`,
        );
    }
  });

  test('origins left, roles right; arrows with counts; clicks filter by id; nodes in no assumption listed apart', () => {
    const asked: Array<[string, string, boolean]> = [];
    const page = renderGraphPage(
      { title: 'AWSLogs', graph: graph(), events: 2900, ms: 12 },
      { filter: (t, id, f) => asked.push([t, id, f]), refresh: () => asked.push(['refresh', '', false]) },
    );
    window.document.body.replaceChildren(page);
    const nodes = Array.from(page.querySelectorAll<SVGGElement>('svg.graph g.node'));
    const x = (id: string): number =>
      Number(
        nodes
          .find((n) => n.dataset.id === id)!
          .querySelector('rect')!
          .getAttribute('x'),
      );
    assert.ok(x('user:bert-jan') < x('role:Stratus') && x('role:Stratus') < x('role:Other'), 'layered left to right');
    const first = page.querySelector<SVGGElement>('g.edge[data-from="bert-jan"][data-to="stratus-role"]')!;
    assert.equal(first.querySelector('.edge-label')!.textContent, 'AssumeRole ×2');
    assert.equal(first.querySelector('.edge-failed')!.textContent, '3 failed');
    const cross = page.querySelector<SVGGElement>('g.edge.cross')!;
    assert.match(cross.querySelector('.edge-label')!.textContent, /^⇄ /);
    assert.equal(cross.getAttribute('role'), null, 'no query: not clickable');
    first.dispatchEvent(new window.MouseEvent('click', { bubbles: true }));
    first
      .querySelector<SVGTextElement>('.edge-failed')!
      .dispatchEvent(new window.MouseEvent('click', { bubbles: true }));
    nodes
      .find((n) => n.dataset.id === 'user:bert-jan')!
      .dispatchEvent(new window.KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    assert.equal(nodes.find((n) => n.dataset.id === 'role:Other')!.getAttribute('role'), null);
    page.querySelector<HTMLButtonElement>('.isolated-list button')!.click();
    page.querySelector<HTMLButtonElement>('.actions .action')!.click();
    assert.deepEqual(asked, [
      ['edge', 'user:bert-jan→role:Stratus', false],
      ['edge', 'user:bert-jan→role:Stratus', true],
      ['node', 'user:bert-jan', false],
      ['node', 'service:s3', false],
      ['refresh', '', false],
    ]);
    assert.deepEqual(
      Array.from(page.querySelectorAll('.edge-list li'), (li) => li.querySelector('.edge-filter')!.textContent),
      ['bert-jan → stratus-role', 'stratus-role → other-account-role'],
    );
    assert.equal(page.querySelector<HTMLButtonElement>('.edge-list li:nth-child(2) .edge-filter')!.disabled, true);
    assert.match(
      page.querySelector('.meta')!.textContent,
      /2,900 events · 4 identities · 2 kinds of assumption · 2 events with no principal/,
    );
    assertInert(page, window);
  });

  test('no assumption loaded: said so, no chart', () => {
    const page = renderGraphPage(
      {
        title: 't',
        graph: { nodes: [node('user:a', { kind: 'user' })], edges: [], folded: 0, anonymous: 0 },
        events: 1,
        ms: 0,
      },
      { filter: () => undefined, refresh: () => undefined },
    );
    assert.equal(page.querySelectorAll('svg').length, 0);
    assert.match(page.querySelector('.empty')!.textContent, /nobody became anybody else/);
  });

  INJECTION_PAYLOADS.forEach((payload, i) => {
    test(`hostile labels stay text: payload ${i} ${JSON.stringify(payload.slice(0, 30))}`, () => {
      const g: IdentityGraphView = {
        nodes: [
          node(payload, { kind: 'user', label: payload, arn: payload, account: payload }),
          node(`${payload}2`, { label: payload, kind: payload as never }),
          node(`${payload}3`, { label: payload, kind: 'service' }),
        ],
        edges: [
          edge(payload, `${payload}2`, { eventName: payload, failed: 1, failedQuery: payload, crossAccount: true }),
        ],
        folded: 1,
        anonymous: 0,
      };
      const asked: string[] = [];
      const page = renderGraphPage(
        { title: payload, graph: g, events: 3, ms: 1 },
        { filter: (_t, id) => asked.push(id), refresh: () => undefined },
      );
      window.document.body.replaceChildren(page);
      assertInert(page, window);
      assert.ok(
        !Array.from(page.querySelectorAll('*')).some((e) =>
          /kind-(?!user\b|role\b|service\b|unknown\b)/.test(e.getAttribute('class') ?? ''),
        ),
        'only known kinds become classes',
      );
      const shown = reveal(payload.slice(0, 25));
      assert.ok((page.querySelector('.edge-list')!.textContent ?? '').includes(shown), 'the label is shown as text');
      assert.ok((page.querySelector('svg.graph title')!.textContent ?? '').includes(shown));
      assert.doesNotMatch(page.textContent ?? '', /[\u202A-\u202E\u2066-\u2069\u200B-\u200F\u0000]/);
      page
        .querySelector<SVGGElement>('g.node[role="button"]')!
        .dispatchEvent(new window.MouseEvent('click', { bubbles: true }));
      assert.deepEqual(asked, [payload], 'the node id goes back as data');
    });
  });

  test('the page checks a graph before laying it out', () => {
    const good = graph();
    assert.deepEqual(parseGraph(JSON.parse(JSON.stringify(good))), JSON.parse(JSON.stringify(good)));
    for (const bad of [null, 1, { nodes: 'x', edges: [] }, { nodes: [] }]) assert.equal(parseGraph(bad), undefined);
    const mixed = parseGraph({
      nodes: [
        good.nodes[0],
        { ...good.nodes[0], events: -1 },
        { ...good.nodes[0], label: null },
        { ...good.nodes[0], query: 5 },
      ],
      edges: [good.edges[0], { ...good.edges[0], ok: '2' }, { ...good.edges[0], crossAccount: 'yes' }],
      folded: 'x',
    })!;
    assert.equal(mixed.nodes.length, 1);
    assert.equal(mixed.edges.length, 1);
    assert.equal(mixed.folded, 0);
  });
});

describe('the identity graph layout', () => {
  test('columns follow the longest path from an origin; isolated nodes are set apart, busiest first', () => {
    const g: IdentityGraphView = {
      nodes: [
        node('u', { kind: 'user' }),
        node('a'),
        node('b'),
        node('svc', { kind: 'service', events: 9 }),
        node('lone', { kind: 'user', events: 1 }),
        node('lone2', { kind: 'service', events: 5 }),
      ],
      edges: [edge('u', 'a'), edge('a', 'b'), edge('u', 'b'), edge('svc', 'a'), edge('ghost', 'a')],
      folded: 0,
      anonymous: 0,
    };
    const l = layoutGraph(g);
    const col = (id: string): number => l.placed.get(id)!.column;
    assert.deepEqual([col('u'), col('svc'), col('a'), col('b')], [0, 0, 1, 2]);
    assert.equal(l.edges.length, 4, 'an edge to a node not sent is dropped');
    assert.deepEqual(
      l.isolated.map((n) => n.id),
      ['lone2', 'lone'],
    );
    assert.ok(l.width > 0 && l.height > 0);
  });

  test('a cycle of roles stops at MAX_COLUMNS; a self-loop stays in place', () => {
    const ids = Array.from({ length: 20 }, (_, i) => `r${i}`);
    const edges = ids.map((id, i) => edge(id, ids[(i + 1) % ids.length]));
    edges.push(edge('r3', 'r3'));
    const l = layoutGraph({ nodes: ids.map((id) => node(id)), edges, folded: 0, anonymous: 0 });
    assert.ok(Math.max(...[...l.placed.values()].map((p) => p.column)) === MAX_COLUMNS - 1);
    assert.equal(l.placed.size, 20);
  });
});

describe('messages from the new webviews are validated', () => {
  test('event view: hop, key report and policy messages', () => {
    assert.deepEqual(parseEventViewMessage({ type: 'openHop', row: 12 }), { type: 'openHop', row: 12 });
    assert.deepEqual(parseEventViewMessage({ type: 'keyReport', key: 'ignored' }), { type: 'keyReport' });
    assert.deepEqual(parseEventViewMessage({ type: 'policy', scope: 'session' }), { type: 'policy', scope: 'session' });
    for (const bad of [
      { type: 'openHop' },
      { type: 'openHop', row: -1 },
      { type: 'openHop', row: 1.5 },
      { type: 'openHop', row: '3' },
      { type: 'openHop', row: 2 ** 60 },
      { type: 'policy' },
      { type: 'policy', scope: 'account' },
      { type: 'policy', scope: ['session'] },
    ]) {
      assert.equal(parseEventViewMessage(bad), undefined, JSON.stringify(bad));
    }
  });

  test('identity graph: ready, refresh, and filters naming a node or edge by id', () => {
    assert.deepEqual(parseIdentityViewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseIdentityViewMessage({ type: 'refresh', extra: 1 }), { type: 'refresh' });
    assert.deepEqual(parseIdentityViewMessage({ type: 'filter', target: 'node', id: 'user:x' }), {
      type: 'filter',
      target: 'node',
      id: 'user:x',
      failed: false,
    });
    assert.deepEqual(parseIdentityViewMessage({ type: 'filter', target: 'edge', id: 'e', failed: true }), {
      type: 'filter',
      target: 'edge',
      id: 'e',
      failed: true,
    });
    for (const bad of [
      null,
      'ready',
      { type: 'query', text: 'x' },
      { type: 'filter', target: 'row', id: 'x' },
      { type: 'filter', target: 'node', id: '' },
      { type: 'filter', target: 'node', id: 5 },
      { type: 'filter', target: 'node', id: 'x'.repeat(9000) },
      { type: 'filter', target: 'edge', id: 'e', failed: 'yes' },
      { type: 'filter', target: 'node', id: 'n', failed: true },
    ]) {
      assert.equal(parseIdentityViewMessage(bad), undefined, JSON.stringify(bad)?.slice(0, 80));
    }
  });
});
