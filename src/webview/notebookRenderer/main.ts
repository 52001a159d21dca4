/**
 * The notebook renderer for a query cell's output (contributes.notebookRenderer). Everything in a
 * saved output may come from someone else's file, so it is drawn with DOM APIs and text nodes only
 * (shared/dom.ts `el`), never parsed as markup; styles use the theme's variables through CSSOM.
 */
import type { QueryOutput } from '../../protocol/notebook';
import { parseOutput } from '../../core/notebook/outputShape';
import { el } from '../shared/dom';

/** The part of VS Code's renderer API used here (the `vscode-notebook-renderer` types, by hand). */
interface OutputItem {
  readonly mime: string;
  json(): unknown;
}
interface RendererApi {
  renderOutputItem(item: OutputItem, element: HTMLElement): void;
  disposeOutputItem?(id?: string): void;
}

const fmt = (n: number): string => n.toLocaleString('en-US');

function style(node: HTMLElement, css: Partial<CSSStyleDeclaration>): HTMLElement {
  Object.assign(node.style, css);
  return node;
}

const COLUMNS: Array<[keyof QueryOutput['rows'][number], string]> = [
  ['time', 'Time (UTC)'],
  ['eventName', 'Event'],
  ['principal', 'Who'],
  ['sourceIp', 'From'],
  ['awsRegion', 'Region'],
  ['errorCode', 'Error'],
];

function render(out: QueryOutput): HTMLElement {
  const root = style(el('div', { className: 'ctl-output' }), {
    fontFamily: 'var(--vscode-font-family)',
    fontSize: 'var(--vscode-font-size)',
    color: 'var(--vscode-foreground)',
  });
  const head = el('div', { className: 'ctl-count' });
  head.append(
    style(el('strong', { textContent: `${fmt(out.count)} event${out.count === 1 ? '' : 's'}` }), { fontSize: '1.1em' }),
    document.createTextNode(` of ${fmt(out.loaded)} loaded match `),
    style(el('code', { textContent: out.query || '(everything)' }), { fontFamily: 'var(--vscode-editor-font-family)' }),
    style(
      el('span', { textContent: out.ranAt ? ` — run ${out.ranAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}` : '' }),
      {
        color: 'var(--vscode-descriptionForeground)',
      },
    ),
  );
  root.append(head);
  if (out.previousCount !== undefined && out.previousCount !== out.count) {
    const d = out.count - out.previousCount;
    root.append(
      style(
        el('div', {
          className: 'ctl-changed',
          role: 'status',
          textContent: `Changed since the saved run: ${fmt(out.previousCount)} → ${fmt(out.count)} (${d > 0 ? '+' : ''}${fmt(d)})`,
        }),
        {
          margin: '4px 0',
          padding: '2px 6px',
          borderLeft: '3px solid var(--vscode-editorWarning-foreground)',
          background: 'var(--vscode-inputValidation-warningBackground)',
        },
      ),
    );
  }
  for (const p of out.problems)
    root.append(
      style(el('div', { className: 'ctl-problem', textContent: `⚠ ${p}` }), {
        color: 'var(--vscode-errorForeground)',
      }),
    );
  if (out.rows.length > 0) {
    const table = style(el('table', { className: 'ctl-rows' }), {
      borderCollapse: 'collapse',
      margin: '6px 0',
      width: '100%',
    });
    const cell = (tag: 'th' | 'td', text: string): HTMLElement =>
      style(el(tag, { textContent: text, title: text }), {
        textAlign: 'left',
        padding: '2px 8px 2px 0',
        borderBottom: '1px solid var(--vscode-editorWidget-border, rgba(128,128,128,.35))',
        maxWidth: '28em',
        overflow: 'hidden',
        textOverflow: 'ellipsis',
        whiteSpace: 'nowrap',
      });
    const row = (tag: 'th' | 'td', texts: string[]): HTMLElement =>
      el(
        'tr',
        {},
        texts.map((t) => cell(tag, t)),
      );
    table.append(
      el('thead', {}, [
        row(
          'th',
          COLUMNS.map(([, t]) => t),
        ),
      ]),
      el(
        'tbody',
        {},
        out.rows.map((r) =>
          row(
            'td',
            COLUMNS.map(([k]) => r[k] || '—'),
          ),
        ),
      ),
    );
    root.append(table);
    if (out.count > out.rows.length)
      root.append(
        style(
          el('div', {
            textContent: `The first ${fmt(out.rows.length)} of ${fmt(out.count)} are kept${out.truncated ? ' (cut to the size bound)' : ''}.`,
          }),
          {
            color: 'var(--vscode-descriptionForeground)',
          },
        ),
      );
  }
  if (out.timeline) root.append(timeline(out.timeline));
  if (out.detections && out.detections.length > 0) root.append(detections(out.detections));
  if (out.facets.length > 0) {
    const facets = style(el('div', { className: 'ctl-facets' }), {
      display: 'flex',
      flexWrap: 'wrap',
      gap: '4px 24px',
      marginTop: '6px',
    });
    for (const f of out.facets) {
      const list = el(
        'ol',
        {},
        f.values.map((v) => el('li', { textContent: `${v.value || '—'} (${fmt(v.count)})` })),
      );
      style(list, { margin: '2px 0', paddingLeft: '1.4em' });
      facets.append(el('div', {}, [el('strong', { textContent: f.title }), list]));
    }
    root.append(facets);
  }
  return root;
}

