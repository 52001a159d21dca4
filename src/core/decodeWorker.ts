/**
 * Worker-thread entry (bundled to dist/decodeWorker.js): decodes the files the pool sends.
 * Parsing a large log takes seconds of CPU; here it never blocks the extension host.
 */
import { parentPort } from 'node:worker_threads';
import { decodeLogBytes } from './decode';
import type { DecodeRequest, DecodeResponse } from './decoderPool';

parentPort?.on('message', (req: DecodeRequest) => {
  const response: DecodeResponse = { id: req.id, result: decodeLogBytes(req.bytes, req.limits) };
  parentPort!.postMessage(response);
});
