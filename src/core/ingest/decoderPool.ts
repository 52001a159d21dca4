/**
 * Decoding off the extension host's event loop (docs/architecture.md, "Records, store and search"): a small pool of worker threads, each
 * running decodeLogBytes. A worker that dies (out of memory on a pathological file) fails only
 * the file it held, and is replaced.
 */
import { Worker } from 'node:worker_threads';
import { type DecodeLimits, decodeToBatch, type LoadResult } from './decode';
import type { Decoder } from './loader';

/** Decodes in the calling thread, exactly as the workers do: for tests and tiny inputs. */
export const inlineDecoder: Decoder = {
  decode: async (bytes, limits) => decodeToBatch(bytes, limits),
};

/** A message to a decode worker: the bytes to decode (transferred, not copied). */
export interface DecodeRequest {
  id: number;
  bytes: Uint8Array;
  limits: DecodeLimits;
}

/** A worker's answer to one DecodeRequest. */
export interface DecodeResponse {
  id: number;
  result: LoadResult;
}

interface Job {
  request: DecodeRequest;
  resolve(result: LoadResult): void;
}

class Slot {
  worker: Worker | undefined;
  job: Job | undefined;
}

export class WorkerDecoder implements Decoder {
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private disposed = false;

  /** `script` is the bundled decodeWorker.js; `heapMb` bounds each worker's heap. */
  constructor(
    private readonly script: string,
    size: number,
    private readonly heapMb = 3072,
  ) {
    this.slots = Array.from({ length: Math.max(1, size) }, () => new Slot());
  }

  decode(bytes: Uint8Array, limits: DecodeLimits): Promise<LoadResult> {
    if (this.disposed) return Promise.resolve({ kind: 'error', reason: 'The loader was closed.' });
    // Transfer a buffer of exactly these bytes; copy when the view shares a larger buffer.
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
    return new Promise((resolve) => {
      this.queue.push({ request: { id: this.nextId++, bytes: own, limits }, resolve });
      this.pump();
    });
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.job || this.queue.length === 0) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      const worker = (slot.worker ??= this.spawn(slot));
      // Busy workers keep Node alive until their file is done; idle ones never do.
      worker.ref();
      try {
        worker.postMessage(job.request, [job.request.bytes.buffer as ArrayBuffer]);
      } catch (e) {
        slot.job = undefined;
        worker.unref();
        job.resolve({ kind: 'error', reason: `The file could not be handed to the decoder: ${(e as Error).message}` });
      }
    }
  }

  private spawn(slot: Slot): Worker {
    const worker = new Worker(this.script, { resourceLimits: { maxOldGenerationSizeMb: this.heapMb } });
    worker.unref();
    worker.on('message', (msg: DecodeResponse) => {
      const job = slot.job;
      if (!job || job.request.id !== msg.id) return;
      slot.job = undefined;
      worker.unref();
      job.resolve(msg.result);
      this.pump();
    });
    const fail = (why: string): void => {
      if (slot.worker !== worker) return;
      slot.worker = undefined;
      const job = slot.job;
      slot.job = undefined;
      job?.resolve({ kind: 'error', reason: why });
      if (!this.disposed) this.pump();
    };
    worker.on('error', (err: Error & { code?: string }) =>
      fail(
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? 'Decoding ran out of memory: the file is too large to hold. Split it, or open a smaller range.'
          : `The decoder failed: ${err.message}`,
      ),
    );
    worker.on('exit', (code) => fail(`The decoder stopped unexpectedly (exit code ${code}).`));
    return worker;
  }

  /** Stops the workers; queued and running files resolve as errors. */
  dispose(): void {
    this.disposed = true;
    for (const job of this.queue.splice(0)) job.resolve({ kind: 'error', reason: 'The load was cancelled.' });
    for (const slot of this.slots) {
      const w = slot.worker;
      slot.worker = undefined;
      slot.job?.resolve({ kind: 'error', reason: 'The load was cancelled.' });
      slot.job = undefined;
      void w?.terminate();
    }
  }
}