const utc = (ms: number): string =>
  new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/:\d\d\.\d+Z$/, 'Z');

/** The matching events over time: one bar per bucket (its failed part in the error colour), the span below. */
function timeline(t: NonNullable<QueryOutput['timeline']>): HTMLElement {
  const most = Math.max(1, ...t.counts);
  const bars = style(el('div', { className: 'ctl-timeline', role: 'img' }), {
    display: 'flex',
    alignItems: 'flex-end',
    gap: '1px',
    height: '48px',
    margin: '8px 0 2px',
    maxWidth: '720px',
  });
  const end = t.start + t.bucketMs * t.counts.length;
  bars.setAttribute('aria-label', `Matching events from ${utc(t.start)} to ${utc(end)}`);
  t.counts.forEach((c, i) => {
    const h = c === 0 ? 0 : Math.max(2, Math.round((c / most) * 48));
    const failed = c === 0 ? 0 : Math.round((t.errors[i] / c) * h);
    const bar = style(
      el('div', {
        className: 'ctl-bar',
        title: `${utc(t.start + i * t.bucketMs)}: ${fmt(c)} events, ${fmt(t.errors[i])} failed`,
      }),
      {
        flex: '1 1 0',
        // A few buckets stay bars, not a block across the cell.
        maxWidth: '24px',
        height: `${h}px`,
        display: 'flex',
        flexDirection: 'column-reverse',
        background: 'var(--vscode-charts-blue, #3794ff)',
      },
    );
    if (failed > 0)
      bar.append(style(el('div'), { height: `${failed}px`, background: 'var(--vscode-charts-red, #f14c4c)' }));
    bars.append(bar);
  });
  const caption = style(
    el('div', { className: 'ctl-timeline-caption', textContent: `${utc(t.start)} → ${utc(end)}` }),
    { color: 'var(--vscode-descriptionForeground)', fontSize: '0.9em' },
  );
  return el('div', {}, [bars, caption]);
}

/** The detections that fired on matching events, most severe first. */
function detections(list: NonNullable<QueryOutput['detections']>): HTMLElement {
  const colour: Record<string, string> = {
    critical: 'var(--vscode-errorForeground)',
    high: 'var(--vscode-errorForeground)',
    medium: 'var(--vscode-editorWarning-foreground)',
    low: 'var(--vscode-descriptionForeground)',
    info: 'var(--vscode-descriptionForeground)',
  };
  const items = list.map((d) =>
    el('li', { title: d.id }, [
      style(el('span', { className: `ctl-severity`, textContent: d.severity.toUpperCase() }), {
        color: colour[d.severity] ?? colour.info,
        fontWeight: '600',
        fontSize: '0.85em',
        marginRight: '6px',
      }),
      document.createTextNode(`${d.title} (${fmt(d.count)})`),
    ]),
  );
  const ol = style(el('ul', {}, items), { margin: '2px 0', paddingLeft: '1.4em' });
  return style(
    el('div', { className: 'ctl-detections' }, [el('strong', { textContent: 'Detections on these events' }), ol]),
    {
      marginTop: '6px',
    },
  );
}

export const activate = (): RendererApi => ({
  renderOutputItem(item, element) {
    element.replaceChildren();
    const out = parseOutput(item.json());
    element.append(out ? render(out) : el('div', { textContent: 'This output could not be read.' }));
  },
});
