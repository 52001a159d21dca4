/**
 * The side panel beside the table: detections that fired, anomalous hours (local insights) and
 * the top values of the current result set. Every click turns into a query in the search box, so
 * what the panel shows is always something the user could have typed. DOM APIs only.
 */
import {
  type AnomalySummary,
  type DetectionSummary,
  type Facet,
  SEVERITIES,
  type Severity,
} from '../../protocol/logViewer';
import { fieldTerm } from '../../core/query/query';
import { el, reveal } from '../shared/dom';
import { detectionDetails } from './detectionDetails';

const SEVERITY_ORDER: readonly Severity[] = SEVERITIES;
/** Longest value text drawn in a panel row (the tooltip has the rest, up to the host's cut). */
const SHOWN = 120;

function section(title: string, open = true): { root: HTMLDetailsElement; summary: HTMLElement; body: HTMLElement } {
  const summary = el('summary', { textContent: title });
  const body = el('div', { className: 'section-body' });
  const root = el('details', { className: 'side-section', open }, [summary, body]);
  return { root, summary, body };
}

function hourText(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}–${new Date(ms + 3_600_000).toISOString().slice(11, 16)} UTC`;
}

export interface SidePanelActions {
  /** Replace the query. */
  setQuery(query: string): void;
  /** Add a term to the current query. */
  addTerm(term: string): void;
  /** Export a detection as an alert (the host asks nothing more: it opens the export). */
  exportAlert(id: string): void;
  /** Cite a detection in the open notebook. */
  addToNotebook(id: string): void;
  /** Stop the detections run in progress. */
  stopDetections(): void;
  /** Open the coverage matrix (ATT&CK tactics × techniques) for this view. */
  openCoverage(): void;
}

/** Where the panel's detection list is in a run: how many rules of how many, and whether stopped. */
export interface DetectionsState {
  running: boolean;
  progress?: { done: number; total: number };
  stopped?: boolean;
}

export class SidePanel {
  readonly element: HTMLElement;
  private readonly detections = section('Detections');
  private readonly insights = section('Unusual hours');
  private readonly facets = section('Top values');

  constructor(private readonly actions: SidePanelActions) {
    this.element = el('aside', { className: 'side' }, [this.detections.root, this.insights.root, this.facets.root]);
    this.element.setAttribute('aria-label', 'Detections, unusual hours and top values');
    this.detections.body.append(
      el('div', { className: 'side-note', textContent: 'Detections run when the files have loaded.' }),
    );
    this.insights.body.append(
      el('div', { className: 'side-note', textContent: 'Hourly baselines are computed when the files have loaded.' }),
    );
  }

  showDetections(items: DetectionSummary[], problems: string[], state: DetectionsState): void {
    const { running, progress, stopped } = state;
    const bySeverity = (a: DetectionSummary, b: DetectionSummary): number =>
      SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || b.count - a.count;
    // Our rules (built-in and the user's) first; a pack's rules apart, under the pack's name.
    const ours = items.filter((d) => !d.pack);
    const packs = [...new Set(items.map((d) => d.pack).filter((p): p is string => !!p))];
    const firedCount = items.filter((d) => d.count > 0).length;
    const of = progress ? `${progress.done.toLocaleString()} of ${progress.total.toLocaleString()} rules` : '';
    this.detections.summary.textContent = running
      ? `Detections (running… ${of || 'starting'})${firedCount ? `: ${firedCount} fired so far` : ''}`
      : stopped
        ? `Detections (stopped after ${of}): ${firedCount} fired`
        : `Detections: ${firedCount} of ${items.length} fired`;
    const nodes: Node[] = [this.detectionsToolbar(running, progress)];
    if (problems.length) {
      // Folded: a long list of rule-file mistakes must not push the detections out of sight.
      const list = el('details', { className: 'side-problems' }, [
        el('summary', { textContent: `${problems.length} note${problems.length === 1 ? '' : 's'} about rule files` }),
      ]);
      list.append(...problems.map((p) => el('div', { className: 'side-problem', textContent: reveal(p) })));
      nodes.push(list);
    }
    if (stopped)
      nodes.push(
        el('div', {
          className: 'side-note detections-stopped',
          textContent: `Stopped: ${progress ? (progress.total - progress.done).toLocaleString() : 'some'} rules did not run, so their silence says nothing.`,
        }),
      );
    if (!running && !stopped && firedCount === 0)
      nodes.push(el('div', { className: 'side-note', textContent: 'No detection matched the loaded events.' }));
    nodes.push(...this.detectionGroup(ours, bySeverity));
    for (const pack of packs) {
      const rules = items.filter((d) => d.pack === pack);
      const fired = rules.filter((d) => d.count > 0).length;
      const group = el('details', { className: 'detection-pack', open: fired > 0 }, [
        el('summary', { textContent: `${reveal(pack)} pack: ${fired} of ${rules.length} fired` }),
      ]);
      group.dataset.pack = pack;
      group.append(...this.detectionGroup(rules, bySeverity));
      nodes.push(group);
    }
    this.detections.body.replaceChildren(...nodes);
  }

  /** The link to the coverage matrix, and while a run goes on its progress bar and Stop. */
  private detectionsToolbar(running: boolean, progress?: { done: number; total: number }): HTMLElement {
    const coverage = el('button', {
      type: 'button',
      className: 'link-button detections-coverage',
      textContent: 'Coverage matrix',
      title: 'ATT&CK tactics × techniques: which rules cover each, and which fired here',
    });
    coverage.addEventListener('click', () => this.actions.openCoverage());
    const bar: Node[] = [];
    if (running) {
      const meter = el('progress', { className: 'detections-progress' });
      if (progress && progress.total > 0) {
        meter.max = progress.total;
        meter.value = progress.done;
      }
      meter.setAttribute('aria-label', 'Detection rules run so far');
      const stop = el('button', {
        type: 'button',
        className: 'link-button detections-stop',
        textContent: 'Stop',
        title: 'Stop running the detection rules (the results so far stay)',
      });
      stop.addEventListener('click', () => {
        stop.disabled = true;
        this.actions.stopDetections();
      });
      bar.push(meter, stop);
    }
    return el('div', { className: 'detections-toolbar' }, [...bar, coverage]);
  }

  /** Rules that fired, by severity, then the quiet ones folded. */
  private detectionGroup(
    items: DetectionSummary[],
    order: (a: DetectionSummary, b: DetectionSummary) => number,
  ): Node[] {
    const nodes: Node[] = items
      .filter((d) => d.count > 0)
      .sort(order)
      .map((d) => this.detectionRow(d));
    const quiet = items.filter((d) => d.count === 0 && !d.notRun);
    const notRun = items.filter((d) => d.notRun);
    if (notRun.length) {
      // Apart from the quiet ones: a rule that could not run has said nothing about these events.
      const list = el('details', { className: 'not-run' }, [
        el('summary', { textContent: `${notRun.length} could not run here` }),
      ]);
      for (const d of notRun) {
        const row = this.detectionRow(d);
        row.append(el('div', { className: 'side-note not-run-reason', textContent: reveal(d.notRun ?? '') }));
        list.append(row);
      }
      nodes.push(list);
    }
    if (quiet.length) {
      const more = el('details', { className: 'quiet' }, [
        el('summary', { textContent: `${quiet.length} with no matches` }),
      ]);
      more.append(...quiet.map((d) => this.detectionRow(d)));
      nodes.push(more);
    }
    return nodes;
  }

  /** A rule's row (click: its events) with a toggle that unfolds its details. */
  private detectionRow(d: DetectionSummary): HTMLElement {
    const b = el('button', {
      type: 'button',
      className: `side-row detection sev-${SEVERITY_ORDER.includes(d.severity) ? d.severity : 'info'}`,
    });
    b.dataset.id = d.id;
    b.title = `${reveal(d.description)}\n\n${d.id}${d.tactic ? ` · ${d.tactic}` : ''} · ${d.source === 'built-in' ? 'built-in rule' : `rule file ${d.source}`}\nClick to show the matching events.`;
    b.append(
      el('span', { className: 'severity', textContent: d.severity }),
      el('span', { className: 'side-label', textContent: reveal(d.title) }),
      el('span', { className: 'side-count', textContent: d.count.toLocaleString() }),
    );
    b.disabled = d.count === 0;
    const show = (id: string): void => this.actions.setQuery(fieldTerm('detection', id));
    b.addEventListener('click', () => show(d.id));
    const toggle = el('button', {
      type: 'button',
      className: 'detection-toggle',
      textContent: '▸',
      title: 'Details of this rule',
    });
    toggle.setAttribute('aria-expanded', 'false');
    toggle.setAttribute('aria-label', `Details of ${reveal(d.title)}`);
    let details: HTMLElement | undefined;
    toggle.addEventListener('click', () => {
      details ??= row.appendChild(
        detectionDetails(d, {
          show,
          exportAlert: (id) => this.actions.exportAlert(id),
          addToNotebook: (id) => this.actions.addToNotebook(id),
        }),
      );
      const open = toggle.getAttribute('aria-expanded') !== 'true';
      details.hidden = !open;
      toggle.setAttribute('aria-expanded', String(open));
      toggle.textContent = open ? '▾' : '▸';
    });
    const row = el('div', { className: 'detection-row' }, [el('div', { className: 'detection-line' }, [toggle, b])]);
    row.dataset.id = d.id;
    return row;
  }

  showInsights(items: AnomalySummary[], running: boolean, note?: string): void {
    this.insights.summary.textContent = running ? 'Unusual hours (computing…)' : `Unusual hours: ${items.length}`;
    const notes: HTMLElement[] = note ? [el('div', { className: 'side-note insights-note', textContent: note })] : [];
    if (!running && items.length === 0) {
      this.insights.body.replaceChildren(
        ...(notes.length
          ? notes
          : [el('div', { className: 'side-note', textContent: 'No event name departs from its hourly baseline.' })]),
      );
      return;
    }
    this.insights.body.replaceChildren(
      ...notes,
      ...items.map((a) => {
        const b = el('button', { type: 'button', className: `side-row anomaly anomaly-${a.kind}` });
        const what = a.kind === 'errors' ? 'errors' : 'calls';
        b.title = `${reveal(a.eventName)}: ${a.observed.toLocaleString()} ${what} in ${hourText(a.hour)}, baseline ${formatRate(a.baseline)} ${what} an hour.\nClick to show that hour's events.`;
        b.append(
          el('span', { className: 'side-label', textContent: reveal(a.eventName.slice(0, SHOWN)) }),
          el('span', {
            className: 'anomaly-detail',
            textContent: `${a.observed.toLocaleString()} ${what} vs ${formatRate(a.baseline)}/h · ${hourText(a.hour)}`,
          }),
        );
        b.disabled = !a.query;
        b.addEventListener('click', () => this.actions.setQuery(a.query));
        return b;
      }),
    );
  }

  showFacets(facets: Facet[]): void {
    const nodes: Node[] = [];
    for (const f of facets) {
      if (f.values.length === 0) continue;
      const max = f.values[0].count;
      const list = el('div', { className: 'facet', role: 'list' });
      list.dataset.field = f.name;
      list.append(el('div', { className: 'facet-title', textContent: `${f.title} (${f.distinct.toLocaleString()})` }));
      for (const v of f.values) {
        const b = el('button', { type: 'button', className: 'side-row facet-value', role: 'listitem' });
        const shown = reveal(v.value.slice(0, SHOWN)) + (v.value.length > SHOWN || v.cut ? '…' : '');
        b.title = v.cut
          ? `${reveal(v.value)}…\nToo long to filter on from here.`
          : `${reveal(v.value)}\nClick to show only these events; Alt+click to exclude them.`;
        b.disabled = !!v.cut;
        const bar = el('span', { className: 'facet-bar' });
        bar.style.width = `${Math.max(2, Math.round((v.count / max) * 100))}%`;
        b.append(
          el('span', { className: 'side-label', textContent: shown }),
          el('span', { className: 'side-count', textContent: v.count.toLocaleString() }),
          bar,
        );
        b.addEventListener('click', (e) => this.actions.addTerm(`${e.altKey ? '-' : ''}${fieldTerm(f.name, v.value)}`));
        list.append(b);
      }
      nodes.push(list);
    }
    if (nodes.length === 0) nodes.push(el('div', { className: 'side-note', textContent: 'No results.' }));
    this.facets.body.replaceChildren(...nodes);
  }
}

function formatRate(n: number): string {
  return n >= 10 ? Math.round(n).toLocaleString() : n.toFixed(1);
}
