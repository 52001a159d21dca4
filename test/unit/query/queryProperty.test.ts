/**
 * Property test: on randomized events, every structured query gives exactly the rows an
 * independent brute-force evaluator over the records gives. The evaluator shares no code with
 * the store, the index or the engine.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeEvent, type CtRecord } from '../../../src/core/model/records';
import { SearchEngine } from '../../../src/core/query/search';
import { EventStore } from '../../../src/core/store/store';
import { anEvent } from '../../builders/events';
import { rng } from '../../../bench/corpus';

const NAMES = [
  'StopLogging',
  'DeleteTrail',
  'GetObject',
  'PutObject',
  'DescribeInstances',
  'ListBuckets',
  'AssumeRole',
  'GetSecretValue',
  'ConsoleLogin',
  'CreateUser',
];
const USERS = ['alice', 'bob', 'Carol', 'dave', 'mallory'];
const ERRORS = ['', '', '', 'AccessDenied', 'ThrottlingException', 'NoSuchBucket'];
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const IPS = ['10.0.0.1', '10.0.0.2', '198.51.100.7', 'AWS Internal'];
const T0 = Date.UTC(2024, 0, 1);

const FIELDS: Record<string, (r: CtRecord) => string[]> = {
  eventName: (r) => [r.eventName],
  principal: (r) => [r.principal, r.principalArn],
  error: (r) => [r.errorCode],
  region: (r) => [r.awsRegion],
  ip: (r) => [r.sourceIp],
  readOnly: (r) => [r.readOnly],
};
const VALUES: Record<string, string[]> = {
  eventName: NAMES,
  principal: USERS,
  error: ERRORS.filter(Boolean),
  region: REGIONS,
  ip: IPS,
  readOnly: ['true', 'false'],
};

function globMatch(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern.toLowerCase() === value.toLowerCase();
  if (!value) return false;
  const parts = pattern.toLowerCase().split('*');
  const v = value.toLowerCase();
  if (!v.startsWith(parts[0]) || !v.endsWith(parts[parts.length - 1])) return false;
  let at = parts[0].length;
  for (const p of parts.slice(1, -1)) {
    const i = v.indexOf(p, at);
    if (i < 0) return false;
    at = i + p.length;
  }
  return at <= v.length - parts[parts.length - 1].length;
}

interface Clause {
  text: string;
  test(r: CtRecord, ev: Record<string, unknown>): boolean;
}

/** Paths into the random events (see randomEvent), with the values worth asking for. */
const PATHS = [
  'requestParameters.userName',
  'requestParameters.policy.Statement.Principal',
  'requestParameters',
  'additionalEventData.MFAUsed',
  'userIdentity.userName',
];

/** The scalars at a path, written independently of src/core/eventPath: arrays crossed, objects flattened. */
function scalarsAt(node: unknown, segs: string[]): string[] {
  if (Array.isArray(node)) return node.flatMap((n) => scalarsAt(n, segs));
  if (segs.length === 0) {
    if (node === null) return [''];
    if (typeof node === 'object') return Object.values(node).flatMap((v) => scalarsAt(v, []));
    return [String(node)];
  }
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node)
    .filter(([k]) => k.toLowerCase() === segs[0].toLowerCase())
    .flatMap(([, v]) => scalarsAt(v, segs.slice(1)));
}

function randomPathClause(next: () => number): Clause {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const path = pick(PATHS);
  // Keys match ignoring case: sometimes the path is typed in another case.
  const typed = next() < 0.2 ? path.toUpperCase() : path;
  const pool = path.endsWith('MFAUsed') ? ['Yes', 'No'] : USERS;
  const empty = next() < 0.15;
  const alts = Array.from({ length: 1 + Math.floor(next() * 2) }, () => {
    const v = pick(pool);
    const mode = next();
    return mode < 0.15
      ? '*'
      : mode < 0.35
        ? `${v.slice(0, 2)}*`
        : mode < 0.45
          ? `*${v.slice(-2)}`
          : mode < 0.6
            ? v.toUpperCase()
            : v;
  });
  const values = empty ? [''] : alts;
  const negate = next() < 0.3;
  const text = `${negate ? '-' : ''}${typed}:${empty ? '""' : values.join(',')}`;
  const hit = (ev: Record<string, unknown>): boolean => {
    const got = scalarsAt(ev, path.split('.'));
    return values.some((p) => (p === '' ? got.every((g) => g === '') : got.some((g) => globMatch(p, g))));
  };
  return { text, test: (_r, ev) => hit(ev) !== negate };
}

