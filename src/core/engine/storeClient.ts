/**
 * The host's handle on a store worker (storeProtocol.ts): one promise per request, answered in
 * order. If the worker dies (out of memory on an enormous investigation), every pending and later
 * request fails with one clear reason instead of hanging, and `onStopped` says so once.
 */
import { Worker } from 'node:worker_threads';
import { transferList } from '../store/batch';
import type { LoadResult } from '../ingest/decode';
import type {
  DetectionsPartial,
  OpenedEvent,
  Progress,
  StoreCalls,
  StoreOp,
  StoreReply,
  StoreRequest,
} from './storeProtocol';

/** Where requests go: a Worker, or a MessagePort (tests). */
export interface StoreEndpoint {
  postMessage(msg: StoreRequest, transfer?: readonly ArrayBuffer[]): void;
  on(event: 'message', listener: (reply: StoreReply) => void): unknown;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: (done: number, total: number, progress: Progress) => void;
  /** Takes a cancel (detections, insights, warm, export): asked to stop before the worker ends. */
  cancellable: boolean;
}

/** Requests that take a cancel: a closing client asks them to stop before ending the worker. */
const LONG_OPS: ReadonlySet<StoreOp> = new Set<StoreOp>(['detections', 'insights', 'warm', 'export']);

/** How long a closing client waits for its long requests to stop (an export removing its temporary file). */
export const CLOSE_GRACE_MS = 2000;

/** Heap cap of a store worker: a million events need about 400 MB; beyond this it stops cleanly. */
export const STORE_HEAP_MB = 6144;

