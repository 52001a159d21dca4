/**
 * The identity graph page: principals and roles as boxes (events and errors counted), the calls
 * that made one into another as arrows (successful and failed calls counted, cross-account ones
 * dashed), laid out left to right (layout.ts); the same assumptions as a list, and the principals
 * that assumed nothing. Clicking a node, an arrow or its "failed" count filters the log view.
 * DOM and SVG are built with createElement(NS) and textContent only: every label is attacker text.
 */
import type { GraphEdgeView, GraphNodeView, IdentityGraphView } from '../../protocol/identity';
import { clip, el, reveal } from '../shared/dom';
import { layoutGraph, NODE_H, NODE_W, stepZoom, zoomedSize, type PlacedNode, type Zoom } from './layout';

export interface GraphHooks {
  filter(target: 'node' | 'edge', id: string, failed: boolean): void;
  refresh(): void;
}

export interface GraphPage {
  title: string;
  graph: IdentityGraphView;
  events: number;
  ms: number;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
const KIND_LABEL: Record<string, string> = {
  user: 'IAM user',
  root: 'root',
  role: 'role',
  federated: 'federated user',
  service: 'AWS service',
  account: 'account',
  identityCenter: 'Identity Center user',
  saml: 'SAML user',
  webIdentity: 'web identity',
  unknown: 'unknown',
  other: 'others',
};
/** Only known kinds reach the class list (the kind comes from the host, but stay strict). */
const kindClass = (kind: string): string => (Object.hasOwn(KIND_LABEL, kind) ? `kind-${kind}` : 'kind-unknown');
const n = (x: number): string => x.toLocaleString('en-US');

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
  children: Node[] = [],
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  node.append(...children);
  return node;
}

function svgText(text: string, x: number, y: number, className: string): SVGTextElement {
  const t = svg('text', { x, y, class: className });
  t.textContent = text;
  return t;
}

/** Short text for a box: revealed, and cut with an ellipsis (the tooltip has it whole). */
function fit(text: string, max: number): string {
  const r = reveal(text);
  return r.length > max ? `${r.slice(0, max - 1)}…` : r;
}

/** Makes an SVG element act as a button (click, Enter, Space). */
function clickable(node: SVGElement, label: string, act: () => void): void {
  node.setAttribute('tabindex', '0');
  node.setAttribute('role', 'button');
  node.setAttribute('aria-label', label);
  node.addEventListener('click', (e) => {
    e.stopPropagation();
    act();
  });
  node.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      act();
    }
  });
}

function nodeTitle(node: GraphNodeView): string {
  const lines = [
    `${clip(node.label, 500)} (${KIND_LABEL[node.kind] ?? 'unknown'})`,
    node.arn && clip(node.arn, 500),
    node.account && `account ${clip(node.account, 40)}`,
    `${n(node.events)} events, ${n(node.errors)} errors`,
    node.query ? 'Click to show its events in the log view.' : 'Its events cannot be selected exactly by a search.',
  ];
  return lines.filter(Boolean).join('\n');
}

function drawNode(p: PlacedNode, hooks: GraphHooks): SVGGElement {
  const { node, x, y } = p;
  const g = svg('g', {
    class: `node ${kindClass(node.kind)}${node.errors ? ' has-errors' : ''}${node.query ? '' : ' no-query'}`,
  });
  g.dataset.id = node.id;
  const title = svg('title');
  title.textContent = nodeTitle(node);
  g.append(title, svg('rect', { x, y, width: NODE_W, height: NODE_H, rx: 5 }));
  g.append(svgText(fit(node.label, 30), x + 10, y + 19, 'node-label'));
  g.append(
    svgText(
      `${KIND_LABEL[node.kind] ?? 'unknown'} · ${n(node.events)} events${node.errors ? ` · ${n(node.errors)} errors` : ''}`,
      x + 10,
      y + 36,
      'node-sub',
    ),
  );
  if (node.query)
    clickable(g, `Show the events of ${fit(node.label, 200)}`, () => hooks.filter('node', node.id, false));
  return g;
}

function edgeText(e: GraphEdgeView): string {
  return `${e.crossAccount ? '\u21c4 ' : ''}${fit(e.eventName, 28)} \u00d7${n(e.ok)}`;
}

/**
 * Where edge labels go: at their curve's middle, moved down past labels already placed near it
 * (edges fanning out of one node have their middles close together, and their labels overlapped).
 */
class LabelPlacer {
  private readonly placed: Array<{ x: number; top: number; bottom: number }> = [];

  /** A free top for a label of `height` near (`x`, `y`), nudged down in steps; recorded as taken. */
  place(x: number, y: number, height: number): number {
    let top = y;
    for (let tries = 0; tries < 12; tries++) {
      const hit = this.placed.find((p) => Math.abs(p.x - x) < 120 && top < p.bottom && top + height > p.top);
      if (!hit) break;
      top = hit.bottom + 1;
    }
    this.placed.push({ x, top, bottom: top + height });
    return top;
  }
}

