/**
 * The host's handle on a store worker (storeProtocol.ts): one promise per request, answered in
 * order. If the worker dies (out of memory on an enormous investigation), every pending and later
 * request fails with one clear reason instead of hanging, and `onStopped` says so once.
 */
import { Worker } from 'node:worker_threads';
import { transferList } from './batch';
import type { LoadResult } from './decode';
import type { StoreCalls, StoreOp, StoreReply, StoreRequest } from './storeProtocol';

/** Where requests go: a Worker, or a MessagePort (tests). */
export interface StoreEndpoint {
  postMessage(msg: StoreRequest, transfer?: readonly ArrayBuffer[]): void;
  on(event: 'message', listener: (reply: StoreReply) => void): unknown;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: (done: number, total: number) => void;
}

/** Heap cap of a store worker: a million events need about 400 MB; beyond this it stops cleanly. */
export const STORE_HEAP_MB = 6144;

export class StoreClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private stoppedReason: string | undefined;
  private readonly stopListeners: Array<(reason: string) => void> = [];

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
      client.stop(e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'it ran out of memory (the files hold more events than fit)' : e.message);
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
      p.onProgress?.(reply.progress.done, reply.progress.total);
      return;
    }
    this.pending.delete(reply.id);
    if (reply.ok) p.resolve(reply.value);
    else {
      const e = new Error(reply.error);
      if (reply.aborted) e.name = 'AbortError';
      p.reject(e);
    }
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
    opts: { transfer?: ArrayBuffer[]; signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
  ): Promise<StoreCalls[K]['value']> {
    if (this.stoppedReason !== undefined) return Promise.reject(new Error(`The event store stopped: ${this.stoppedReason}.`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: opts.onProgress });
      const { signal } = opts;
      if (signal) {
        const cancel = (): void => void this.call('cancel', { target: id }).catch(() => undefined);
        if (signal.aborted) queueMicrotask(cancel);
        else signal.addEventListener('abort', cancel, { once: true });
      }
      this.endpoint.postMessage({ id, op, ...args } as StoreRequest, opts.transfer);
    });
  }

  /** Hands one decoded file to the store (a batch's buffers move to the worker: do not reuse them). */
  addFile(label: string, result: LoadResult): Promise<number> {
    return this.call('addFile', { label, result }, { transfer: result.kind === 'batch' ? transferList(result.batch) : undefined });
  }

  addProblem(label: string, reason: string): Promise<void> {
    return this.call('addProblem', { label, reason });
  }

  setLoad(state: StoreCalls['setLoad']['args']): Promise<void> {
    return this.call('setLoad', state);
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
    return this.call('open', { row, gapMs });
  }

  sessionQuery(row: number, by: StoreCalls['sessionQuery']['args']['by'], gapMs: number): Promise<string | undefined> {
    return this.call('sessionQuery', { row, by, gapMs });
  }

  detections(rules: StoreCalls['detections']['args']['rules'], signal?: AbortSignal): Promise<StoreCalls['detections']['value']> {
    return this.call('detections', { rules }, { signal });
  }

  insights(minHours: number, signal?: AbortSignal): Promise<StoreCalls['insights']['value']> {
    return this.call('insights', { minHours }, { signal });
  }

  exportTo(args: StoreCalls['export']['args'], signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<StoreCalls['export']['value']> {
    return this.call('export', args, { signal, onProgress });
  }

  warm(signal?: AbortSignal): Promise<StoreCalls['warm']['value']> {
    return this.call('warm', {}, { signal });
  }

  memory(): Promise<StoreCalls['memory']['value']> {
    return this.call('memory', {});
  }

  /** Ends the worker; pending requests fail. */
  dispose(): void {
    if (this.stoppedReason === undefined) this.stoppedReason = 'the log view was closed';
    this.stopListeners.length = 0;
    this.failPending();
    this.close();
  }
}
