import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { COLUMN_GETTERS, type EventBatch, toBatch, transferList } from '../../../src/core/store/batch';
import { EventIdSet, uuidKey } from '../../../src/core/store/eventIdSet';
import {
  decodeLogBytes,
  decodeLogText,
  decodeToBatch,
  REREAD_MAX_BYTES,
  rereadRaws,
} from '../../../src/core/ingest/decode';
import { StringInterner, stringHash } from '../../../src/core/store/interner';
import { sliceBuffer } from '../../../src/core/store/sliceBuffer';
import { GrowableU32, Postings } from '../../../src/core/store/postings';
import { RawStore, utf8Length } from '../../../src/core/store/rawStore';
import { normalizeEvent, type CtRecord } from '../../../src/core/model/records';
import { EventStore, STRING_FIELDS } from '../../../src/core/store/store';
import { aLogFile, anEvent, gz, samplesDir } from '../../builders/events';
import { rng } from '../../../bench/corpus';

function recordsOf(events: Array<Record<string, unknown>>): CtRecord[] {
  return events.map((e) => normalizeEvent(e));
}

function batchOf(bytes: Uint8Array): EventBatch {
  const r = decodeToBatch(bytes, { maxBytes: 1 << 28 });
  assert.equal(r.kind, 'batch', r.kind === 'error' ? r.reason : '');
  return r.batch;
}

/** Every column, resource list, time and raw of every row, for comparing two stores. */
function dump(store: EventStore): unknown[] {
  return Array.from({ length: store.size }, (_, row) => [
    ...STRING_FIELDS.map((f) => store.value(f, row)),
    Array.from(store.resourceValueIds(row), (id) => store.dictionary('resources').values[id]),
    store.time(row),
    store.file(row),
    // Parsed: S3 log files keep each record's own bytes, other sources the JSON.stringify of it.
    JSON.parse(store.raw(row)) as unknown,
  ]);
}

