/**
 * The Fuse.js baseline of the benchmark, in its own process: Fuse.js with its default options
 * over every event of the corpus (the naive design), keyed on the fields the extension searches.
 * Prints `FUSE {"indexMs":…,"queryMs":[…],"rssMb":…}`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Fuse from 'fuse.js';
import { normalizeEvent } from '../src/core/records';

const [dir, ...queries] = process.argv.slice(2);
const events: Array<Record<string, unknown>> = [];
const walk = (d: string): void => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.json.gz')) {
      for (const ev of (JSON.parse(gunzipSync(readFileSync(p)).toString()) as { Records: Array<Record<string, unknown>> }).Records) {
        const r = normalizeEvent(ev);
        events.push({ eventName: r.eventName, principal: r.principal, principalArn: r.principalArn, accessKeyId: r.accessKeyId, sourceIp: r.sourceIp, errorCode: r.errorCode, eventSource: r.eventSource, resources: r.resources, awsRegion: r.awsRegion, account: r.account, userAgent: r.userAgent });
      }
    }
  }
};
walk(dir);
let t = performance.now();
const fuse = new Fuse(events, { keys: ['eventName', 'principal', 'principalArn', 'accessKeyId', 'sourceIp', 'errorCode', 'eventSource', 'resources', 'awsRegion', 'account', 'userAgent'] });
const indexMs = performance.now() - t;
const queryMs = queries.map((q) => {
  t = performance.now();
  fuse.search(q);
  return performance.now() - t;
});
console.log(`FUSE ${JSON.stringify({ indexMs, queryMs, rssMb: process.memoryUsage().rss / 1e6 })}`);
