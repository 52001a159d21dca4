/**
 * Worker-thread entry (bundled to dist/storeWorker.js): owns one log view's events, so the
 * store's bulk lives in this thread's heap and its queries run on this thread, never on the
 * extension host's (which every extension shares). See storeService.ts.
 */
import { parentPort } from 'node:worker_threads';
import { StoreService } from './storeService';

if (parentPort) new StoreService(parentPort);
