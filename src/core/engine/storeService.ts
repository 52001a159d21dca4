/**
 * The store worker's side of storeProtocol.ts: one investigation, answering the host's requests
 * in order. Long requests (detections, export) yield between steps so a `cancel` gets through.
 * Pure Node (no `vscode`): the worker entry wires it to its parent port; tests wire it to one end
 * of a MessageChannel.
 */
import { getHeapStatistics } from 'node:v8';
import { writeAtomically } from '../investigate/atomicWrite';
import { runDetections } from '../investigate/detections/run';
import { detectionSummary } from '../investigate/detections/summary';
import type { DetectionRule } from '../investigate/detections/rules';
import { exportChunks } from '../investigate/export';
import { findInsights } from '../investigate/insights';
import { Investigation } from './investigation';
import { defaultEnricher } from '../enrich/loadSources';
import { TEXT_FIELDS } from '../query/search';
import { sessionOf } from '../investigate/sessions';
import { identityGraph } from '../investigate/identity/graph';
import { keyReport } from '../investigate/identity/keyReport';
import { draftPolicy } from '../investigate/identity/policy';
import { chainOfRow, policyRows, setChainRowSets } from './identityCalls';
import type { Progress, StoreCalls, StoreOp, StoreReply, StoreRequest } from './storeProtocol';
import type { DetectionResult } from '../investigate/detections/run';
import type { SessionLink } from '../../protocol/eventView';
import type { DetectionSummary } from '../../protocol/logViewer';

/** What the service needs of a port: Node's MessagePort and a worker's parentPort both fit. */
export interface ServicePort {
  on(event: 'message', listener: (msg: StoreRequest) => void): unknown;
  postMessage(msg: StoreReply): void;
}

type Handler<K extends StoreOp> = (
  args: StoreCalls[K]['args'],
  ctx: {
    signal: AbortSignal;
    progress: (done: number, total: number, extra?: Omit<Progress, 'done' | 'total'>) => void;
  },
) => StoreCalls[K]['value'] | Promise<StoreCalls[K]['value']>;

export class StoreService {
  readonly investigation = new Investigation();
  private readonly running = new Map<number, AbortController>();
  /** The newest query request: an older one still waiting is answered `undefined`, not run. */
  private latestQuery = 0;
  /** The rules of the last detections run, by id: what detectionCounts names. */
  private ruleInfo = new Map<string, { title: string; severity: DetectionRule['severity'] }>();

  constructor(private readonly port: ServicePort) {
    port.on('message', (req) => this.receive(req));
  }

  private receive(req: StoreRequest): void {
    if (req.op === 'cancel') {
      this.running.get(req.target)?.abort();
      this.port.postMessage({ id: req.id, ok: true, value: undefined });
      return;
    }
    if (req.op === 'query') {
      // Keystrokes arrive faster than a large store answers them: a query waits one turn, and
      // any newer query that arrived meanwhile replaces it.
      this.latestQuery = req.id;
      setImmediate(() => {
        if (req.id !== this.latestQuery) this.port.postMessage({ id: req.id, ok: true, value: undefined });
        else void this.run(req);
      });
      return;
    }
    void this.run(req);
  }

  private async run(req: StoreRequest): Promise<void> {
    const abort = new AbortController();
    this.running.set(req.id, abort);
    const ctx = {
      signal: abort.signal,
      progress: (done: number, total: number, extra?: Omit<Progress, 'done' | 'total'>) =>
        this.port.postMessage({ id: req.id, progress: { ...extra, done, total } }),
    };
    try {
      const handler = this.handlers[req.op] as Handler<StoreOp>;
      const value = await handler(req, ctx);
      this.port.postMessage({ id: req.id, ok: true, value });
    } catch (e) {
      this.port.postMessage({
        id: req.id,
        ok: false,
        error: e instanceof Error ? e.message : String(e),
        aborted: abort.signal.aborted || undefined,
      });
    } finally {
      this.running.delete(req.id);
    }
  }

