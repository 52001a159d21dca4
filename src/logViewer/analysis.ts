/**
 * The analyses a log view runs over everything loaded, once loading settles: the detection rules
 * (built-in and the user's) and local insights (hours departing from each event name's baseline).
 * A new load or a changed rule folder cancels the run in progress and starts over. The last
 * outcome is kept so a webview that reloads (hidden, then shown) gets it again.
 */
import type * as vscode from 'vscode';
import type { StoreClient } from '../core/engine/storeClient';
import type { ToWebview } from '../protocol/logViewer';
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
    private readonly store: StoreClient,
    private readonly extensionUri: vscode.Uri,
    private readonly output: vscode.LogOutputChannel,
    private readonly post: (msg: ToWebview) => void,
    /** Called when detection row sets change, so a `detection:` query shown is run again. */
    private readonly onRowSets: () => void,
  ) {}

  /** Events each rule flagged in the last finished run (rule id → count); undefined before one. */
  detectionCounts(): Map<string, number> | undefined {
    const d = this.lastDetections;
    return d && !d.running && d.items.length > 0 ? new Map(d.items.map((i) => [i.id, i.count])) : undefined;
  }

  /** Re-sends the last outcome (a webview that reloaded). */
  replay(): void {
    if (this.lastDetections) this.post(this.lastDetections);
    if (this.lastInsights) this.post(this.lastInsights);
  }

  /** Runs every analysis over what is loaded now (in the store worker); resolves when done or superseded. */
  async run(): Promise<void> {
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    this.post(
      (this.lastDetections = {
        type: 'detections',
        running: true,
        items: this.lastDetections?.items ?? [],
        problems: [],
      }),
    );
    this.post((this.lastInsights = { type: 'insights', running: true, items: this.lastInsights?.items ?? [] }));
    try {
      await this.detections(abort.signal);
    } catch (e) {
      if (abort.signal.aborted) return;
      this.output.error(`Detections failed: ${(e as Error).message}`);
      this.post(
        (this.lastDetections = {
          type: 'detections',
          running: false,
          items: [],
          problems: [`Detections could not run: ${(e as Error).message}`],
        }),
      );
    }
    if (abort.signal.aborted) return;
    try {
      const r = await this.store.insights(MIN_HOURS, abort.signal);
      this.output.info(`Insights: ${r.total} unusual hours over ${r.hours} hours in ${r.ms} ms.`);
      this.post((this.lastInsights = { type: 'insights', running: false, items: r.items, note: r.note }));
    } catch (e) {
      if (abort.signal.aborted) return;
      this.output.error(`Insights failed: ${(e as Error).message}`);
      this.post(
        (this.lastInsights = {
          type: 'insights',
          running: false,
          items: [],
          note: `Baselines could not be computed: ${(e as Error).message}`,
        }),
      );
    }
    if (abort.signal.aborted) return;
    // Last, when the view is idle: the indexes the first searches would otherwise build.
    try {
      const w = await this.store.warm(abort.signal);
      this.output.info(`Search indexes built in ${w.ms} ms.`);
    } catch (e) {
      if (!abort.signal.aborted) this.output.warn(`Building search indexes failed: ${(e as Error).message}`);
    }
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
    const r = await this.store.detections(library.rules, signal);
    this.output.info(`Detections: ${library.rules.length} rules in ${r.ms} ms.`);
    problems.push(...r.problems);
    this.post((this.lastDetections = { type: 'detections', running: false, items: r.items, problems }));
    this.onRowSets();
  }

  dispose(): void {
    this.abort?.abort();
  }
}