function randomClause(next: () => number): Clause {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  if (next() < 0.2) return randomPathClause(next);
  if (next() < 0.2) {
    const t = T0 + Math.floor(next() * 500) * 60_000;
    const after = next() < 0.5;
    const iso = new Date(t).toISOString().slice(0, 16) + 'Z';
    return { text: `${after ? 'after' : 'before'}:${iso}`, test: (r) => (after ? r.time >= t : r.time < t) };
  }
  const field = pick(Object.keys(FIELDS));
  const alts: string[] = [];
  for (let i = 0, k = 1 + Math.floor(next() * 2); i < k; i++) {
    const v = pick(VALUES[field]);
    const mode = next();
    alts.push(
      mode < 0.15
        ? '*'
        : mode < 0.35
          ? `${v.slice(0, 3)}*`
          : mode < 0.45
            ? `*${v.slice(-3)}`
            : mode < 0.6
              ? v.toUpperCase()
              : v,
    );
  }
  const empty = field === 'error' && next() < 0.15;
  const negate = next() < 0.25;
  // A value with a space must be quoted, and a quoted value is one value (no comma list).
  const spaced = alts.find((a) => a.includes(' '));
  const values = empty ? [''] : spaced ? [spaced] : alts;
  const text = `${negate ? '-' : ''}${field}:${empty ? '""' : spaced ? `"${spaced}"` : values.join(',')}`;
  const hit = (r: CtRecord): boolean =>
    FIELDS[field](r).some((x) => values.some((p) => (p === '' ? x === '' : globMatch(p, x))));
  return { text, test: (r) => hit(r) !== negate };
}

test('structured queries (fields, times, JSON paths) match a brute-force filter on random data (500 queries, 3 seeds)', () => {
  for (const seed of [1, 42, 20261121]) {
    const next = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
    const records: CtRecord[] = [];
    const events: Array<Record<string, unknown>> = [];
    const store = new EventStore();
    for (let i = 0; i < 600; i++) {
      const user = pick(USERS);
      const shape = next();
      const shapes = [
        null,
        { userName: pick(USERS) },
        { userName: '' },
        { policy: { Statement: [{ Principal: { AWS: [pick(USERS), pick(USERS)] } }, { Principal: pick(USERS) }] } },
        {},
      ];
      const requestParameters = shapes[Math.min(4, Math.floor(shape * 5))];
      const mfa = next();
      const ev = anEvent({
        requestParameters,
        ...(mfa < 0.3
          ? { additionalEventData: { MFAUsed: 'Yes' } }
          : mfa < 0.6
            ? { additionalEventData: { MFAUsed: 'No' } }
            : {}),
        eventName: pick(NAMES),
        eventTime: new Date(T0 + Math.floor(next() * 600) * 60_000).toISOString(),
        errorCode: pick(ERRORS) || undefined,
        awsRegion: pick(REGIONS),
        sourceIPAddress: pick(IPS),
        readOnly: next() < 0.6,
        userIdentity: { type: 'IAMUser', userName: user, arn: `arn:aws:iam::111122223333:user/${user}` },
      });
      const rec = normalizeEvent(ev);
      events.push(JSON.parse(rec.raw) as Record<string, unknown>);
      records.push(rec);
      store.add(rec, 0);
    }
    const engine = new SearchEngine(store);
    for (let q = 0; q < 170; q++) {
      const clauses = Array.from({ length: 1 + Math.floor(next() * 3) }, () => randomClause(next));
      const query = clauses.map((c) => c.text).join(' ');
      const got = Array.from(engine.search(query, 'newest').rows).sort((a, b) => a - b);
      const want = records.map((r, i) => (clauses.every((c) => c.test(r, events[i])) ? i : -1)).filter((i) => i >= 0);
      assert.deepEqual(got, want, `seed ${seed}, query ${JSON.stringify(query)}`);
    }
  }
});