function drawEdge(
  e: GraphEdgeView,
  from: PlacedNode,
  to: PlacedNode,
  hooks: GraphHooks,
  labels: LabelPlacer,
): SVGGElement {
  const x1 = from.x + NODE_W;
  const y1 = from.y + NODE_H / 2;
  const forward = to.column > from.column;
  // Backward or same-column edges (cycles) leave and enter on the right, bulging outwards.
  const x2 = forward ? to.x : to.x + NODE_W;
  const y2 = to.y + NODE_H / 2 + (e.from === e.to ? 10 : 0);
  const bend = forward ? (x2 - x1) / 2 : 70;
  const c1x = x1 + bend;
  const c2x = forward ? x2 - bend : x2 + bend;
  const d = `M ${x1} ${y1} C ${c1x} ${y1}, ${c2x} ${y2}, ${x2} ${y2}`;
  const mx = (x1 + 3 * c1x + 3 * c2x + x2) / 8;
  const my = (y1 + 3 * y1 + 3 * y2 + y2) / 8;
  const g = svg('g', {
    class: `edge${e.crossAccount ? ' cross' : ''}${e.ok === 0 ? ' failed-only' : ''}${e.query ? '' : ' no-query'}`,
  });
  g.dataset.id = e.id;
  g.dataset.from = from.node.label;
  g.dataset.to = to.node.label;
  const title = svg('title');
  title.textContent = `${clip(from.node.label, 300)} \u2192 ${clip(to.node.label, 300)}\n${clip(e.eventName, 100)}: ${n(e.ok)} succeeded, ${n(e.failed)} failed${e.crossAccount ? '\nCross-account' : ''}`;
  const arrow = forward ? `M ${x2} ${y2} l -9 -5 l 0 10 z` : `M ${x2} ${y2} l 9 -5 l 0 10 z`;
  g.append(
    title,
    svg('path', { d, class: 'edge-line' }),
    svg('path', { d: arrow, class: 'edge-arrow' }),
    svg('path', { d, class: 'edge-hit' }),
  );
  // A label's baseline is 12 below its top; the failed count takes a second line.
  const top = labels.place(mx, my - 16, e.failed > 0 ? 32 : 16);
  const label = svgText(edgeText(e), mx, top + 12, 'edge-label');
  g.append(label);
  if (e.query)
    clickable(
      g,
      `Show the ${fit(e.eventName, 60)} calls from ${fit(from.node.label, 100)} to ${fit(to.node.label, 100)}`,
      () => hooks.filter('edge', e.id, false),
    );
  if (e.failed > 0) {
    const failed = svgText(`${n(e.failed)} failed`, mx, top + 28, `edge-failed${e.failedQuery ? '' : ' no-query'}`);
    if (e.failedQuery)
      clickable(failed, `Show the ${n(e.failed)} failed calls`, () => hooks.filter('edge', e.id, true));
    g.append(failed);
  }
  return g;
}

function button(text: string, className: string, act: (() => void) | undefined, title?: string): HTMLButtonElement {
  const b = el('button', { type: 'button', className, textContent: text, title: title ?? '' });
  if (act) b.addEventListener('click', act);
  else b.disabled = true;
  return b;
}

function edgeList(edges: GraphEdgeView[], byId: Map<string, GraphNodeView>, hooks: GraphHooks): HTMLElement {
  const items = edges.map((e) => {
    const from = byId.get(e.from)!;
    const to = byId.get(e.to)!;
    const li = el('li', { className: `edge-item${e.crossAccount ? ' cross' : ''}` }, [
      button(
        `${clip(from.label, 120)} \u2192 ${clip(to.label, 120)}`,
        'link edge-filter',
        e.query ? () => hooks.filter('edge', e.id, false) : undefined,
        e.query ? 'Show these calls in the log view' : 'These calls cannot be selected exactly by a search',
      ),
      el('span', { className: 'edge-counts', textContent: ` ${clip(e.eventName, 60)} · ${n(e.ok)} succeeded` }),
    ]);
    li.dataset.id = e.id;
    if (e.failed > 0)
      li.append(
        button(
          `${n(e.failed)} failed`,
          'link failed edge-filter-failed',
          e.failedQuery ? () => hooks.filter('edge', e.id, true) : undefined,
        ),
      );
    if (e.crossAccount) li.append(el('span', { className: 'badge cross', textContent: 'cross-account' }));
    return li;
  });
  return el('section', { className: 'edges-section' }, [
    el('h2', { textContent: `Assumptions (${n(edges.length)})` }),
    el('ul', { className: 'edge-list' }, items),
  ]);
}