  private readonly handlers: { [K in StoreOp]: Handler<K> } = {
    addFile: ({ label, result }) => this.investigation.addFile(label, result),
    addProblem: ({ label, reason }) => this.investigation.addProblem(label, reason),
    setLoad: ({ loading, cancelled, current, addTotal }) => {
      const inv = this.investigation;
      if (loading !== undefined) inv.loading = loading;
      if (cancelled !== undefined) inv.cancelled = cancelled;
      if (current !== undefined) inv.current = current ?? undefined;
      if (addTotal) inv.filesTotal += addTotal;
    },
    status: () => this.investigation.status(),
    detectionCounts: ({ version }) =>
      version === this.investigation.resultVersion ? this.investigation.firedIn(this.ruleInfo) : undefined,
    setIpData: ({ userMmdb, awsRanges }) => {
      const paths = {
        ...(typeof userMmdb === 'string' && userMmdb ? { userMmdb } : {}),
        ...(typeof awsRanges === 'string' && awsRanges ? { awsRanges } : {}),
      };
      // Opened on first use, as before: a log view whose columns and terms never ask pays nothing.
      this.investigation.setIpData(() => defaultEnricher(paths));
    },
    query: ({ text, sort }) => this.investigation.query(text, sort),
    rows: ({ version, start, count }) =>
      version === this.investigation.resultVersion ? this.investigation.rows(start, count) : undefined,
    overview: ({ version }) =>
      version === this.investigation.resultVersion ? this.investigation.overview() : undefined,
    open: ({ row, gapMs }) => {
      const store = this.investigation.store;
      if (!Number.isInteger(row) || row < 0 || row >= store.size) return undefined;
      return { raw: store.raw(row), sessions: this.sessions(row, gapMs), chain: chainOfRow(this.investigation, row) };
    },
    sessionQuery: ({ row, by, gapMs }) =>
      row >= 0 && row < this.investigation.store.size
        ? sessionOf(this.investigation.store, row, by, gapMs)?.query
        : undefined,
    detections: async ({ rules }, { signal, progress }) => {
      const inv = this.investigation;
      const started = Date.now();
      // Chain and IP row sets first (once loading settles, like detections; computed when a query
      // or rule first names them): rules may use origin: and the IP terms (aws:, country:, …).
      setChainRowSets(inv);
      inv.nameIpSets();
      const results = await runDetections(inv.engine, inv.store, rules, signal, (b) =>
        progress(b.done, b.total, { detections: summaries(b.results) }),
      );
      inv.setDetectionNotes(results);
      this.ruleInfo = new Map(rules.map((r) => [r.id, { title: r.title, severity: r.severity }]));
      return { ...summaries(results), ms: Date.now() - started };
    },
    insights: ({ minHours }) => {
      const inv = this.investigation;
      const started = Date.now();
      const result = findInsights(inv.store, inv.engine.search('', 'newest').rows, { minHours });
      const items = result.anomalies.map((a) => ({
        eventName: a.eventName,
        kind: a.kind === 'errorRate' ? ('errors' as const) : ('calls' as const),
        hour: a.hour,
        baseline: a.baseline,
        observed: a.observed,
        query: a.query ?? '',
      }));
      const note =
        result.note ??
        (result.total > items.length ? `The ${items.length} strongest of ${result.total} are shown.` : undefined);
      return { items, note, total: result.total, hours: result.hours, ms: Date.now() - started };
    },
    export: async ({ query, path, format, columns }, { signal, progress }) => {
      const inv = this.investigation;
      // Run apart from the view's result set (whose version the view's row requests carry); its
      // own copy (an empty query answers the shared time order), so what it writes stays put.
      const rows = inv.engine.search(query.text, query.sort).rows.slice();
      const chunks = exportChunks(inv.store, rows, format, { signal, columns, onProgress: progress });
      const bytes = await writeAtomically(path, chunks, { signal });
      return { events: rows.length, bytes };
    },
    warm: async (_args, { signal }) => {
      const started = Date.now();
      const inv = this.investigation;
      for (const field of TEXT_FIELDS) {
        // A field at a time, letting queries that arrived meanwhile run in between.
        await new Promise<void>((resolve) => setImmediate(resolve));
        signal.throwIfAborted();
        inv.engine.warm(field);
      }
      inv.engine.search('', 'newest');
      return { ms: Date.now() - started };
    },
    identityGraph: ({ maxNodes }) => {
      const started = Date.now();
      const graph = identityGraph(this.investigation.chains, { maxNodes });
      return { graph, events: this.investigation.store.size, ms: Date.now() - started };
    },
    keyReport: ({ key }) => keyReport(this.investigation.chains, typeof key === 'string' ? key : ''),
    draftPolicy: ({ of }) => {
      const { rows, scope } = policyRows(this.investigation, of);
      return { ...draftPolicy(this.investigation.store, rows), scope };
    },
    memory: () => {
      // Per isolate: this worker's heap, not the host's.
      const h = getHeapStatistics();
      return {
        heapUsed: h.used_heap_size,
        external: h.external_memory,
        rawBytes: this.investigation.store.rawBytes,
        events: this.investigation.store.size,
      };
    },
    cancel: () => undefined,
  };

  private sessions(row: number, gapMs: number): SessionLink[] {
    const links: SessionLink[] = [];
    for (const by of ['principal', 'accessKey'] as const) {
      const s = sessionOf(this.investigation.store, row, by, gapMs);
      // Offered only when the language can select it exactly.
      if (s?.query)
        links.push({
          by,
          key: s.key,
          start: s.start,
          end: s.end,
          count: s.count,
          errors: s.errors,
          gapMinutes: gapMs / 60_000,
        });
    }
    return links;
  }
}

/** The panel's summaries of some rules' results, and the problems running them. */
function summaries(results: readonly DetectionResult[]): { items: DetectionSummary[]; problems: string[] } {
  const problems: string[] = [];
  const items: DetectionSummary[] = [];
  for (const r of results) {
    const item = detectionSummary(r.rule, r.count);
    if (r.errors.length) {
      // A pack's rule cannot be edited here: say what stopped it rather than how to change it.
      const why = r.rule.pack
        ? `this ${r.rule.pack.name} rule did not run: ${r.errors.join(' ')} The rule is run as written or not at all, so its silence says nothing; run it on fewer events or with Run Detection in Athena….`
        : r.errors.join(' ');
      item.notRun = why;
      problems.push(`${r.rule.id}: ${why}`);
    }
    items.push(item);
  }
  return { items, problems };
}
