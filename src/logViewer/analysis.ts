/**
 * The analyses a log view runs over everything loaded, once loading settles: the detection rules
 * (built-in and the user's) and local insights (hours departing from each event name's baseline).
 * A new load or a changed rule folder cancels the run in progress and starts over. The last
 * outcome is kept so a webview that reloads (hidden, then shown) gets it again.
 */
import type * as vscode from 'vscode';
import { runDetections } from '../core/detections/run';
import { findInsights } from '../core/insights';
import type { Investigation } from '../core/investigation';
import type { AnomalySummary, DetectionSummary, ToWebview } from '../protocol/logViewer';
import { loadDetectionRules } from './detectionRules';

type DetectionsMessage = Extract<ToWebview, { type: 'detections' }>;
type InsightsMessage = Extract<ToWebview, { type: 'insights' }>;

/** Hours of logs needed before an hour can be told apart from the rest (findInsights' default). */
const MIN_HOURS = 24;

export class Analysis {
  private abort: AbortController | undefined;
  private lastDetections: DetectionsMessage | undefined;
  private lastInsights: InsightsMessage | undefined;

  constructor(
    private readonly investigation: Investigation,
    private readonly extensionUri: vscode.Uri,
    private readonly output: vscode.LogOutputChannel,
    private readonly post: (msg: ToWebview) => void,
    /** Called when detection row sets change, so a `detection:` query shown is run again. */
    private readonly onRowSets: () => void,
  ) {}

  /** Re-sends the last outcome (a webview that reloaded). */
  replay(): void {
    if (this.lastDetections) this.post(this.lastDetections);
    if (this.lastInsights) this.post(this.lastInsights);
  }

  /** Runs every analysis over what is loaded now; resolves when done or superseded. */
  async run(): Promise<void> {
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    this.post((this.lastDetections = { type: 'detections', running: true, items: this.lastDetections?.items ?? [], problems: [] }));
    this.post((this.lastInsights = { type: 'insights', running: true, items: this.lastInsights?.items ?? [] }));
    try {
      await this.detections(abort.signal);
    } catch (e) {
      if (abort.signal.aborted) return;
      this.output.error(`Detections failed: ${(e as Error).message}`);
      this.post((this.lastDetections = { type: 'detections', running: false, items: [], problems: [`Detections could not run: ${(e as Error).message}`] }));
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (abort.signal.aborted) return;
    try {
      this.insights();
    } catch (e) {
      this.output.error(`Insights failed: ${(e as Error).message}`);
      this.post((this.lastInsights = { type: 'insights', running: false, items: [], note: `Baselines could not be computed: ${(e as Error).message}` }));
    }
  }

  /** Hours in which an event name's calls or errors departed from its hourly baseline. */
  private insights(): void {
    const inv = this.investigation;
    const started = Date.now();
    const all = inv.engine.search('', 'newest').rows;
    const result = findInsights(inv.store, all, { minHours: MIN_HOURS });
    this.output.info(`Insights: ${result.total} unusual hours over ${result.hours} hours in ${Date.now() - started} ms.`);
    const items: AnomalySummary[] = result.anomalies.map((a) => ({
      eventName: a.eventName,
      kind: a.kind === 'errorRate' ? 'errors' : 'calls',
      hour: a.hour,
      baseline: a.baseline,
      observed: a.observed,
      query: a.query ?? '',
    }));
    const note = result.note ?? (result.total > items.length ? `The ${items.length} strongest of ${result.total} are shown.` : undefined);
    this.post((this.lastInsights = { type: 'insights', running: false, items, note }));
  }

  private async detections(signal: AbortSignal): Promise<void> {
    const library = await loadDetectionRules(this.extensionUri);
    signal.throwIfAborted();
    const problems = [...library.readProblems, ...library.problems.map((p) => `${p.file}: ${p.problems.join(' ')}`)];
    for (const o of library.overridden) {
      this.output.info(`Detection ${o.id}: the user rule in ${o.file} replaces the built-in one.`);
      problems.push(`${o.file} replaces the built-in rule ${o.id}.`);
    }
    for (const p of problems) this.output.warn(`Detection rules: ${p}`);
    const inv = this.investigation;
    const started = Date.now();
    const results = await runDetections(inv.engine, inv.store, library.rules, signal);
    this.output.info(`Detections: ${library.rules.length} rules over ${inv.store.size} events in ${Date.now() - started} ms.`);
    const items: DetectionSummary[] = results.map((r) => ({
      id: r.rule.id,
      title: r.rule.title,
      severity: r.rule.severity,
      description: r.rule.description,
      count: r.count,
      tactic: r.rule.tactic,
      source: r.rule.origin === 'built-in' ? 'built-in' : r.rule.file,
    }));
    for (const r of results) if (r.errors.length) problems.push(`${r.rule.id}: ${r.errors.join(' ')}`);
    this.post((this.lastDetections = { type: 'detections', running: false, items, problems }));
    this.onRowSets();
  }

  dispose(): void {
    this.abort?.abort();
  }
}