describe('typed building blocks', () => {
  test('a growable array keeps every value across growth, and reserve keeps them too', () => {
    const g = new GrowableU32(2);
    for (let i = 0; i < 1000; i++) g.push(i * 3);
    g.reserve(5000);
    g.push(7);
    assert.equal(g.length, 1001);
    assert.equal(g.data[999], 2997);
    assert.deepEqual(Array.from(g.view().subarray(998)), [2994, 2997, 7]);
  });

  test('postings of a column list each value’s rows in order, and agree with a brute-force scan', () => {
    const column = Uint32Array.from({ length: 500 }, (_, i) => (i * 7919) % 13);
    const p = Postings.ofColumn(column, column.length, 15);
    for (let v = 0; v < 15; v++) {
      assert.deepEqual(
        Array.from(p.of(v)),
        [...column.keys()].filter((r) => column[r] === v),
        `value ${v}`,
      );
    }
    assert.equal(p.of(99).length, 0, 'an unknown id has no rows');
    assert.equal(Postings.ofColumn(column, 10, 13).of(0).length, 1, 'only the first rowCount rows are indexed');
  });

  test('postings built in parts and appended equal postings built at once (columns and lists)', () => {
    const next = rng(17);
    const n = 3000;
    const column = Uint32Array.from({ length: n }, (_, r) => Math.floor(next() * (5 + r / 20)));
    const lists = Array.from({ length: n }, (_, r) =>
      Array.from({ length: Math.floor(next() * 4) }, () => Math.floor(next() * (3 + r / 30))),
    );
    const starts = new Uint32Array(n + 1);
    lists.forEach((l, r) => (starts[r + 1] = starts[r] + l.length));
    const ids = Uint32Array.from(lists.flat());
    for (const cuts of [[n], [1, n], [700, 701, 2999, n], [0, 1500, n]]) {
      let col: Postings | undefined;
      let lst: Postings | undefined;
      let from = 0;
      for (const to of cuts) {
        // Values seen so far: an index grows its value count as rows bring new values.
        const colValues = Math.max(0, ...Array.from(column.subarray(0, to))) + 1;
        const lstValues = Math.max(0, ...Array.from(ids.subarray(0, starts[to]))) + 1;
        const colPart = Postings.ofColumn(column, to, colValues, from);
        const lstPart = Postings.ofLists(starts, ids, to, lstValues, from);
        col = col ? Postings.append(col, colPart, colValues) : colPart;
        lst = lst ? Postings.append(lst, lstPart, lstValues) : lstPart;
        from = to;
        const wantCol = Postings.ofColumn(column, to, colValues);
        const wantLst = Postings.ofLists(starts, ids, to, lstValues);
        assert.deepEqual(
          [Array.from(col.offsets), Array.from(col.rows), col.rowCount],
          [Array.from(wantCol.offsets), Array.from(wantCol.rows), to],
          `column, cuts ${cuts.join(',')}`,
        );
        assert.deepEqual(
          [Array.from(lst.offsets), Array.from(lst.rows), lst.rowCount],
          [Array.from(wantLst.offsets), Array.from(wantLst.rows), to],
          `lists, cuts ${cuts.join(',')}`,
        );
      }
    }
  });

  test('postings of value lists list a row once even when it repeats a value', () => {
    const lists = [[0, 1], [], [1, 1, 2], [2], [0, 2, 0]];
    const starts = new Uint32Array(lists.length + 1);
    lists.forEach((l, r) => (starts[r + 1] = starts[r] + l.length));
    const p = Postings.ofLists(starts, Uint32Array.from(lists.flat()), lists.length, 3);
    assert.deepEqual(
      [0, 1, 2].map((v) => Array.from(p.of(v))),
      [
        [0, 4],
        [0, 2],
        [2, 3, 4],
      ],
    );
  });

  test('eventIDs: UUIDs become exact 128-bit keys, anything else stays a string', () => {
    const set = new EventIdSet();
    const ids = Array.from(
      { length: 5000 },
      (_, i) =>
        `${((i * 2654435761) >>> 0).toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
    );
    assert.ok(ids.every((id) => set.add(id)));
    assert.ok(
      ids.every((id) => !set.add(id)),
      'every one is found again after the table grew',
    );
    // U+0130 and U+012D end in the bytes of '0' and '-': a character is never read as its low byte.
    for (const other of [
      '',
      'not-a-uuid',
      '00000000-0000-4000-8000-00000000000A',
      '00000000_0000-4000-8000-000000000000',
      '00000000-0000-4000-8000-00000000000\u0130',
      '00000000\u012d0000-4000-8000-000000000000',
    ]) {
      assert.equal(uuidKey(other, new Uint32Array(4), 0), false, other);
      assert.equal(set.add(other), true);
      assert.equal(set.add(other), false);
    }
    assert.equal(set.add('00000000-0000-4000-8000-00000000000a'), true, 'case matters: …A and …a are different IDs');
    const key = new Uint32Array(4);
    assert.ok(uuidKey('0123abcd-ef01-4000-8000-00000000ffff', key, 0));
    assert.deepEqual(Array.from(key), [0x0123abcd, 0xef014000, 0x80000000, 0x0000ffff]);
    // Each place: a digit lands in its own nibble, and a character next to the digits' ranges is refused.
    const zero = '00000000-0000-0000-0000-000000000000';
    let nibble = 0;
    for (let i = 0; i < 36; i++) {
      if ([8, 13, 18, 23].includes(i)) continue;
      assert.ok(uuidKey(`${zero.slice(0, i)}f${zero.slice(i + 1)}`, key, 0));
      const expected = [0, 0, 0, 0];
      expected[nibble >> 3] = (0xf << (28 - 4 * (nibble & 7))) >>> 0;
      assert.deepEqual(Array.from(key), expected, `digit ${i}`);
      for (const c of ['/', ':', '`', 'g', 'F'])
        assert.equal(uuidKey(`${zero.slice(0, i)}${c}${zero.slice(i + 1)}`, key, 0), false, `${c} at ${i}`);
      nibble++;
    }
    assert.equal(set.size, 5000 + 6 + 1);
  });

  test('the interner numbers values in first-seen order and finds each again, look-alikes included', () => {
    const interner = new StringInterner();
    const values: string[] = ['', 'a', 'A', 'é', '\u{1F600}', 'x'.repeat(5000)];
    // Same length, differing in the middle only, and many of them: collisions and probing.
    for (let i = 0; i < 20_000; i++) values.push(`arn:aws:sts::${String(i).padStart(12, '0')}:assumed-role/r/s`);
    const map = new Map<string, number>();
    for (const v of [...values, ...values.slice().reverse()]) {
      if (!map.has(v)) map.set(v, map.size);
      assert.equal(interner.intern(v), map.get(v));
    }
    assert.equal(interner.size, values.length);
    assert.deepEqual(interner.values, values);
    for (const v of values) assert.equal(interner.idOf(v), map.get(v));
    for (const v of ['b', ' ', 'arn:aws:sts::000000000000:assumed-role/r/t', 'x'.repeat(4999)])
      assert.equal(interner.idOf(v), undefined);
  });

  test('interning from UTF-8 bytes gives the id interning the string gives, and makes a string only for a new value', () => {
    const values = [
      '',
      'a',
      'AccessDenied',
      'é',
      'Café',
      '\u{1F600}',
      'x'.repeat(5000),
      '198.51.100.7',
      'arn:aws:iam::111122223333:user/alice',
    ];
    for (let i = 0; i < 5000; i++) values.push(`arn:aws:sts::${String(i).padStart(12, '0')}:assumed-role/r/s`);
    // Every length to 17 (whole words and the bytes after them), and a non-ASCII letter at each place.
    for (let k = 2; k <= 17; k++) values.push('ABCDEFGHIJKLMNOPQ'.slice(0, k));
    for (let k = 0; k <= 12; k++) values.push(`${'abcdefghijkl'.slice(0, k)}ü${'mnop'.slice(0, k % 5)}`);
    const byString = new StringInterner();
    const byBytes = new StringInterner();
    // Mixed: half the values first interned one way, then every value asked for the other way.
    values.forEach((v, i) =>
      i % 2 ? byBytes.intern(v) : byBytes.internUtf8(sliceBuffer(Buffer.from(v)), 0, Buffer.byteLength(v)),
    );
    for (const v of values) byString.intern(v);
    const text = sliceBuffer(Buffer.from(`..${values.join('')}`));
    let at = 2;
    for (const v of values) {
      const len = Buffer.byteLength(v);
      assert.equal(byBytes.internUtf8(text, at, at + len), byString.idOf(v), JSON.stringify(v.slice(0, 20)));
      assert.equal(byBytes.intern(v), byString.idOf(v));
      at += len;
    }
    assert.deepEqual(byBytes.values, byString.values, 'no value twice, none lost');
    // Two values whose 32-bit hashes collide (found by the birthday bound) still get two ids.
    const seen = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; !pair; i++) {
      const v = `collide-${i}`;
      const other = seen.get(stringHash(v));
      if (other !== undefined) pair = [other, v];
      else seen.set(stringHash(v), v);
    }
    const a = byBytes.intern(pair[0]);
    assert.notEqual(
      byBytes.internUtf8(sliceBuffer(Buffer.from(pair[1])), 0, pair[1].length),
      a,
      'bytes: colliding hashes, different values',
    );
    const strings = new StringInterner();
    assert.notEqual(strings.intern(pair[1]), strings.intern(pair[0]), 'strings: colliding hashes, different values');
    const fresh = byBytes.internUtf8(sliceBuffer(Buffer.from('zz-new')), 0, 6);
    assert.equal(fresh, values.length + 2);
    assert.equal(byBytes.values[fresh], 'zz-new');
  });

  test('the column getters read the fields in STRING_FIELDS order', () => {
    const rec = Object.fromEntries(STRING_FIELDS.map((f) => [f, `value of ${f}`])) as unknown as CtRecord;
    assert.deepEqual(
      COLUMN_GETTERS.map((get) => get(rec)),
      STRING_FIELDS.map((f) => `value of ${f}`),
    );
  });

  test('utf8Length agrees with Buffer.byteLength, lone surrogates included', () => {
    for (const s of ['', 'plain', 'é', '日本語', '😀 x', '\ud800', 'a\udc00b', '\ud83d'])
      assert.equal(utf8Length(s), Buffer.byteLength(s, 'utf8'), JSON.stringify(s));
  });
});

