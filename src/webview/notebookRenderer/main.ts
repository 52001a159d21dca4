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

export const activate = (): RendererApi => ({
  renderOutputItem(item, element) {
    element.replaceChildren();
    const out = parseOutput(item.json());
    element.append(out ? render(out) : el('div', { textContent: 'This output could not be read.' }));
  },
});
