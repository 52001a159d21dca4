/**
 * Lays out one event: header (what, when, where, outcome), the identity card (who), network and
 * client (from where, with what), pivots, resources, request/response sections and the full
 * event. DOM APIs and textContent only: every value here may be attacker-controlled.
 */
import type {
  ChainView,
  DetailField,
  EventDetail,
  IpPlace,
  Pivot,
  PivotField,
  PolicyScope,
  SessionBy,
  SessionLink,
} from '../../protocol/eventView';
import { clip, el } from '../shared/dom';
import { renderChain } from './chain';
import { renderJson, type TreeHooks } from './jsonTree';

export interface PageHooks extends TreeHooks {
  /** The fields the view behind this event can pivot on (none: no pivots are offered). */
  pivotable: ReadonlySet<PivotField>;
  pivot(field: PivotField, value: string): void;
  openJson(): void;
  /** Sessions this event belongs to (none: the section is left out). */
  sessions: SessionLink[];
  showSession(by: SessionBy): void;
  /** The credential chain behind the event (none: the block is left out). */
  chain?: ChainView;
  /** The event's log view is open: hops open, and the key report and policy drafts are offered. */
  linked?: boolean;
  /** Where the source IP is (none: the rows are left out). */
  ip?: IpPlace;
  openHop?(row: number): void;
  keyReport?: () => void;
  policy?: (scope: PolicyScope) => void;
}

function badge(text: string, className = ''): HTMLElement {
  return el('span', { className: `badge ${className}`.trim(), textContent: text });
}

function pivotButton(field: PivotField, value: string, label: string, hooks: PageHooks): HTMLElement | undefined {
  if (!hooks.pivotable.has(field) || !value) return undefined;
  const b = el('button', {
    className: 'pivot',
    type: 'button',
    textContent: clip(label, 120),
    title: `Show all events with ${field} ${clip(value, 300)}`,
  });
  b.dataset.field = field;
  b.addEventListener('click', () => hooks.pivot(field, value));
  return b;
}

function fieldRow(f: DetailField, hooks: PageHooks): HTMLElement[] {
  const value = el('dd', { className: `${f.mono ? 'mono' : ''} ${f.tone ? `tone-${f.tone}` : ''}`.trim() });
  value.append(el('span', { className: 'value', textContent: clip(f.value) }));
  if (f.title) value.title = f.title;
  const p = f.pivot && pivotButton(f.pivot, f.value, 'Show events', hooks);
  if (p) value.append(p);
  if (f.pivot === 'accessKey' && hooks.linked && hooks.keyReport) {
    const report = hooks.keyReport;
    const b = el('button', {
      className: 'pivot key-report',
      type: 'button',
      textContent: 'Key report',
      title:
        'Everything the loaded events say about this key: its life, where and how it was used, the sessions minted with it',
    });
    b.addEventListener('click', () => report());
    value.append(b);
  }
  return [el('dt', { textContent: f.label }), value];
}

function section(title: string, className: string, body: Node[], collapsible = false): HTMLElement {
  if (collapsible) {
    const d = el('details', { className: `section ${className}`, open: true });
    d.append(el('summary', { className: 'section-title', textContent: title }), ...body);
    return d;
  }
  return el('section', { className: `section ${className}` }, [
    el('h2', { className: 'section-title', textContent: title }),
    ...body,
  ]);
}