describe('time order', () => {
  test('rowsByTime: newest first, ties by row, rows without a time last', () => {
    const store = new EventStore();
    const next = rng(9);
    for (let i = 0; i < 3000; i++) {
      const r = next();
      store.add(
        normalizeEvent(
          anEvent({
            eventTime:
              r < 0.05
                ? 'garbage'
                : r < 0.1
                  ? undefined
                  : new Date(Date.UTC(2024, 0, 1) + Math.floor(next() * 500) * 1000).toISOString(),
          }),
        ),
        0,
      );
    }
    const key = (row: number) => (Number.isNaN(store.time(row)) ? -Infinity : store.time(row));
    const want = [...Array(store.size).keys()].sort((a, b) => key(b) - key(a) || a - b);
    assert.deepEqual(Array.from(store.rowsByTime()), want);
    assert.ok(Number.isNaN(store.time(want[want.length - 1])));
    assert.deepEqual(Array.from(new EventStore().rowsByTime()), []);
  });

  test('rowsByTime at millisecond resolution, with fractions, and across centuries: each way of sorting agrees with a full sort', () => {
    const next = rng(13);
    const base = Date.UTC(2024, 0, 1);
    const cases: Array<[string, () => string | undefined]> = [
      ['milliseconds', () => new Date(base + Math.floor(next() * 5000)).toISOString()],
      [
        'fractions of a millisecond',
        () => `2024-01-01T00:00:0${Math.floor(next() * 10)}.${String(Math.floor(next() * 1e6)).padStart(6, '0')}Z`,
      ],
      [
        'a span past 2^32 seconds',
        () =>
          new Date(
            next() < 0.5 ? Date.UTC(1900, 0, 1) : Date.UTC(2100, 0, 1) + Math.floor(next() * 30) * 1000,
          ).toISOString(),
      ],
      ['no times at all', () => undefined],
    ];
    for (const [name, time] of cases) {
      const store = new EventStore();
      for (let i = 0; i < 2500; i++)
        store.add(normalizeEvent(anEvent({ eventTime: next() < 0.05 ? undefined : time() })), 0);
      const key = (row: number) => (Number.isNaN(store.time(row)) ? -Infinity : store.time(row));
      const want = [...Array(store.size).keys()].sort((a, b) => key(b) - key(a) || a - b);
      assert.deepEqual(Array.from(store.rowsByTime()), want, name);
    }
  });

  test('rowsByTime asked between adds (new rows merged into the last order) matches a full sort', () => {
    const store = new EventStore();
    const next = rng(12);
    const key = (row: number) => (Number.isNaN(store.time(row)) ? -Infinity : store.time(row));
    for (let step = 0; step < 25; step++) {
      const count = Math.floor(next() * 200);
      for (let i = 0; i < count; i++) {
        const r = next();
        // Few distinct times, so ties between old and new rows are common.
        store.add(
          normalizeEvent(
            anEvent({
              eventTime:
                r < 0.08 ? undefined : new Date(Date.UTC(2024, 0, 1) + Math.floor(next() * 40) * 1000).toISOString(),
            }),
          ),
          0,
        );
      }
      const want = [...Array(store.size).keys()].sort((a, b) => key(b) - key(a) || a - b);
      const got = store.rowsByTime();
      assert.deepEqual(Array.from(got), want, `after step ${step}`);
      assert.equal(store.rowsByTime(), got, 'unchanged store: the same order again');
    }
  });
});

