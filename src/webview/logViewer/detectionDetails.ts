/**
 * A detection's details, unfolded under its row in the side panel: what the rule asks (its
 * queries and conditions), where it comes from (file, format, author, Sigma id and status), how
 * to read it (MITRE ATT&CK, false positives, references), and what to do with it (show its
 * events, export it as an alert). A user's rule file is as untrusted as an event: every string
 * goes in as text, revealed and clipped.
 */
import type { DetectionSummary } from '../../protocol/logViewer';
import { clip, el } from '../shared/dom';

export interface DetectionActions {
  /** Show the rule's matches (the `detection:<id>` query). */
  show(id: string): void;
  /** Export the rule as a CloudWatch alarm and an EventBridge rule. */
  exportAlert(id: string): void;
  /** Cite the rule in the open notebook, with a cell that finds its events. */
  addToNotebook(id: string): void;
}

/** Longest metadata value drawn (rule files are small; this is for hostile ones). */
const SHOWN = 400;

function line(label: string, values: readonly string[] | string | undefined, className = ''): HTMLElement[] {
  const list = typeof values === 'string' ? [values] : (values ?? []);
  if (list.length === 0) return [];
  return [
    el('dt', { textContent: label }),
    el(
      'dd',
      { className },
      list.map((v) => el('div', { textContent: clip(v, SHOWN) })),
    ),
  ];
}

/** The details block of `d` (hidden until its row's toggle opens it). */
export function detectionDetails(d: DetectionSummary, actions: DetectionActions): HTMLElement {
  const source =
    d.source === 'built-in' ? 'built-in library' : `${d.source} (${d.format === 'sigma' ? 'Sigma rule' : 'JSON rule'})`;
  const severity = d.level && d.level !== d.severity ? `${d.severity} (Sigma level ${d.level})` : d.severity;
  const list = el('dl', { className: 'detection-facts' }, [
    ...line('Rule', d.id),
    ...line('Severity', severity),
    ...line('Source', source),
    ...line('Sigma id', d.sigmaId),
    ...line('Status', d.status),
    ...line('Author', d.author),
    ...line('Tactic', d.tactic),
    ...line('MITRE ATT&CK', d.mitre.length ? d.mitre.join(', ') : undefined),
    ...line('Matches', d.queries, 'detection-queries'),
    ...line('And', d.conditions),
    ...line('False positives', d.falsePositives),
    ...line('References', d.references, 'detection-references'),
  ]);
  const show = el('button', { type: 'button', className: 'link-button', textContent: 'Show events' });
  show.disabled = d.count === 0;
  show.addEventListener('click', () => actions.show(d.id));
  const exportButton = el('button', {
    type: 'button',
    className: 'link-button',
    textContent: 'Export as alert…',
    title: 'A CloudWatch Logs metric filter and alarm, and an EventBridge rule, as CloudFormation and AWS CLI',
  });
  exportButton.addEventListener('click', () => actions.exportAlert(d.id));
  const notebookButton = el('button', {
    type: 'button',
    className: 'link-button',
    textContent: 'Add to notebook',
    title:
      'The rule (what it means, its severity and techniques) and a cell finding its events, in the open CloudTrail notebook',
  });
  notebookButton.addEventListener('click', () => actions.addToNotebook(d.id));
  return el('div', { className: 'detection-details' }, [
    el('div', { className: 'detection-description', textContent: clip(d.description, SHOWN * 2) }),
    list,
    el('div', { className: 'detection-actions' }, [show, exportButton, notebookButton]),
  ]);
}
