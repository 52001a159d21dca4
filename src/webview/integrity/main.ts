/**
 * The integrity report page: a verdict, the counts, what could not be checked, and every finding
 * (problems first, "Show valid items too" for the rest). Every string from the report — keys and
 * reasons hold attacker-influenced names — goes in as text, never as markup.
 */
import type {
  Finding,
  FindingKind,
  FromIntegrityView,
  IntegrityReport,
  Outcome,
  ToIntegrityView,
  Verdict,
} from '../../protocol/integrity';
import { clip, el } from '../shared/dom';
import { vscodeApi } from '../shared/vscodeApi';

const vscode = vscodeApi<FromIntegrityView, { showValid: boolean }>();
const app = document.getElementById('app')!;
const toast = el('div', { className: 'toast', role: 'status' });
document.body.append(toast);

const VERDICT_LABEL: Record<Verdict, string> = {
  valid: 'valid',
  invalid: 'INVALID',
  missing: 'MISSING',
  unverifiable: 'not verifiable',
  notDelivered: 'not yet delivered',
};
const KIND_LABEL: Record<FindingKind, string> = {
  digest: 'Digest files',
  log: 'Log files',
  chain: 'Chain links',
  gap: 'Gaps',
};
const COUNT_KEY: Record<FindingKind, keyof IntegrityReport['counts']> = {
  digest: 'digests',
  log: 'logs',
  chain: 'chain',
  gap: 'gaps',
};
const VERDICTS: Verdict[] = ['valid', 'invalid', 'missing', 'unverifiable', 'notDelivered'];
let showValid = vscode.getState()?.showValid === true;
const HEADINGS: Record<Outcome, string> = { intact: 'Intact', notVerified: 'Not verified', problems: 'Problems found' };
let current: { report: IntegrityReport; summary: string; outcome: Outcome } | undefined;

function countsTable(r: IntegrityReport): HTMLElement {
  const head = el('tr', {}, [
    el('th', { textContent: '' }),
    ...VERDICTS.map((v) => el('th', { textContent: VERDICT_LABEL[v] })),
  ]);
  const rows = (Object.keys(KIND_LABEL) as FindingKind[]).map((k) => {
    const c = r.counts[COUNT_KEY[k]];
    return el('tr', {}, [
      el('th', { textContent: KIND_LABEL[k] }),
      ...VERDICTS.map((v) =>
        el('td', { className: c[v] && v !== 'valid' ? `n v-${v}` : 'n', textContent: String(c[v] ?? 0) }),
      ),
    ]);
  });
  return el('table', { className: 'counts' }, [el('thead', {}, [head]), el('tbody', {}, rows)]);
}

function findingRow(f: Finding): HTMLElement {
  return el('tr', { className: `finding v-${f.verdict}` }, [
    el('td', {}, [el('span', { className: `badge v-${f.verdict}`, textContent: VERDICT_LABEL[f.verdict] })]),
    el('td', { textContent: f.kind }),
    el('td', { className: 'mono', textContent: f.time ?? '' }),
    el('td', { className: 'mono', textContent: [f.account, f.region].filter(Boolean).join(' ') }),
    el('td', {}, [
      el('div', { className: 'mono location', textContent: clip(f.location, 400) }),
      el('div', { className: 'reason', textContent: clip(f.reason, 1000) }),
    ]),
  ]);
}

/** "2 problems · 4 to note": altered or missing items apart from those merely unchecked or not yet due. */
function heading(shown: Finding[]): string {
  const bad = shown.filter((f) => f.verdict === 'invalid' || f.verdict === 'missing').length;
  const note = shown.length - bad;
  const parts = [
    `${bad} problem${bad === 1 ? '' : 's'}`,
    ...(note ? [`${note} to note (not verifiable, or not yet delivered)`] : []),
  ];
  return parts.join(' · ');
}

function render(): void {
  if (!current) return;
  const { report: r, summary, outcome } = current;
  const shown = r.findings.filter((f) => showValid || f.verdict !== 'valid');
  const toggle = el('input', { type: 'checkbox' });
  toggle.checked = showValid;
  toggle.addEventListener('change', () => {
    showValid = toggle.checked;
    vscode.setState({ showValid });
    render();
  });
  const exportButton = el('button', { className: 'action', textContent: 'Export JSON…' });
  exportButton.addEventListener('click', () => vscode.postMessage({ type: 'export' }));
  app.replaceChildren(
    el('header', { className: 'report-header' }, [
      el('h1', {
        className: `verdict ${outcome === 'intact' ? 'ok' : 'bad'}`,
        textContent: HEADINGS[outcome] ?? 'Problems found',
      }),
      // The heading already says intact, not verified, or problems.
      el('p', { className: 'summary', textContent: summary.replace(/^[A-Z ]+: /, '') }),
      el('p', {
        className: 'meta',
        textContent: `${r.mode === 'online' ? 'Online (S3)' : 'Offline (local folder)'} · ${clip(r.source, 300)}${r.window ? ` · ${r.window.start} → ${r.window.end}` : ''} · generated ${r.generatedAt}`,
      }),
      el('div', { className: 'actions' }, [
        exportButton,
        el('label', { className: 'toggle' }, [toggle, document.createTextNode(' Show valid items too')]),
      ]),
    ]),
    countsTable(r),
    ...(r.notes.length
      ? [
          el('section', { className: 'notes' }, [
            el('h2', { textContent: 'Not checked' }),
            el(
              'ul',
              {},
              r.notes.map((n) => el('li', { textContent: clip(n, 1000) })),
            ),
          ]),
        ]
      : []),
    el('h2', { textContent: showValid ? `All ${r.findings.length} items` : heading(shown) }),
    shown.length
      ? el('table', { className: 'findings' }, [
          el('thead', {}, [
            el(
              'tr',
              {},
              ['Verdict', 'Kind', 'Time (UTC)', 'Account / region', 'File and reason'].map((h) =>
                el('th', { textContent: h }),
              ),
            ),
          ]),
          el('tbody', {}, shown.slice(0, 5000).map(findingRow)),
        ])
      : el('p', { className: 'empty', textContent: 'Nothing altered, missing or unverifiable.' }),
  );
}

function isInit(
  m: Record<string, unknown>,
): m is { type: 'init'; report: IntegrityReport; summary: string; outcome: Outcome } {
  const r = m.report as Record<string, unknown> | undefined;
  return (
    typeof m.summary === 'string' &&
    typeof m.outcome === 'string' &&
    Object.hasOwn(HEADINGS, m.outcome) &&
    typeof r === 'object' &&
    r !== null &&
    Array.isArray(r.findings) &&
    Array.isArray(r.notes) &&
    typeof r.counts === 'object'
  );
}

window.addEventListener('message', (e: MessageEvent<ToIntegrityView>) => {
  const m = e.data as unknown as Record<string, unknown>;
  if (typeof m !== 'object' || m === null) return;
  if (m.type === 'init' && isInit(m)) {
    current = m;
    render();
  } else if (m.type === 'toast' && typeof m.text === 'string') {
    toast.textContent = m.text;
    toast.classList.add('show');
    setTimeout(() => toast.classList.remove('show'), 3000);
  }
});
vscode.postMessage({ type: 'ready' });