function header(d: EventDetail, hooks: PageHooks): HTMLElement {
  const title = el('h1', { className: 'event-name', textContent: clip(d.eventName, 300) });
  const source = el('span', { className: 'event-source', textContent: clip(d.eventSource, 300) });
  const outcome = d.outcome.ok ? badge('Success', 'ok') : badge(clip(d.outcome.errorCode, 120) || 'Failed', 'failed');
  const badges = el('div', { className: 'badges' }, [outcome]);
  if (d.readOnly) badges.append(badge(d.readOnly, d.readOnly === 'write' ? 'write' : 'read'));
  for (const b of [
    d.kind,
    d.eventType,
    d.eventCategory && d.eventCategory.toLowerCase() !== d.kind ? d.eventCategory : '',
  ])
    if (b) badges.append(badge(clip(b, 120)));
  const time = el('span', { className: 'time mono', textContent: clip(d.timeUtc, 100) || '(no time)' });
  if (d.time !== null)
    time.title = `Local time: ${new Date(d.time).toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'long' })}`;
  const meta = el('div', { className: 'meta' }, [time]);
  for (const [label, value] of [
    ['Region', d.region],
    ['Account', d.account],
    ['Event ID', d.eventId],
  ] as const) {
    if (value)
      meta.append(
        el('span', { className: 'meta-item' }, [
          el('span', { className: 'meta-label', textContent: `${label} ` }),
          el('span', { className: 'mono', textContent: clip(value, 300) }),
        ]),
      );
  }
  const actions = el('div', { className: 'actions' });
  const openJson = el('button', { type: 'button', className: 'action', textContent: 'Open as JSON document' });
  openJson.addEventListener('click', () => hooks.openJson());
  const copyAll = el('button', { type: 'button', className: 'action', textContent: 'Copy event JSON' });
  copyAll.addEventListener('click', () => hooks.copy(JSON.stringify(d.event, null, 2), 'event JSON'));
  actions.append(openJson, copyAll);
  const top = el('header', { className: 'event-header' }, [
    el('div', { className: 'title-line' }, [title, source]),
    badges,
    meta,
    actions,
  ]);
  if (!d.outcome.ok) {
    const err = el('div', { className: 'error-box', role: 'alert' }, [
      el('div', { className: 'error-code', textContent: clip(d.outcome.errorCode, 300) || 'The call failed' }),
    ]);
    if (d.outcome.errorMessage)
      err.append(el('div', { className: 'error-message', textContent: clip(d.outcome.errorMessage) }));
    const p = pivotButton('error', d.outcome.errorCode, `All ${d.outcome.errorCode} errors`, hooks);
    if (p && d.pivots.some((x) => x.field === 'error')) err.append(p);
    top.append(err);
  }
  return top;
}

function identity(d: EventDetail, hooks: PageHooks): HTMLElement {
  const card = d.identity;
  const body: Node[] = [];
  if (card.flag === 'root') {
    body.push(
      el('div', {
        className: 'root-flag',
        role: 'alert',
        textContent:
          'ROOT USER — the account\u2019s all-powerful identity. Root activity should be rare; check that this was expected.',
      }),
    );
  } else if (card.flag === 'unknown') {
    body.push(
      el('div', {
        className: 'unknown-flag',
        textContent: 'CloudTrail could not attribute this call to a known identity type.',
      }),
    );
  }
  body.push(
    el('div', { className: 'identity-name' }, [
      el('span', { className: 'identity-type', textContent: clip(card.type, 120) }),
      el('span', { className: 'principal-name', textContent: clip(card.name, 300) }),
    ]),
    el('div', { className: 'identity-heading', textContent: card.heading }),
  );
  const dl = el('dl', { className: 'fields' });
  for (const f of card.fields) dl.append(...fieldRow(f, hooks));
  body.push(dl);
  const chain = renderChain(hooks.chain, { linked: !!hooks.linked, openHop: (row) => hooks.openHop?.(row) });
  if (chain) body.push(chain);
  const policy = hooks.policy;
  if (hooks.linked && policy) {
    const button = (scope: PolicyScope, text: string, title: string): HTMLElement => {
      const b = el('button', { className: 'pivot draft-policy', type: 'button', textContent: text, title });
      b.dataset.scope = scope;
      b.addEventListener('click', () => policy(scope));
      return b;
    };
    body.push(
      el('div', { className: 'identity-actions' }, [
        el('span', { className: 'meta-label', textContent: 'Least privilege: ' }),
        button(
          'principal',
          'Draft policy: this principal',
          'An IAM policy allowing exactly what this principal (a role: every session of it) was seen doing',
        ),
        button(
          'session',
          'Draft policy: this session',
          'An IAM policy allowing exactly what this session (its access key) was seen doing',
        ),
      ]),
    );
  }
  // The type is attacker-influenced: only letters reach the class list.
  return section('Who', `identity identity-${card.type.replace(/[^A-Za-z]/g, '')}`, body);
}

