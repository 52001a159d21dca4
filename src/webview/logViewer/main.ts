/**
 * The log viewer webview: search box, load status, per-file notes and a virtualized table of
 * events. Every string shown here may be attacker-controlled: it is set with textContent and DOM
 * APIs only, never as HTML. Rows are fetched from the host in windows, so the page holds only
 * what is on screen.
 */
import type {
  Column,
  FromWebview,
  LoadStatus,
  Range,
  RowSummary,
  SortOrder,
  ToWebview,
  ViewerState,
} from '../../protocol/logViewer';
import { OPTIONAL_COLUMNS } from '../../protocol/logViewer';
import { el, setHighlighted } from '../shared/dom';
import { vscodeApi } from '../shared/vscodeApi';
import { ColumnMenu, OPTIONAL_TITLES } from './columnMenu';
import { FieldHints } from './fieldHints';
import { LoadStatusView } from './loadStatus';
import { SidePanel } from './sidePanel';
import { TimelineView } from './timeline';

const vscode = vscodeApi<FromWebview, ViewerState>();

const ROW_HEIGHT = 24;
const BLOCK = 100;
const OVERSCAN = 20;

const COLUMN_TITLES: Array<[Column | 'match', string]> = [
  ['time', 'Time (UTC)'],
  ['eventName', 'Event'],
  ['eventSource', 'Source'],
  ['principal', 'Principal'],
  ['sourceIp', 'Source IP'],
  ['country', OPTIONAL_TITLES.country.title],
  ['asn', OPTIONAL_TITLES.asn.title],
  ['awsRegion', 'Region'],
  ['errorCode', 'Error'],
  ['match', 'Matched in'],
];

function readState(): ViewerState {
  const s = vscode.getState();
  const sorts: SortOrder[] = ['relevance', 'newest', 'oldest'];
  return {
    query: typeof s?.query === 'string' ? s.query : '',
    sort: sorts.includes(s?.sort as SortOrder) ? (s!.sort as SortOrder) : 'relevance',
    scrollTop: typeof s?.scrollTop === 'number' ? s.scrollTop : 0,
    selectedId: typeof s?.selectedId === 'number' ? s.selectedId : null,
    sidePanel: typeof s?.sidePanel === 'boolean' ? s.sidePanel : true,
    // Hidden by default: most questions need the address, not its country.
    columns: OPTIONAL_COLUMNS.filter((c) => Array.isArray(s?.columns) && (s.columns as readonly unknown[]).includes(c)),
  };
}

const state = readState();
const saveState = (): void => vscode.setState(state);

// ---- layout -------------------------------------------------------------------------------
const app = document.getElementById('app')!;
const title = el('h1', { className: 'title' });
const search = el('input', {
  type: 'search',
  className: 'search',
  placeholder: 'Search: free text, or eventName:Stop*  -principal:bob  error:*  ip:10.0.0.1,10.0.0.2  last:24h',
  spellcheck: false,
});
search.setAttribute('aria-label', 'Search events');
search.value = state.query;
const sort = el('select', { className: 'sort', title: 'Order of the results' });
sort.setAttribute('aria-label', 'Sort');
for (const [value, label] of [
  ['relevance', 'Best match'],
  ['newest', 'Newest first'],
  ['oldest', 'Oldest first'],
] as const) {
  sort.append(el('option', { value, textContent: label }));
}
sort.value = state.sort;
const counts = el('span', { className: 'counts', role: 'status' });
/** A toolbar button: its label, its tooltip, and any class beside `tool-button`. */
const toolButton = (textContent: string, title: string, extra = ''): HTMLButtonElement =>
  el('button', { type: 'button', className: extra ? `tool-button ${extra}` : 'tool-button', textContent, title });