describe('raw JSON off the heap', () => {
  test('strings, kept blocks and re-read sources all give back the raw, byte for byte', () => {
    const rereads: number[] = [];
    const raws = new RawStore((src) => {
      rereads.push(src[0]);
      return [`first of ${src[0]}`, `second of ${src[0]}`];
    });
    raws.addString('{"x":"héllo 😀"}');
    const block = raws.addBlock(new TextEncoder().encode('[1][22]'));
    raws.addSlice(block, 3, 7);
    raws.addString('{"after":"the block"}');
    const s1 = raws.addSource(Uint8Array.of(1));
    const s2 = raws.addSource(Uint8Array.of(2));
    raws.addRecord(s1, 1);
    raws.addRecord(s2, 0);
    raws.addRecord(s1, 0);
    raws.addRecord(s1, 5);
    assert.deepEqual(
      Array.from({ length: raws.size }, (_, r) => raws.get(r)),
      ['{"x":"héllo 😀"}', '[22]', '{"after":"the block"}', 'second of 1', 'first of 2', 'first of 1', ''],
    );
    assert.deepEqual(rereads, [1, 2], 'a decoded source is cached');
  });

  test('a raw larger than a block gets a block of its own', () => {
    const raws = new RawStore(() => []);
    const big = `"${'é'.repeat(9_000_000)}"`;
    raws.addString('{}');
    raws.addString(big);
    raws.addString('[]');
    assert.equal(raws.get(1), big);
    assert.deepEqual([raws.get(0), raws.get(2)], ['{}', '[]']);
  });
});