function network(d: EventDetail, hooks: PageHooks): HTMLElement {
  const dl = el('dl', { className: 'fields' });
  const rows: DetailField[] = [
    { label: 'Source IP', value: d.sourceIp, pivot: 'ip', mono: true, title: hooks.ip?.detail || undefined },
    // Where the address is, from the IP data; the hover names the data sets, their dates and licences.
    { label: 'Location', value: hooks.ip?.place ?? '', title: hooks.ip?.detail || undefined },
    { label: 'Network', value: hooks.ip?.network ?? '', title: hooks.ip?.detail || undefined },
    { label: 'AWS', value: hooks.ip?.aws ?? '', title: hooks.ip?.detail || undefined },
    { label: 'Client', value: d.client },
    { label: 'User agent', value: d.userAgent, mono: true },
  ];
  if (d.mfaUsed) rows.push({ label: 'MFA used', value: d.mfaUsed, tone: d.mfaUsed === 'No' ? 'warning' : undefined });
  for (const f of rows) if (f.value) dl.append(...fieldRow(f, hooks));
  const body: Node[] =
    dl.childElementCount > 0
      ? [dl]
      : [el('div', { className: 'empty-note', textContent: 'This event records no source IP or user agent.' })];
  return section('From where, with what', 'network', body);
}

function pivots(list: Pivot[], hooks: PageHooks): HTMLElement | undefined {
  const buttons = list.map((p) => pivotButton(p.field, p.value, p.label, hooks)).filter((b): b is HTMLElement => !!b);
  if (buttons.length === 0) return undefined;
  return section('Pivot: show all events with…', 'pivots', [el('div', { className: 'pivot-list' }, buttons)]);
}

function utcMinute(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** "Show this session": the principal's or access key's run of activity around this event. */
function sessions(hooks: PageHooks): HTMLElement | undefined {
  if (hooks.sessions.length === 0) return undefined;
  const rows = hooks.sessions.map((s) => {
    const who = s.by === 'accessKey' ? 'Access key' : 'Principal';
    const minutes = Math.max(1, Math.round((s.end - s.start) / 60_000));
    const b = el('button', {
      className: 'pivot session-link',
      type: 'button',
      textContent: `Show this session (${s.count.toLocaleString()} events)`,
    });
    b.dataset.by = s.by;
    b.title = `All events of ${clip(s.key, 300)} from ${utcMinute(s.start)} to ${utcMinute(s.end)} UTC, with no pause longer than ${s.gapMinutes.toLocaleString()} minutes.`;
    b.addEventListener('click', () => hooks.showSession(s.by));
    const text = `${utcMinute(s.start)} – ${utcMinute(s.end)} UTC · ${minutes.toLocaleString()} min · ${s.count.toLocaleString()} events${s.errors ? ` · ${s.errors.toLocaleString()} errors` : ''}`;
    return el('li', {}, [
      el('span', { className: 'meta-label', textContent: `${who} ` }),
      el('span', { className: 'mono', textContent: clip(s.key, 200) }),
      el('div', { className: 'session-span', textContent: text }),
      b,
    ]);
  });
  return section('Session: activity around this event', 'sessions', [el('ul', { className: 'session-list' }, rows)]);
}

function resources(d: EventDetail, hooks: PageHooks): HTMLElement | undefined {
  if (d.resources.length === 0) return undefined;
  const list = el('ul', { className: 'resources' });
  for (const r of d.resources) {
    const li = el('li', {}, [el('span', { className: 'mono', textContent: clip(r.arn) || '(no ARN)' })]);
    if (r.type) li.append(badge(clip(r.type, 120)));
    if (r.account) li.append(el('span', { className: 'meta-label', textContent: ` account ${clip(r.account, 120)}` }));
    const p = pivotButton('resource', r.arn, 'Show events', hooks);
    if (p) li.append(p);
    list.append(li);
  }
  return section('Resources', 'resources-section', [list]);
}

/** Builds the whole page for one event. */
export function renderEvent(d: EventDetail, hooks: PageHooks): HTMLElement {
  const page = el('main', { className: 'event-page' });
  page.append(header(d, hooks), el('div', { className: 'cards' }, [identity(d, hooks), network(d, hooks)]));
  const extra = [pivots(d.pivots, hooks), sessions(hooks), resources(d, hooks)].filter((x): x is HTMLElement => !!x);
  page.append(...extra);
  for (const s of d.sections) {
    page.append(
      section(
        s.title,
        `json-section section-${s.key}`,
        [el('div', { className: 'json' }, [renderJson(s.value, `$.${s.key}`, hooks)])],
        true,
      ),
    );
  }
  page.append(
    section(
      'Full event',
      'json-section section-full',
      [el('div', { className: 'json' }, [renderJson(d.event, '$', hooks)])],
      true,
    ),
  );
  return page;
}