const addButton = toolButton('Add…', 'Add more log files or folders to this investigation');
const exportButton = toolButton('Export…', 'Export the events shown (JSON, JSON.gz, NDJSON or CSV)');
const remoteButton = toolButton(
  'Athena…',
  'Run this query over a whole trail: in Athena (every file in its bucket) or in CloudWatch Logs',
  'remote-button',
);
const panelButton = toolButton('Panel', 'Show or hide detections, unusual hours and top values', 'panel-toggle');
panelButton.setAttribute('aria-pressed', String(state.sidePanel));
const toolbar = el('div', { className: 'toolbar' }, [
  title,
  search,
  sort,
  counts,
  addButton,
  exportButton,
  remoteButton,
  panelButton,
]);

const loadStatus = new LoadStatusView(() => vscode.postMessage({ type: 'cancel' }));

const queryErrors = el('div', { className: 'query-errors', hidden: true, role: 'alert' });
const hints = new FieldHints(search, () => sendQuery());

const header = el('div', { className: 'row head', role: 'row' });
for (const [key, label] of COLUMN_TITLES)
  header.append(el('div', { className: `cell c-${key}`, role: 'columnheader', textContent: label }));
const columnMenu = new ColumnMenu(state.columns, (shown) => {
  state.columns = shown;
  saveState();
  showColumns();
});
header.append(columnMenu.button);
header.addEventListener('contextmenu', (e) => {
  e.preventDefault();
  columnMenu.open();
});
/** The optional columns shown take room in every row's grid (CSS: .show-country, .show-asn). */
function showColumns(): void {
  for (const c of OPTIONAL_COLUMNS) grid.classList.toggle(`show-${c}`, state.columns.includes(c));
}
const spacer = el('div', { className: 'spacer' });
const viewport = el('div', { className: 'viewport', tabIndex: 0 }, [spacer]);
viewport.setAttribute('aria-label', 'Events');
const empty = el('div', { className: 'empty', hidden: true });
const grid = el('div', { className: 'grid', role: 'grid' }, [header, columnMenu.menu, viewport, empty]);
showColumns();

/** Replaces the query (a detection, an unusual hour, a timeline selection). */
function setQuery(text: string): void {
  search.value = text;
  sendQuery();
}
/** Adds a term to the query (a top value), unless it is already there. */
function addTerm(term: string): void {
  const current = search.value.trim();
  if (current.split(/\s+/).includes(term)) return;
  setQuery(current ? `${current} ${term}` : term);
}
const timeline = new TimelineView(setQuery);
const side = new SidePanel({
  setQuery,
  addTerm,
  exportAlert: (id) => vscode.postMessage({ type: 'exportAlert', id }),
  addToNotebook: (id) => vscode.postMessage({ type: 'addDetectionToNotebook', id }),
  stopDetections: () => vscode.postMessage({ type: 'stopDetections' }),
  openCoverage: () => vscode.postMessage({ type: 'coverage' }),
});
side.element.hidden = !state.sidePanel;
const main = el('div', { className: 'main' }, [side.element, grid]);

app.append(toolbar, hints.element, loadStatus.progress, queryErrors, loadStatus.notes, timeline.element, main);

// ---- results and rows -----------------------------------------------------------------------
let version = -1;
let total = 0;
let activeQuery = '';
let firstResults = true;
const cache = new Map<number, RowSummary>();
/**
 * The rows shown before a refresh of the same query (a streaming load re-runs it): drawn until
 * the new rows arrive, so the table does not flash placeholders on every refresh.
 */
let stale = new Map<number, RowSummary>();
let activeSort: SortOrder | undefined;
const pending = new Set<number>();
let selectedIndex = -1;

function requestBlock(block: number): void {
  if (pending.has(block) || block * BLOCK >= total) return;
  pending.add(block);
  vscode.postMessage({ type: 'rows', version, start: block * BLOCK, count: BLOCK });
}

function formatLocal(ms: number): string {
  return `Local time: ${new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'long' })}`;
}