describe('column batches', () => {
  const events = [
    anEvent({ eventName: 'StopLogging', requestParameters: { bucketName: 'b1', roleArn: 'r' } }),
    anEvent(),
    anEvent({ errorCode: 'AccessDenied', requestParameters: { bucketName: 'b1' } }),
  ];

  test('a batch of a gzipped log stores exactly what adding its records one by one stores', () => {
    const bytes = gz(aLogFile(events));
    const one = new EventStore(rereadRaws);
    const r = decodeLogBytes(bytes);
    for (const rec of r.kind === 'events' ? r.records : []) one.add(rec, 3);
    const batch = batchOf(bytes);
    assert.equal(batch.raw.kind, 'source', 'a small gzip keeps its own bytes for raws');
    const many = new EventStore(rereadRaws);
    assert.equal(many.addBatch(batch, 3), 3);
    assert.deepEqual(dump(many), dump(one));
    assert.deepEqual(
      Array.from(many.dictionary('eventName').rows(many.dictionary('eventName').idOf('DescribeInstances')!)),
      [1, 2],
    );
    assert.deepEqual(Array.from(many.dictionary('resources').rows(many.dictionary('resources').idOf('b1')!)), [0, 2]);
  });

  test('values travel as UTF-8 bytes: non-ASCII, escaped, empty and lone-surrogate values reach the store as JSON.parse reads them', () => {
    const odd = [
      anEvent({ eventName: 'Café', userAgent: 'agent \u{1F600} "quoted"', sourceIPAddress: '東京', errorCode: '' }),
      anEvent({
        eventName: 'Lone\ud800',
        userAgent: 'tail\udfff',
        errorMessage: 'a\nb',
        requestParameters: { bucketName: 'seau-é' },
      }),
      anEvent({
        eventName: 'Café',
        userIdentity: { type: 'IAMUser', userName: 'zoë\ud83d', arn: 'arn:aws:iam::1:user/zoë' },
      }),
      anEvent({ eventName: '', sourceIPAddress: 7, userAgent: 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64' }),
    ];
    for (const bytes of [gz(aLogFile(odd)), Buffer.from(aLogFile(odd))]) {
      const expected = new EventStore(rereadRaws);
      const r = decodeLogBytes(bytes);
      for (const rec of r.kind === 'events' ? r.records : []) expected.add(rec, 0);
      const batch = batchOf(bytes);
      assert.ok(batch.strings.length >= 3, 'lone surrogates travel as strings');
      const { port1, port2 } = new MessageChannel();
      port1.postMessage(batch, transferList(batch));
      const got = receiveMessageOnPort(port2)!.message as EventBatch;
      port1.close();
      const store = new EventStore(rereadRaws);
      store.addBatch(got, 0);
      assert.deepEqual(dump(store), dump(expected));
      assert.equal(store.value('eventName', 1), 'Lone\ud800');
      assert.equal(store.value('sourceIp', 0), '東京');
      assert.equal(store.dictionary('eventName').idOf('Café'), store.valueId('eventName', 2), 'one id for one value');
    }
  });

  test('plain JSON and large gzip files carry UTF-8 raws instead', () => {
    const plain = batchOf(Buffer.from(aLogFile(events)));
    assert.equal(plain.raw.kind, 'utf8');
    const store = new EventStore();
    store.addBatch(plain, 0);
    assert.deepEqual(
      Array.from({ length: 3 }, (_, r) => JSON.parse(store.raw(r)).eventID),
      events.map((e) => e.eventID),
    );
    const pad = 'x'.repeat(2000);
    const large = batchOf(
      gz(
        aLogFile(
          Array.from({ length: Math.ceil(REREAD_MAX_BYTES / 2000) + 10 }, () =>
            anEvent({ requestParameters: { pad } }),
          ),
        ),
      ),
    );
    assert.equal(large.raw.kind, 'utf8');
  });

  test('a batch survives a real transfer between threads, its buffers moved, not copied', () => {
    const batch = batchOf(gz(aLogFile(events)));
    const { port1, port2 } = new MessageChannel();
    const buffers = transferList(batch);
    assert.equal(new Set(buffers).size, buffers.length);
    port1.postMessage(batch, buffers);
    assert.equal(batch.ids.byteLength, 0, 'the sender no longer holds the ids');
    const got = receiveMessageOnPort(port2)!.message as EventBatch;
    port1.close();
    const store = new EventStore(rereadRaws);
    store.addBatch(got, 0);
    assert.equal(store.value('errorCode', 2), 'AccessDenied');
    assert.equal(JSON.parse(store.raw(0)).eventName, 'StopLogging');
  });

  test('duplicates by eventID count once, within a batch, across batches and with single adds', () => {
    const a = anEvent();
    const b = anEvent();
    const store = new EventStore(rereadRaws);
    store.add(normalizeEvent(a), 0);
    assert.equal(store.addBatch(batchOf(gz(aLogFile([a, b, b]))), 1), 1);
    assert.equal(
      store.addBatch(batchOf(gz(aLogFile([b, anEvent({ eventID: undefined }), anEvent({ eventID: undefined })]))), 2),
      2,
      'events without an ID are never merged',
    );
    assert.equal(store.size, 4);
    assert.equal(store.duplicates, 3);
    assert.equal(JSON.parse(store.raw(1)).eventID, b.eventID);
    assert.equal(store.file(1), 1);
  });

  test('duplicates in UTF-8 batches: the kept rows keep their own values, resources and raws', () => {
    const a = anEvent({ eventName: 'A', requestParameters: { bucketName: 'ra' } });
    const b = anEvent({ eventName: 'B', requestParameters: { bucketName: 'rb' } });
    const c = anEvent({ eventName: 'C', requestParameters: { bucketName: 'rc' } });
    const viaBatches = new EventStore();
    const viaRecords = new EventStore();
    const files = [
      [a, b],
      [b, a, c, b],
      [a, b],
    ];
    files.forEach((events, i) => {
      const text = aLogFile(events);
      const batch = batchOf(Buffer.from(text));
      assert.equal(batch.raw.kind, 'utf8');
      const version = viaBatches.version;
      const added = viaBatches.addBatch(batch, i);
      assert.equal(
        viaBatches.version,
        added ? version + 1 : version,
        'one bump per batch that adds rows, none otherwise',
      );
      const r = decodeLogText(text);
      if (r.kind === 'events') for (const rec of r.records) viaRecords.add(rec, i);
    });
    assert.equal(viaBatches.size, 3);
    assert.equal(viaBatches.duplicates, 5);
    assert.deepEqual(dump(viaBatches), dump(viaRecords));
    assert.deepEqual(
      Array.from({ length: 3 }, (_, r) => viaBatches.value('eventName', r)),
      ['A', 'B', 'C'],
    );
    assert.deepEqual(
      Array.from({ length: 3 }, (_, r) => viaBatches.file(r)),
      [0, 0, 1],
    );
  });

  test('postings stay right as batches with duplicates are added, against a brute-force scan', () => {
    const next = rng(11);
    const pool = Array.from({ length: 60 }, () =>
      anEvent({
        eventName: `E${Math.floor(next() * 7)}`,
        sourceIPAddress: `10.0.0.${Math.floor(next() * 30)}`,
        requestParameters: { bucketName: `b${Math.floor(next() * 9)}`, roleArn: `r${Math.floor(next() * 4)}` },
      }),
    );
    const store = new EventStore(rereadRaws);
    const seen = new Set<unknown>();
    for (let f = 0; f < 12; f++) {
      const events = Array.from({ length: 1 + Math.floor(next() * 15) }, () => pool[Math.floor(next() * pool.length)]);
      for (const e of events) seen.add(e.eventID);
      store.addBatch(batchOf(gz(aLogFile(events))), f);
      for (const field of ['eventName', 'sourceIp'] as const) {
        const dict = store.dictionary(field);
        const column = store.column(field);
        for (let id = 0; id < dict.size; id++) {
          assert.deepEqual(
            Array.from(dict.rows(id)),
            [...column.keys()].filter((r) => column[r] === id),
            `${field} ${dict.values[id]} after file ${f}`,
          );
        }
      }
      const res = store.dictionary('resources');
      for (let id = 0; id < res.size; id++) {
        const brute = Array.from({ length: store.size }, (_, r) => r).filter((r) =>
          store.resourceValueIds(r).includes(id),
        );
        assert.deepEqual(Array.from(res.rows(id)), brute, `resource ${res.values[id]} after file ${f}`);
      }
    }
    assert.equal(store.size, seen.size, 'each eventID once');
    assert.ok(store.duplicates > 0);
  });

  test('an empty batch adds nothing and leaves the version alone', () => {
    const store = new EventStore();
    const v = store.version;
    assert.equal(store.addBatch(toBatch([]), 0), 0);
    assert.equal(store.version, v);
  });

  test('every sample file gives the same store through batches as through records', () => {
    const dir = samplesDir();
    const files = readFileSync(join(dir, 'FILES.tsv'), 'utf8')
      .split('\n')
      .slice(1)
      .map((l) => l.split('\t')[0])
      .filter((p) => p && /\.json(\.gz)?$/.test(p));
    assert.ok(files.length > 3 && readdirSync(dir).length > 0);
    const viaRecords = new EventStore(rereadRaws);
    const viaBatches = new EventStore(rereadRaws);
    files.forEach((p, i) => {
      const bytes = readFileSync(join(dir, p));
      const r = decodeLogBytes(bytes, { maxBytes: 1 << 28 });
      if (r.kind === 'events') for (const rec of r.records) viaRecords.add(rec, i);
      const b = decodeToBatch(bytes, { maxBytes: 1 << 28 });
      if (b.kind === 'batch') viaBatches.addBatch(b.batch, i);
      assert.equal(b.kind === 'batch' ? 'events' : b.kind, r.kind, p);
    });
    assert.ok(viaBatches.size > 100);
    assert.deepEqual(dump(viaBatches), dump(viaRecords));
    assert.equal(viaBatches.duplicates, viaRecords.duplicates);
  });

  test('decoding with raws left out changes nothing else', () => {
    const text = aLogFile(events);
    const full = decodeLogText(text);
    const lean = decodeLogText(text, false);
    assert.ok(full.kind === 'events' && lean.kind === 'events');
    assert.deepEqual(
      lean.records.map((r) => ({ ...r, raw: '' })),
      full.records.map((r) => ({ ...r, raw: '' })),
    );
    assert.deepEqual(
      lean.records.map((r) => r.raw),
      ['', '', ''],
    );
    assert.deepEqual(
      recordsOf(events).map((r) => r.raw),
      full.records.map((r) => r.raw),
    );
  });
});
