/**
 * The event view webview: renders the event the host sends, keeps which JSON nodes are collapsed
 * (per event) across being hidden and shown, and sends pivots and copies back. It checks each
 * message's shape before acting on it.
 */
import {
  type ChainView,
  type EventDetail,
  type EventViewState,
  type IpPlace,
  type FromEventView,
  PIVOT_FIELDS,
  type PivotField,
  type SessionLink,
  type ToEventView,
} from '../../protocol/eventView';
import { el } from '../shared/dom';
import { vscodeApi } from '../shared/vscodeApi';
import { parseChain } from './chain';
import { renderEvent } from './render';

const vscode = vscodeApi<FromEventView, EventViewState & { eventId?: string }>();
/** The most the host copies to the clipboard (core/ui/eventViewMessages.ts). */
const MAX_COPY = 5 * 1024 * 1024;

function readState(): EventViewState & { eventId?: string } {
  const s = vscode.getState();
  return {
    collapsed: Array.isArray(s?.collapsed) ? s.collapsed.filter((p): p is string => typeof p === 'string') : [],
    expanded: Array.isArray(s?.expanded) ? s.expanded.filter((p): p is string => typeof p === 'string') : [],
    scrollTop: typeof s?.scrollTop === 'number' ? s.scrollTop : 0,
    eventId: typeof s?.eventId === 'string' ? s.eventId : undefined,
  };
}

let state = readState();
const app = document.getElementById('app')!;
const toast = el('div', { className: 'toast', role: 'status' });
document.body.append(toast);

function isSessionLink(s: unknown): s is SessionLink {
  const x = s as Record<string, unknown> | null;
  return (
    !!x &&
    (x.by === 'principal' || x.by === 'accessKey') &&
    typeof x.key === 'string' &&
    ['start', 'end', 'count', 'errors', 'gapMinutes'].every((k) => typeof x[k] === 'number')
  );
}

/** The parts of a `show` message that rendering relies on. */
function isDetail(d: unknown): d is EventDetail {
  if (typeof d !== 'object' || d === null) return false;
  const x = d as Record<string, unknown>;
  const strings = [
    'eventName',
    'eventSource',
    'timeUtc',
    'region',
    'account',
    'eventId',
    'readOnly',
    'kind',
    'sourceIp',
    'userAgent',
    'client',
  ];
  return (
    strings.every((k) => typeof x[k] === 'string') &&
    (x.time === null || typeof x.time === 'number') &&
    typeof x.identity === 'object' &&
    x.identity !== null &&
    Array.isArray((x.identity as { fields?: unknown }).fields) &&
    typeof x.outcome === 'object' &&
    x.outcome !== null &&
    Array.isArray(x.sections) &&
    Array.isArray(x.resources) &&
    Array.isArray(x.pivots) &&
    typeof x.event === 'object' &&
    x.event !== null
  );
}

function save(): void {
  vscode.setState(state);
}

function show(
  detail: EventDetail,
  pivotable: ReadonlySet<PivotField>,
  sessions: SessionLink[],
  chain: ChainView | undefined,
  linked: boolean,
  ip: IpPlace | undefined,
): void {
  if (state.eventId !== detail.eventId) state = { collapsed: [], expanded: [], scrollTop: 0, eventId: detail.eventId };
  const collapsed = new Set(state.collapsed);
  const expanded = new Set(state.expanded);
  let toastTimer: number | undefined;
  const page = renderEvent(detail, {
    copy(text, what) {
      // The host refuses copies past 5 MB: say so instead of claiming success.
      const tooLarge = text.length > MAX_COPY;
      if (!tooLarge) vscode.postMessage({ type: 'copy', text, what });
      toast.textContent = tooLarge
        ? `Too large to copy (${(text.length / 1e6).toFixed(1)} MB): use "Open as JSON document"`
        : `Copied ${what}`;
      toast.classList.add('shown');
      window.clearTimeout(toastTimer);
      toastTimer = window.setTimeout(() => toast.classList.remove('shown'), 1500);
    },
    isCollapsed: (path) => collapsed.has(path),
    isExpanded: (path) => expanded.has(path),
    setCollapsed(path, value) {
      if (value) {
        collapsed.add(path);
        expanded.delete(path);
      } else {
        collapsed.delete(path);
        expanded.add(path);
      }
      state.collapsed = [...collapsed];
      state.expanded = [...expanded];
      save();
    },
    pivotable,
    pivot: (field, value) => vscode.postMessage({ type: 'pivot', field, value }),
    openJson: () => vscode.postMessage({ type: 'openJson' }),
    sessions,
    showSession: (by) => vscode.postMessage({ type: 'session', by }),
    chain,
    linked,
    ip,
    openHop: (row) => vscode.postMessage({ type: 'openHop', row }),
    keyReport: () => vscode.postMessage({ type: 'keyReport' }),
    policy: (scope) => vscode.postMessage({ type: 'policy', scope }),
  });
  app.replaceChildren(page);
  document.documentElement.scrollTop = state.scrollTop;
  save();
}

let scrollTimer: number | undefined;
window.addEventListener('scroll', () => {
  window.clearTimeout(scrollTimer);
  scrollTimer = window.setTimeout(() => {
    state.scrollTop = document.documentElement.scrollTop;
    save();
  }, 200);
});

window.addEventListener('message', (event: MessageEvent) => {
  const msg = event.data as ToEventView;
  if (msg?.type === 'show' && isDetail(msg.detail)) {
    const pivotable = new Set(
      (Array.isArray(msg.pivotable) ? msg.pivotable : []).filter((f): f is PivotField =>
        (PIVOT_FIELDS as readonly string[]).includes(f),
      ),
    );
    show(
      msg.detail,
      pivotable,
      Array.isArray(msg.sessions) ? msg.sessions.filter(isSessionLink) : [],
      parseChain(msg.chain),
      msg.linked === true,
      parseIpPlace(msg.ip),
    );
  }
});

/** The IP rows, when every one is a string (the host sends strings; anything else is dropped). */
function parseIpPlace(v: unknown): IpPlace | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const keys = ['place', 'network', 'aws', 'detail'] as const;
  return keys.every((k) => typeof o[k] === 'string')
    ? { place: o.place as string, network: o.network as string, aws: o.aws as string, detail: o.detail as string }
    : undefined;
}

vscode.postMessage({ type: 'ready' });
