/**
 * Worker-thread entry (bundled to dist/decodeWorker.js): decodes the files the pool sends.
 * Parsing a large log takes seconds of CPU; here it never blocks the extension host. Results go
 * back as column batches whose buffers are transferred, not copied (see batch.ts).
 */
import { parentPort } from 'node:worker_threads';
import { transferList } from '../store/batch';
import { decodeToBatch } from './decode';
import type { DecodeRequest, DecodeResponse } from './decoderPool';

parentPort?.on('message', (req: DecodeRequest) => {
  const result = decodeToBatch(req.bytes, req.limits);
  const response: DecodeResponse = { id: req.id, result };
  parentPort!.postMessage(response, result.kind === 'batch' ? transferList(result.batch) : []);
});
