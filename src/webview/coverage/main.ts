/**
 * The detection coverage page: ATT&CK cloud tactics as columns, techniques as cells, each cell
 * listing the rules that cover it and, when a log view's detections ran, how many events each
 * flagged. A cell whose rules fired is a button: it shows their events in the log view. Rule
 * titles can come from a user's files, so everything goes in as text.
 */
import type { CoverageCell, CoverageMatrix, FromCoverageView, ToCoverageView } from '../../protocol/coverage';
import { clip, el } from '../shared/dom';
import { vscodeApi } from '../shared/vscodeApi';

const vscode = vscodeApi<FromCoverageView, Record<string, never>>();
const app = document.getElementById('app')!;

function cellView(cell: CoverageCell, counted: boolean): HTMLElement {
  const fired = cell.rules.filter((r) => (r.count ?? 0) > 0);
  const state = fired.length > 0 ? 'fired' : cell.rules.length > 0 ? 'covered' : 'uncovered';
  const rules = cell.rules.map((r) =>
    el('li', { className: `rule sev-${r.severity}${(r.count ?? 0) > 0 ? ' hit' : ''}`, title: r.id }, [
      el('span', { className: 'rule-title', textContent: clip(r.title, 160) }),
      ...(counted ? [el('span', { className: 'count', textContent: String(r.count ?? 0) })] : []),
    ]),
  );
  const body: Node[] = [
    el('div', { className: 'tech-id', textContent: cell.technique }),
    el('div', { className: 'tech-name', textContent: cell.name || '(not in the shipped ATT&CK table)' }),
    ...(rules.length
      ? [el('ul', { className: 'rules' }, rules)]
      : [el('div', { className: 'none', textContent: 'no rule' })]),
  ];
  if (fired.length === 0)
    return el(
      'div',
      {
        className: `cell ${state}`,
        role: 'listitem',
        title: `${cell.technique} ${cell.name}: ${cell.rules.length} rules`,
      },
      body,
    );
  const b = el(
    'button',
    { className: `cell ${state}`, title: `Show the events of ${fired.map((r) => r.id).join(', ')} in the log view` },
    body,
  );
  b.addEventListener('click', () => vscode.postMessage({ type: 'show', rules: fired.map((r) => r.id) }));
  return b;
}

function render(m: CoverageMatrix, view: string | undefined): void {
  const counted = view !== undefined;
  const cells = m.tactics.flatMap((t) => t.cells);
  const covered = new Set(cells.filter((c) => c.rules.length > 0).map((c) => c.technique));
  const fired = new Set(cells.filter((c) => c.rules.some((r) => (r.count ?? 0) > 0)).map((c) => c.technique));
  const all = new Set(cells.map((c) => c.technique));
  app.replaceChildren(
    el('header', { className: 'cov-header' }, [
      el('h1', { textContent: 'Detection coverage — MITRE ATT&CK for cloud (IaaS)' }),
      el('p', {
        className: 'summary',
        textContent: `${covered.size} of ${all.size} techniques covered by a rule${counted ? ` · ${fired.size} with detections in ${clip(view, 200)}` : ' · open a log view to see which fired'}`,
      }),
      el('p', { className: 'legend' }, [
        el('span', { className: 'swatch fired' }),
        document.createTextNode(' fired (click: show events)  '),
        el('span', { className: 'swatch covered' }),
        document.createTextNode(' covered  '),
        el('span', { className: 'swatch uncovered' }),
        document.createTextNode(' no rule'),
      ]),
    ]),
    el(
      'div',
      { className: 'matrix', role: 'table' },
      m.tactics.map((t) =>
        el('section', { className: 'tactic', role: 'list', title: t.name }, [
          el('h2', { textContent: t.name, title: t.attack }),
          ...t.cells.map((c) => cellView(c, counted)),
        ]),
      ),
    ),
    ...(m.other.length
      ? [
          el('section', { className: 'other' }, [
            el('h2', { textContent: 'Techniques not in the shipped table' }),
            el(
              'div',
              { className: 'other-cells' },
              m.other.map((c) => cellView(c, counted)),
            ),
          ]),
        ]
      : []),
    ...(m.unmapped.length
      ? [
          el('p', {
            className: 'unmapped',
            textContent: `Rules naming no technique: ${m.unmapped.map((r) => r.id).join(', ')}`,
          }),
        ]
      : []),
    el('footer', { className: 'attribution', textContent: m.attribution }),
  );
}

function isInit(m: Record<string, unknown>): m is ToCoverageView {
  const x = m.matrix as Record<string, unknown> | undefined;
  return (
    typeof x === 'object' &&
    x !== null &&
    Array.isArray(x.tactics) &&
    Array.isArray(x.other) &&
    Array.isArray(x.unmapped) &&
    typeof x.attribution === 'string' &&
    (m.view === undefined || typeof m.view === 'string')
  );
}

window.addEventListener('message', (e: MessageEvent<ToCoverageView>) => {
  const m = e.data as unknown as Record<string, unknown>;
  if (typeof m !== 'object' || m === null || m.type !== 'init' || !isInit(m)) return;
  render(m.matrix, m.view);
});
vscode.postMessage({ type: 'ready' });