function renderRow(index: number, row: RowSummary | undefined): HTMLElement {
  const r = el('div', { className: 'row', role: 'row' });
  r.style.top = `${index * ROW_HEIGHT}px`;
  r.setAttribute('aria-rowindex', String(index + 2));
  r.dataset.index = String(index);
  if (!row) {
    r.classList.add('placeholder');
    r.append(el('div', { className: 'cell', textContent: '…' }));
    return r;
  }
  if (row.errorCode) r.classList.add('error');
  if (row.readOnly === 'false') r.classList.add('write');
  if (row.id === state.selectedId) {
    r.classList.add('selected');
    r.setAttribute('aria-selected', 'true');
  }
  const hl = row.highlights ?? {};
  const cell = (col: Column, text: string, tip?: string): HTMLElement => {
    const c = el('div', { className: `cell c-${col}`, role: 'gridcell' });
    setHighlighted(c, text, hl[col] ?? []);
    if (tip) c.title = tip;
    return c;
  };
  const time = cell('time', row.timeText || '(no time)', row.time === null ? undefined : formatLocal(row.time));
  const name = cell('eventName', row.eventName || '(no event name)');
  if (row.readOnly === 'false')
    name.prepend(
      el('span', {
        className: 'badge write-badge',
        textContent: 'write',
        title: 'Changes something (readOnly: false)',
      }),
    );
  const error = cell('errorCode', row.errorCode, row.errorMessage);
  const match = el('div', { className: 'cell c-match', role: 'gridcell' });
  if (row.otherMatch) {
    const { field, distance } = row.otherMatch;
    const edits = distance === undefined ? '' : `${distance} ${distance === 1 ? 'edit' : 'edits'}`;
    // A typo match: how far first, then the value it took (the field is in the tooltip), since
    // the column is narrow and the value is what the user mistyped.
    if (edits) match.append(el('span', { className: 'badge typo-badge', textContent: edits }));
    // A detection's note (how far, how fast) is read first; its rule is in the tooltip.
    else if (!row.otherMatch.note) match.append(el('span', { className: 'match-field', textContent: `${field}: ` }));
    const value = el('span');
    // The column is narrow: a match deep in a long value (a session at the end of an ARN) is
    // shown from just before it, so the matched part is what stays in view.
    const { text, ranges } = fromMatch(row.otherMatch.value, row.otherMatch.ranges);
    setHighlighted(value, text, ranges);
    match.append(value);
    match.title = edits
      ? `Typo match: ${field} ${row.otherMatch.value}, ${edits} from what was typed`
      : `${field}: ${row.otherMatch.value}`;
  }
  r.append(
    time,
    name,
    cell('eventSource', row.eventSource),
    cell('principal', row.principal || '(none)', row.principalDetail),
    cell('sourceIp', row.sourceIp, row.ipDetail || undefined),
    cell('country', row.country, row.ipDetail || undefined),
    cell('asn', row.asn, row.ipDetail || undefined),
    cell('awsRegion', row.awsRegion),
    error,
    match,
  );
  return r;
}

