/**
 * The Fuse.js baseline of the benchmark, in its own process: Fuse.js with its default options
 * over every event of the corpus (the naive design), keyed on the fields the extension searches.
 * Prints `FUSE_INDEX {"indexMs":…,"rssMb":…}`, then `FUSE_QUERY {"query":…,"ms":…,"hits":…}` as each
 * query finishes, so a run stopped by the bench's time limit still reports the queries it did.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Fuse from 'fuse.js';
import { normalizeEvent } from '../src/core/model/records';

const [dir, ...queries] = process.argv.slice(2);
const events: Array<Record<string, unknown>> = [];
const walk = (d: string): void => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.json.gz')) {
      for (const ev of (
        JSON.parse(gunzipSync(readFileSync(p)).toString()) as { Records: Array<Record<string, unknown>> }
      ).Records) {
        const r = normalizeEvent(ev);
        events.push({
          eventName: r.eventName,
          principal: r.principal,
          principalArn: r.principalArn,
          accessKeyId: r.accessKeyId,
          sourceIp: r.sourceIp,
          errorCode: r.errorCode,
          eventSource: r.eventSource,
          resources: r.resources,
          awsRegion: r.awsRegion,
          account: r.account,
          userAgent: r.userAgent,
        });
      }
    }
  }
};
walk(dir);
let t = performance.now();
const fuse = new Fuse(events, {
  keys: [
    'eventName',
    'principal',
    'principalArn',
    'accessKeyId',
    'sourceIp',
    'errorCode',
    'eventSource',
    'resources',
    'awsRegion',
    'account',
    'userAgent',
  ],
});
console.log(
  `FUSE_INDEX ${JSON.stringify({ indexMs: performance.now() - t, events: events.length, rssMb: process.memoryUsage().rss / 1e6 })}`,
);
for (const query of queries) {
  t = performance.now();
  const hits = fuse.search(query).length;
  console.log(
    `FUSE_QUERY ${JSON.stringify({ query, ms: performance.now() - t, hits, rssMb: process.memoryUsage().rss / 1e6 })}`,
  );
}
