/**
 * The analyses a log view runs over everything loaded, once loading settles: the detection rules
 * (built-in and the user's) and local insights (hours departing from each event name's baseline).
 * A new load or a changed rule folder cancels the run in progress and starts over. Detections
 * stream: each batch the store worker finishes is shown at once, with how far the run is, and the
 * user may stop the run (what ran stays shown, said to be partial). The last outcome is kept so a
 * webview that reloads (hidden, then shown) gets it again.
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
  /** Stops only the detections run in progress (the user's Stop), not the analyses after it. */
  private stopDetectionsRun: AbortController | undefined;
  private lastDetections: DetectionsMessage | undefined;
  private lastInsights: InsightsMessage | undefined;

  constructor(
    private readonly store: StoreClient,
    private readonly extensionUri: vscode.Uri,
    private readonly output: vscode.LogOutputChannel,
    private readonly post: (msg: ToWebview) => void,
    /**
     * Called when detection row sets change, so a `detection:` query shown is run again;
     * `partial` while a run is still going (the view need rerun only a query naming detections).
     */
    private readonly onRowSets: (partial: boolean) => void,
  ) {}

  /** The last run's summary of rule `id`, if it ran. */
  detection(id: string): DetectionsMessage['items'][number] | undefined {
    return this.lastDetections?.items.find((i) => i.id === id);
  }

  /** Events each rule flagged in the last finished run (rule id → count); undefined before one. */
  detectionCounts(): Map<string, number> | undefined {
    const d = this.lastDetections;
    return d && !d.running && !d.stopped && d.items.length > 0
      ? new Map(d.items.map((i) => [i.id, i.count]))
      : undefined;
  }

  /** Re-sends the last outcome (a webview that reloaded). */
  replay(): void {
    if (this.lastDetections) this.post(this.lastDetections);
    if (this.lastInsights) this.post(this.lastInsights);
  }

  /** Stops the detections run in progress; the rules already run stay shown. */
  stopDetections(): void {
    this.stopDetectionsRun?.abort();
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
    const stop = (this.stopDetectionsRun = new AbortController());
    const both = AbortSignal.any([signal, stop.signal]);
    const items: DetectionsMessage['items'] = [];
    const runProblems: string[] = [];
    const total = library.rules.length;
    let done = 0;
    try {
      const r = await this.store.detections(library.rules, both, (batch, d) => {
        if (signal.aborted) return;
        items.push(...batch.items);
        runProblems.push(...batch.problems);
        done = d;
        this.post(
          (this.lastDetections = {
            type: 'detections',
            running: true,
            items: [...items],
            problems: [...problems, ...runProblems],
            progress: { done, total },
          }),
        );
        // The rules run so far have their row sets: a detection: query shown picks them up.
        this.onRowSets(true);
      });
      this.output.info(`Detections: ${total} rules in ${r.ms} ms.`);
      problems.push(...r.problems);
      this.post((this.lastDetections = { type: 'detections', running: false, items: r.items, problems }));
    } catch (e) {
      if (signal.aborted || !stop.signal.aborted) throw e;
      // Stopped by the user: what ran stays, said to be partial (a rule not run is not "no match").
      this.output.info(`Detections stopped after ${done} of ${total} rules.`);
      this.post(
        (this.lastDetections = {
          type: 'detections',
          running: false,
          stopped: true,
          items,
          problems: [...problems, ...runProblems],
          progress: { done, total },
        }),
      );
    } finally {
      if (this.stopDetectionsRun === stop) this.stopDetectionsRun = undefined;
    }
    this.onRowSets(false);
  }

  dispose(): void {
    this.abort?.abort();
  }
}
