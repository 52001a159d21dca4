/**
 * The contract of issue #15: for the same query, the local engine, Athena and Logs Insights find
 * the same events. Hundreds of random queries over the real samples (../shared/samples, laid out
 * as a trail bucket) are run three ways: the local SearchEngine; the compiled SQL through the real
 * @aws-sdk/client-athena against fakeAthena, which runs it in DuckDB over the same .json.gz files
 * (table created from our DDL); and the compiled Logs Insights query through the real
 * @aws-sdk/client-cloudwatch-logs against fakeLogsInsights. The eventIDs must be equal.
 *
 * The generator draws values from the samples themselves (so free text always matches something
 * literally, and the local engine's typo matching never kicks in: remotely text is substring
 * only), in every value form: exact, other case, prefix*, *suffix, *infix*, *, "", comma lists,
 * quoted literals, regexes, CIDR ranges, negation, JSON paths, and time bounds. Terms no back end
 * can send (detection:) are left out here; athenaSql.test.ts checks they are reported.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseQuery } from '../../../src/core/query/query';
import type { CtRecord } from '../../../src/core/model/records';
import { compileAthena } from '../../../src/core/query/athenaSql';
import { compileLogsInsights } from '../../../src/core/query/logsInsights';
import { type Backends, startBackends } from '../../support/remoteBackends';
import { rng } from '../../../bench/corpus';

let b: Backends;
before(async () => {
  b = await startBackends({ invictusEvery: 4 });
});
after(async () => {
  await b?.close();
});

/** Values of a record field, for drawing realistic terms. */
const FIELDS: Record<string, (r: CtRecord) => string[]> = {
  eventName: (r) => [r.eventName],
  eventSource: (r) => [r.eventSource],
  principal: (r) => [r.principal, r.principalArn],
  accessKey: (r) => [r.accessKeyId],
  ip: (r) => [r.sourceIp],
  region: (r) => [r.awsRegion],
  account: (r) => [r.account],
  error: (r) => [r.errorCode],
  type: (r) => [r.identityType],
  userAgent: (r) => [r.userAgent],
  resource: (r) => r.resources,
  eventType: (r) => [r.eventType],
  eventCategory: (r) => [r.eventCategory],
};
const PATHS = [
  'errorMessage',
  'requestParameters.userName',
  'requestParameters.bucketName',
  'requestParameters.instancesSet.items.instanceId',
  'additionalEventData.MFAUsed',
  'userIdentity.sessionContext.sessionIssuer.userName',
  'userIdentity.type',
  'userIdentity.sessionContext',
  'responseElements.credentials.accessKeyId',
  'resources.ARN',
  'tlsDetails.tlsVersion',
  'eventID',
  'recipientAccountId',
  'requestParameters',
];
const REGEX_META = /[\\^$.|?*+()[\]{}/]/g;