let renderQueued = false;
function render(): void {
  renderQueued = false;
  const height = viewport.clientHeight || 600;
  const first = Math.max(0, Math.floor(viewport.scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(total, Math.ceil((viewport.scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const rows: HTMLElement[] = [];
  for (let i = first; i < last; i++) {
    const row = cache.get(i);
    if (!row) requestBlock(Math.floor(i / BLOCK));
    const r = renderRow(i, row ?? stale.get(i));
    // A stale row may be another event by now: it is drawn, not opened.
    if (!row && stale.has(i)) r.classList.add('stale');
    rows.push(r);
  }
  spacer.replaceChildren(...rows);
}

function scheduleRender(): void {
  if (!renderQueued) {
    renderQueued = true;
    requestAnimationFrame(render);
  }
}

function showEmptyState(): void {
  let text = '';
  if (total === 0) {
    if (loadStatus.last?.loading) text = 'Loading…';
    // The store has events but the table's result is from before they came: the next refresh brings them.
    else if (!activeQuery && (loadStatus.last?.events ?? 0) > 0) text = 'Loading…';
    else if (activeQuery) text = `No events match “${activeQuery}”. Try fewer or shorter words.`;
    else if (loadStatus.last)
      text =
        loadStatus.last.filesFailed > 0
          ? 'No events could be read. The notes above say why, file by file.'
          : 'These files hold no events.';
  }
  empty.textContent = text;
  empty.hidden = !text;
}

function updateCounts(): void {
  const s = loadStatus.last;
  const parts: string[] = [];
  const events = s?.events ?? 0;
  parts.push(
    activeQuery
      ? `${total.toLocaleString()} of ${events.toLocaleString()} events`
      : `${events.toLocaleString()} events`,
  );
  if (s) {
    parts.push(`${s.filesDone.toLocaleString()} file${s.filesDone === 1 ? '' : 's'}`);
    if (s.filesFailed) parts.push(`${s.filesFailed} failed`);
    if (s.digests) parts.push(`${s.digests} digest${s.digests === 1 ? '' : 's'}`);
    if (s.duplicates) parts.push(`${s.duplicates.toLocaleString()} duplicates skipped`);
  }
  counts.textContent = parts.join(' · ');
  counts.classList.toggle('has-failures', !!s?.filesFailed);
}

function onResults(msg: Extract<ToWebview, { type: 'results' }>): void {
  const queryChanged = msg.query !== activeQuery;
  version = msg.version;
  total = msg.total;
  activeQuery = msg.query;
  // Only the rows of the result set just replaced, and only for the same query and order.
  stale = queryChanged || msg.sort !== activeSort ? new Map<number, RowSummary>() : new Map(cache);
  activeSort = msg.sort;
  cache.clear();
  pending.clear();
  if (queryChanged) grid.classList.remove('has-match');
  // Which query the table shows (read by the e2e tests; set as an attribute, never as markup).
  grid.dataset.query = activeQuery;
  spacer.style.height = `${total * ROW_HEIGHT}px`;
  queryErrors.textContent = msg.errors.join(' ');
  queryErrors.hidden = msg.errors.length === 0;
  if (firstResults) {
    firstResults = false;
    viewport.scrollTop = state.scrollTop;
  } else if (queryChanged) {
    viewport.scrollTop = 0;
    selectedIndex = -1;
  }
  updateCounts();
  showEmptyState();
  render();
}

function onStatus(s: LoadStatus): void {
  loadStatus.show(s);
  updateCounts();
  showEmptyState();
}

window.addEventListener('message', (event: MessageEvent) => {
  const msg = event.data as ToWebview;
  if (!msg || typeof msg !== 'object') return;
  switch (msg.type) {
    case 'init':
      if (typeof msg.title === 'string') title.textContent = msg.title;
      break;
    case 'status':
      onStatus(msg.status);
      break;
    case 'results':
      onResults(msg);
      break;
    case 'setQuery':
      if (typeof msg.text !== 'string') return;
      setQuery(msg.text);
      break;
    case 'overview':
      if (msg.version !== version) return;
      timeline.update(msg.timeline, activeQuery);
      side.showFacets(msg.facets);
      break;
    case 'detections':
      side.showDetections(msg.items, msg.problems, {
        running: msg.running,
        progress: msg.progress,
        stopped: msg.stopped,
      });
      break;
    case 'insights':
      side.showInsights(msg.items, msg.running, typeof msg.note === 'string' ? msg.note : undefined);
      break;
    case 'rows':
      if (msg.version !== version || !Array.isArray(msg.rows)) return;
      pending.delete(Math.floor(msg.start / BLOCK));
      msg.rows.forEach((row, i) => cache.set(msg.start + i, row));
      if (msg.rows.some((r) => r.otherMatch)) grid.classList.add('has-match');
      scheduleRender();
      break;
  }
});

/** `value` from a little before its first match (with a leading …) when the match starts late. */
function fromMatch(value: string, ranges: readonly Range[]): { text: string; ranges: Range[] } {
  const first = ranges.length ? ranges[0][0] : 0;
  if (first <= 8) return { text: value, ranges: [...ranges] };
  const cut = first - 4;
  return { text: `…${value.slice(cut)}`, ranges: ranges.map(([a, b]): Range => [a - cut + 1, b - cut + 1]) };
}

// ---- input --------------------------------------------------------------------------------
let queryTimer: number | undefined;
function sendQuery(): void {
  state.query = search.value;
  state.sort = sort.value as SortOrder;
  saveState();
  vscode.postMessage({ type: 'query', text: state.query, sort: state.sort });
}
search.addEventListener('input', () => {
  window.clearTimeout(queryTimer);
  queryTimer = window.setTimeout(sendQuery, 120);
  hints.show();
});

search.addEventListener('keydown', (e) => {
  if (e.key === 'Tab' && hints.takeFirst()) {
    e.preventDefault();
  } else if (e.key === 'Escape' && search.value) {
    search.value = '';
    sendQuery();
  } else if (e.key === 'ArrowDown' || e.key === 'Enter') {
    e.preventDefault();
    viewport.focus();
    if (selectedIndex < 0 && total > 0) select(0, e.key === 'Enter');
  }
});
sort.addEventListener('change', sendQuery);
addButton.addEventListener('click', () => vscode.postMessage({ type: 'add' }));
exportButton.addEventListener('click', () => vscode.postMessage({ type: 'export' }));
// The text as typed, even before the debounced search has run it here.
remoteButton.addEventListener('click', () => vscode.postMessage({ type: 'remote', text: search.value }));
const NARROW = window.matchMedia('(max-width: 720px)');
panelButton.addEventListener('click', () => {
  // Narrow: the panel opens over the table for a moment; the saved preference is for wide views.
  if (NARROW.matches) {
    main.classList.toggle('side-over', !main.classList.contains('side-over') || side.element.hidden);
    if (side.element.hidden) {
      state.sidePanel = true;
      side.element.hidden = false;
      panelButton.setAttribute('aria-pressed', 'true');
      saveState();
    }
    return;
  }
  state.sidePanel = !state.sidePanel;
  side.element.hidden = !state.sidePanel;
  panelButton.setAttribute('aria-pressed', String(state.sidePanel));
  saveState();
  scheduleRender();
});

let scrollSaveTimer: number | undefined;
viewport.addEventListener('scroll', () => {
  scheduleRender();
  window.clearTimeout(scrollSaveTimer);
  scrollSaveTimer = window.setTimeout(() => {
    state.scrollTop = viewport.scrollTop;
    saveState();
  }, 200);
});
window.addEventListener('resize', scheduleRender);

function select(index: number, open: boolean): void {
  if (total === 0) return;
  selectedIndex = Math.max(0, Math.min(total - 1, index));
  const top = selectedIndex * ROW_HEIGHT;
  if (top < viewport.scrollTop) viewport.scrollTop = top;
  else if (top + ROW_HEIGHT > viewport.scrollTop + viewport.clientHeight)
    viewport.scrollTop = top + ROW_HEIGHT - viewport.clientHeight;
  const row = cache.get(selectedIndex);
  state.selectedId = row ? row.id : null;
  saveState();
  if (open && row) vscode.postMessage({ type: 'open', id: row.id });
  scheduleRender();
}

spacer.addEventListener('click', (e) => {
  const rowEl = (e.target as HTMLElement).closest<HTMLElement>('.row');
  if (!rowEl?.dataset.index) return;
  viewport.focus();
  select(Number(rowEl.dataset.index), true);
});

viewport.addEventListener('keydown', (e) => {
  const page = Math.max(1, Math.floor(viewport.clientHeight / ROW_HEIGHT) - 1);
  const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page };
  if (e.key in moves) select((selectedIndex < 0 ? -1 : selectedIndex) + moves[e.key], false);
  else if (e.key === 'Home') select(0, false);
  else if (e.key === 'End') select(total - 1, false);
  else if (e.key === 'Enter' || e.key === ' ') select(selectedIndex < 0 ? 0 : selectedIndex, true);
  else if (e.key === '/' || (e.key === 'f' && (e.ctrlKey || e.metaKey))) search.focus();
  else return;
  e.preventDefault();
});

vscode.postMessage({ type: 'ready' });
sendQuery();