export class StoreClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private stoppedReason: string | undefined;
  /** Set while dispose waits for long requests to stop; ends the worker once they have. */
  private closing: (() => void) | undefined;
  private readonly stopListeners: Array<(reason: string) => void> = [];
  /**
   * The event `open` answered last, with its row: the event view reads the row and chain of the
   * event a log view just opened from here (its raw is the same string the view hands it).
   */
  lastOpened: (OpenedEvent & { row: number }) | undefined;

  constructor(
    private readonly endpoint: StoreEndpoint,
    private readonly close: () => void = () => undefined,
  ) {
    endpoint.on('message', (reply) => this.receive(reply));
  }

  /** A client over a new worker running `script` (the bundled storeWorker.js). */
  static inWorker(script: string, heapMb = STORE_HEAP_MB): StoreClient {
    const worker = new Worker(script, { resourceLimits: { maxOldGenerationSizeMb: heapMb } });
    const client = new StoreClient(worker, () => void worker.terminate());
    worker.on('error', (e: Error & { code?: string }) => {
      client.stop(
        e.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? 'it ran out of memory (the files hold more events than fit)'
          : e.message,
      );
    });
    worker.on('exit', (code) => client.stop(`it exited (code ${code})`));
    return client;
  }

  /** Why the store stopped, or undefined while it runs. */
  get stopped(): string | undefined {
    return this.stoppedReason;
  }

  /** Called once if the worker dies (not after `dispose`). */
  onStopped(listener: (reason: string) => void): void {
    this.stopListeners.push(listener);
  }

  private receive(reply: StoreReply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    if ('progress' in reply) {
      p.onProgress?.(reply.progress.done, reply.progress.total, reply.progress);
      return;
    }
    this.pending.delete(reply.id);
    if (reply.ok) p.resolve(reply.value);
    else {
      const e = new Error(reply.error);
      if (reply.aborted) e.name = 'AbortError';
      p.reject(e);
    }
    if (this.closing && ![...this.pending.values()].some((x) => x.cancellable)) this.closing();
  }

  private stop(reason: string): void {
    if (this.stoppedReason !== undefined) return;
    this.stoppedReason = reason;
    this.failPending();
    for (const l of this.stopListeners.splice(0)) l(reason);
  }

  private failPending(): void {
    const error = new Error(`The event store stopped: ${this.stoppedReason}.`);
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  private call<K extends StoreOp>(
    op: K,
    args: StoreCalls[K]['args'],
    opts: {
      transfer?: ArrayBuffer[];
      signal?: AbortSignal;
      onProgress?: (done: number, total: number, progress: Progress) => void;
    } = {},
  ): Promise<StoreCalls[K]['value']> {
    if (this.stoppedReason !== undefined)
      return Promise.reject(new Error(`The event store stopped: ${this.stoppedReason}.`));
    const { signal } = opts;
    if (signal?.aborted) {
      const e = new Error('Cancelled before it started.');
      e.name = 'AbortError';
      return Promise.reject(e);
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      try {
        this.endpoint.postMessage({ id, op, ...args } as StoreRequest, opts.transfer);
      } catch (e) {
        // Nothing was sent (a value that cannot be cloned): nothing to wait for.
        reject(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      this.pending.set(id, { resolve: resolve, reject, onProgress: opts.onProgress, cancellable: LONG_OPS.has(op) });
      if (signal) {
        signal.addEventListener('abort', () => void this.call('cancel', { target: id }).catch(() => undefined), {
          once: true,
        });
      }
    });
  }

  /** Hands one decoded file to the store (a batch's buffers move to the worker: do not reuse them). */
  addFile(label: string, result: LoadResult): Promise<number> {
    return this.call(
      'addFile',
      { label, result },
      { transfer: result.kind === 'batch' ? transferList(result.batch) : undefined },
    );
  }

  addProblem(label: string, reason: string): Promise<void> {
    return this.call('addProblem', { label, reason });
  }

  setLoad(state: StoreCalls['setLoad']['args']): Promise<void> {
    return this.call('setLoad', state);
  }

  /** Points the store at the user's IP data files (opened when first needed). */
  setIpData(paths: StoreCalls['setIpData']['args']): Promise<void> {
    return this.call('setIpData', paths);
  }

  /** The detections that fired on events of result set `version`; undefined when it is no longer current. */
  detectionCounts(version: number): Promise<StoreCalls['detectionCounts']['value']> {
    return this.call('detectionCounts', { version });
  }

  status(): Promise<StoreCalls['status']['value']> {
    return this.call('status', {});
  }

  query(text: string, sort: StoreCalls['query']['args']['sort']): Promise<StoreCalls['query']['value']> {
    return this.call('query', { text, sort });
  }

  rows(version: number, start: number, count: number): Promise<StoreCalls['rows']['value']> {
    return this.call('rows', { version, start, count });
  }

  overview(version: number): Promise<StoreCalls['overview']['value']> {
    return this.call('overview', { version });
  }

  open(row: number, gapMs: number): Promise<StoreCalls['open']['value']> {
    return this.call('open', { row, gapMs }).then((event) => {
      if (event) this.lastOpened = { ...event, row };
      return event;
    });
  }

  sessionQuery(row: number, by: StoreCalls['sessionQuery']['args']['by'], gapMs: number): Promise<string | undefined> {
    return this.call('sessionQuery', { row, by, gapMs });
  }

  /**
   * Runs the detection rules; `onBatch` gets each batch's summaries as it finishes (`done` of
   * `total` rules run), before the answer has them all.
   */
  detections(
    rules: StoreCalls['detections']['args']['rules'],
    signal?: AbortSignal,
    onBatch?: (batch: DetectionsPartial, done: number, total: number) => void,
  ): Promise<StoreCalls['detections']['value']> {
    return this.call(
      'detections',
      { rules },
      {
        signal,
        onProgress: onBatch && ((done, total, p) => p.detections && onBatch(p.detections, done, total)),
      },
    );
  }

  insights(minHours: number, signal?: AbortSignal): Promise<StoreCalls['insights']['value']> {
    return this.call('insights', { minHours }, { signal });
  }

  exportTo(
    args: StoreCalls['export']['args'],
    signal?: AbortSignal,
    onProgress?: (done: number, total: number) => void,
  ): Promise<StoreCalls['export']['value']> {
    return this.call('export', args, { signal, onProgress });
  }

  warm(signal?: AbortSignal): Promise<StoreCalls['warm']['value']> {
    return this.call('warm', {}, { signal });
  }

  identityGraph(maxNodes?: number): Promise<StoreCalls['identityGraph']['value']> {
    return this.call('identityGraph', { maxNodes });
  }

  keyReport(key: string): Promise<StoreCalls['keyReport']['value']> {
    return this.call('keyReport', { key });
  }

  draftPolicy(of: StoreCalls['draftPolicy']['args']['of']): Promise<StoreCalls['draftPolicy']['value']> {
    return this.call('draftPolicy', { of });
  }

  memory(): Promise<StoreCalls['memory']['value']> {
    return this.call('memory', {});
  }

  /**
   * Ends the worker; pending requests fail. Long requests are first asked to stop, and the worker
   * ends once they have (at most CLOSE_GRACE_MS): killed mid-export, it would leave its temporary
   * file behind.
   */
  dispose(): void {
    if (this.stoppedReason !== undefined) return;
    this.stoppedReason = 'the log view was closed';
    this.stopListeners.length = 0;
    const long = [...this.pending.entries()].filter(([, p]) => p.cancellable);
    const end = (): void => {
      if (timer) clearTimeout(timer);
      this.closing = undefined;
      this.failPending();
      this.close();
    };
    let timer: NodeJS.Timeout | undefined = undefined;
    if (long.length === 0) return end();
    for (const [target] of long) this.endpoint.postMessage({ id: this.nextId++, op: 'cancel', target });
    this.closing = end;
    timer = setTimeout(end, CLOSE_GRACE_MS);
  }
}