/** A value as the search box would take it (quoted when it must be). */
function typed(v: string): string {
  return /^[^\s",*\\/]+$/.test(v) && !v.startsWith('-') ? v : `"${v.replace(/[\\"]/g, '\\$&')}"`;
}

function query(next: () => number, records: readonly CtRecord[], valuesAt: (path: string) => string[]): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const value = (pool: string[]): string => {
    const v = pick(pool.length ? pool : ['x']);
    const safe = /^[A-Za-z0-9._:@=+-]+$/.test(v) && v.length >= 3;
    const mode = next();
    if (!safe || mode < 0.3) return typed(mode < 0.15 ? v.toUpperCase() : v);
    if (mode < 0.45) return `${v.slice(0, 3)}*`;
    if (mode < 0.55) return `*${v.slice(-3)}`;
    if (mode < 0.65) return `*${v.slice(1, 4)}*`;
    if (mode < 0.7) return '*';
    if (mode < 0.8) return `/^${v.slice(0, 4).replace(REGEX_META, '\\$&')}/${next() < 0.5 ? 'i' : ''}`;
    return v;
  };
  const clause = (): string => {
    const neg = next() < 0.25 ? '-' : '';
    const roll = next();
    if (roll < 0.12) {
      const r = pick(records);
      const src = pick([r.eventName, r.principal, r.sourceIp, r.userAgent, r.awsRegion].filter((x) => x.length >= 4));
      const at = Math.floor(next() * Math.max(1, src.length - 4));
      const piece = src.slice(at, at + 3 + Math.floor(next() * 5)).trim();
      return piece.length >= 3
        ? `${neg}${/\s/.test(piece) ? `"${piece.replace(/"/g, '')}"` : piece.replace(/^[-"]+/, '').replace(/:/g, '') || 'iam'}`
        : 'iam';
    }
    if (roll < 0.22) {
      const r = pick(records);
      const t = r.time + Math.floor((next() - 0.5) * 3_600_000);
      return `${next() < 0.5 ? 'after' : 'before'}:${new Date(t).toISOString().slice(0, 16)}Z`;
    }
    if (roll < 0.27)
      return `${neg}ip:${pick(['10.0.0.0/8', '192.168.0.0/16', '192.168.10.0/24', '1.2.3.4/32', '0.0.0.0/0', '172.16.0.0/12'])}`;
    if (roll < 0.45) {
      const path = pick(PATHS);
      const pool = valuesAt(path);
      if (next() < 0.15) return `${neg}${path}:""`;
      return `${neg}${path}:${value(pool)}`;
    }
    const field = pick(Object.keys(FIELDS));
    const pool = [...new Set(records.flatMap(FIELDS[field]).filter(Boolean))];
    if (field === 'error' && next() < 0.2) return `${neg}error:""`;
    const alts = Array.from({ length: 1 + Math.floor(next() * 2) }, () => value(pool));
    // A list needs plain alternatives: a quoted or regex value stands alone.
    const list = alts.every((a) => !a.startsWith('"') && !a.startsWith('/')) ? alts.join(',') : alts[0];
    return `${neg}${field}:${list}`;
  };
  return Array.from({ length: 1 + Math.floor(next() * 3) }, clause).join(' ');
}

test('the same random queries find the same events locally, in Athena (DuckDB) and in Logs Insights (220 queries over the samples)', async () => {
  const records = b.bucket.records;
  assert.ok(records.length > 800, `the samples give ${records.length} events`);
  const cache = new Map<string, string[]>();
  const valuesAt = (path: string): string[] => {
    let v = cache.get(path);
    if (!v) {
      const segs = path.split('.');
      const walk = (n: unknown, i: number, out: string[]): void => {
        if (Array.isArray(n)) return n.forEach((x) => walk(x, i, out));
        if (i === segs.length) return void (typeof n === 'string' && out.push(n));
        if (n && typeof n === 'object')
          for (const [k, x] of Object.entries(n)) if (k.toLowerCase() === segs[i].toLowerCase()) walk(x, i + 1, out);
      };
      v = [];
      for (const r of records) walk(JSON.parse(r.raw), 0, v);
      cache.set(path, (v = [...new Set(v)]));
    }
    return v;
  };
  const now = Date.UTC(2024, 0, 1);
  let nonEmpty = 0;
  let residual = 0;
  for (const seed of [7, 2026]) {
    const next = rng(seed);
    for (let i = 0; i < 110; i++) {
      const text = query(next, records, valuesAt);
      const parsed = parseQuery(text, now);
      const a = compileAthena(parsed, { table: b.table });
      const l = compileLogsInsights(parsed);
      assert.deepEqual(a.unsupported, [], `Athena unsupported for ${text}`);
      assert.deepEqual(l.unsupported, [], `Logs Insights unsupported for ${text}`);
      if (a.residual.length) residual++;
      const want = b.local(parsed);
      if (want.length) nonEmpty++;
      assert.deepEqual(
        await b.viaAthena(parsed),
        want,
        `Athena, seed ${seed} #${i}: ${JSON.stringify(text)}\n${a.sql}`,
      );
      assert.deepEqual(
        await b.viaLogs(parsed),
        want,
        `Logs Insights, seed ${seed} #${i}: ${JSON.stringify(text)}\n${l.queryString}`,
      );
    }
  }
  // The generator must exercise both matching and exact-in-SQL queries, not only empty results.
  assert.ok(nonEmpty > 80, `only ${nonEmpty} queries matched anything`);
  assert.ok(residual > 20 && residual < 200, `${residual} queries had terms checked after fetching`);
});