function isolatedList(nodes: GraphNodeView[], hooks: GraphHooks): HTMLElement | undefined {
  if (nodes.length === 0) return undefined;
  const items = nodes.map((node) => {
    const li = el('li', { className: kindClass(node.kind) }, [
      button(
        clip(node.label, 120),
        'link node-filter',
        node.query ? () => hooks.filter('node', node.id, false) : undefined,
        nodeTitle(node),
      ),
      el('span', {
        className: 'node-counts',
        textContent: ` ${KIND_LABEL[node.kind] ?? 'unknown'} · ${n(node.events)} events${node.errors ? ` · ${n(node.errors)} errors` : ''}`,
      }),
    ]);
    li.dataset.id = node.id;
    return li;
  });
  return el('section', { className: 'isolated-section' }, [
    el('h2', { textContent: `Made calls, became no one else (${n(nodes.length)})` }),
    el('ul', { className: 'isolated-list' }, items),
  ]);
}

/**
 * Fit, zoom out, zoom in, actual size: the graph starts fitted to the panel's width (never cut
 * off at its edge); zoomed in, the panel scrolls to pan.
 */
function zoomBar(chart: SVGSVGElement, scroll: HTMLElement, layout: { width: number; height: number }): HTMLElement {
  let zoom: Zoom = 'fit';
  const label = el('span', { className: 'zoom-level', role: 'status' });
  const apply = (): void => {
    const size = zoomedSize(layout, zoom, scroll.clientWidth || layout.width);
    chart.setAttribute('width', String(size.width));
    chart.setAttribute('height', String(size.height));
    label.textContent = `${Math.round(size.scale * 100)} %`;
  };
  const set = (z: Zoom): void => {
    zoom = z;
    apply();
  };
  const current = (): number => zoomedSize(layout, zoom, scroll.clientWidth || layout.width).scale;
  const bar = el('div', { className: 'zoom-bar' }, [
    button('Fit', 'action', () => set('fit'), 'Fit the graph to the panel'),
    button('−', 'action zoom-out', () => set(stepZoom(current(), -1)), 'Zoom out'),
    button('+', 'action zoom-in', () => set(stepZoom(current(), 1)), 'Zoom in'),
    button('100 %', 'action', () => set(1), 'Actual size (scroll to pan)'),
    label,
  ]);
  // Fitted, the graph follows the panel as it is resized (where the page can observe it).
  if (typeof ResizeObserver === 'function') new ResizeObserver(() => zoom === 'fit' && apply()).observe(scroll);
  apply();
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(apply);
  return bar;
}

/** The whole page for one graph. */
export function renderGraphPage(p: GraphPage, hooks: GraphHooks): HTMLElement {
  const g = p.graph;
  const layout = layoutGraph(g);
  const byId = new Map(g.nodes.map((x) => [x.id, x]));
  const refresh = button('Refresh', 'action', () => hooks.refresh(), 'Build the graph again (after adding files)');
  const facts = [
    `${n(p.events)} events`,
    `${n(g.nodes.length)} identities`,
    `${n(layout.edges.length)} kinds of assumption`,
    g.anonymous ? `${n(g.anonymous)} events with no principal` : '',
    `built in ${n(p.ms)} ms`,
  ]
    .filter(Boolean)
    .join(' · ');
  const header = el('header', { className: 'graph-header' }, [
    el('h1', { textContent: 'Who became whom' }),
    el('p', { className: 'meta', textContent: `${clip(p.title, 300)} · ${facts}` }),
    el('div', { className: 'actions' }, [
      refresh,
      el('span', {
        className: 'legend',
        textContent:
          'Click a box or an arrow to show its events in the log view. Dashed: cross-account. Red: failed calls.',
      }),
    ]),
  ]);
  const page = el('main', { className: 'identity-page' }, [header]);
  if (g.folded)
    page.append(
      el('p', {
        className: 'note',
        textContent: `The ${n(g.folded)} least active identities are folded into "others".`,
      }),
    );
  if (layout.edges.length === 0) {
    page.append(
      el('p', {
        className: 'empty',
        textContent:
          'No credential-issuing call (AssumeRole, AssumeRoleWithSAML, GetFederationToken…) is loaded: nobody became anybody else here.',
      }),
    );
  } else {
    const chart = svg('svg', {
      class: 'graph',
      width: layout.width,
      height: layout.height,
      viewBox: `0 0 ${layout.width} ${layout.height}`,
      role: 'img',
      'aria-label': 'Identity graph',
    });
    const edges = svg('g', { class: 'edges' });
    const labels = new LabelPlacer();
    for (const e of layout.edges)
      edges.append(drawEdge(e, layout.placed.get(e.from)!, layout.placed.get(e.to)!, hooks, labels));
    const nodes = svg('g', { class: 'nodes' });
    for (const placed of layout.placed.values()) nodes.append(drawNode(placed, hooks));
    chart.append(edges, nodes);
    const scroll = el('div', { className: 'graph-scroll' }, [chart]);
    page.append(zoomBar(chart, scroll, layout), scroll, edgeList(layout.edges, byId, hooks));
  }
  const isolated = isolatedList(layout.isolated, hooks);
  if (isolated) page.append(isolated);
  return page;
}
