import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { DecodeResult, HARD_MAX_BYTES } from '../../../src/core/ingest/decode';
import { inlineDecoder, WorkerDecoder } from '../../../src/core/ingest/decoderPool';
import { Investigation } from '../../../src/core/engine/investigation';
import { expandRoots, loadFiles, type LogFileSystem, READ_AHEAD_BYTES } from '../../../src/core/ingest/loader';
import { parseViewerMessage } from '../../../src/core/ui/viewerMessages';
import { aLogFile, anEvent, gz } from '../../builders/events';

const root = mkdtempSync(join(tmpdir(), 'ctl-loader-'));
after(() => rmSync(root, { recursive: true, force: true }));

function nodeFs(base: string, reads: string[] = []): LogFileSystem<string> {
  return {
    async stat(p) {
      const s = statSync(p);
      return { kind: s.isDirectory() ? 'directory' : s.isFile() ? 'file' : 'other', size: s.size };
    },
    async list(p) {
      return readdirSync(p, { withFileTypes: true }).map((d) => ({
        loc: join(p, d.name),
        name: d.name,
        kind: d.isDirectory() ? 'directory' : 'file',
      }));
    },
    async read(p) {
      reads.push(p);
      return readFileSync(p);
    },
    label: (p) => relative(base, p),
  };
}

function write(path: string, data: string | Buffer): string {
  const full = join(root, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, data);
  return full;
}

const trail = 'AWSLogs/111122223333/CloudTrail/eu-west-1/2024/03/01';
const good1 = write(
  `${trail}/111122223333_CloudTrail_eu-west-1_20240301T1000Z_a.json.gz`,
  gz(aLogFile([anEvent(), anEvent()])),
);
write(`${trail}/111122223333_CloudTrail_eu-west-1_20240301T1005Z_b.json.gz`, gz(aLogFile([anEvent()])));
write(
  `${trail}/111122223333_CloudTrail_eu-west-1_20240301T1010Z_truncated.json.gz`,
  gz(aLogFile([anEvent(), anEvent()])).subarray(0, 60),
);
write(`${trail}/notes.txt`, 'not a log');
write('AWSLogs/.git/config', 'ignored');
const big = write('big.json', Buffer.alloc(2 * 1024 * 1024, 0x20));

async function loadInto(
  inv: Investigation,
  roots: string[],
  maxBytes = 64 * 1024 * 1024,
  reads: string[] = [],
): Promise<void> {
  const fs = nodeFs(root, reads);
  const { files, problems } = await expandRoots(fs, roots);
  for (const p of problems) inv.addProblem(p.label, p.reason);
  inv.filesTotal += files.length;
  await loadFiles(fs, inlineDecoder, files, {
    limits: { maxBytes },
    concurrency: 2,
    onFile: (_l, label, r) => inv.addFile(label, r),
  });
}

describe('loader', () => {
  test('a folder is read recursively; only log-named files; one bad file does not stop the rest', async () => {
    const inv = new Investigation();
    await loadInto(inv, [join(root, 'AWSLogs')]);
    const s = inv.status();
    assert.equal(s.filesTotal, 3);
    assert.equal(s.events, 3);
    assert.equal(s.filesFailed, 1);
    assert.match(s.notes[0].label, /truncated\.json\.gz$/);
    assert.match(s.notes[0].message, /truncated/);
  });

  test('a file over the size limit is refused without being read', async () => {
    const inv = new Investigation();
    const reads: string[] = [];
    await loadInto(inv, [big, good1], 1024 * 1024, reads);
    assert.deepEqual(reads, [good1]);
    assert.match(inv.status().notes[0].message, /2\.0 MB, past the 1\.0 MB limit/);
    assert.equal(inv.status().events, 2);
  });

  test('a missing path is a per-file problem, not a crash', async () => {
    const inv = new Investigation();
    await loadInto(inv, [join(root, 'nope.json.gz'), good1]);
    assert.equal(inv.status().filesFailed, 1);
    assert.equal(inv.status().events, 2);
  });

  test('the same file opened twice counts its events once', async () => {
    const inv = new Investigation();
    await loadInto(inv, [good1, good1]);
    assert.equal(inv.status().events, 2);
    assert.equal(inv.status().duplicates, 2);
  });

  test('a folder of logs with saved digest metadata and public keys: only the logs and digests are read', async () => {
    const dir = join(root, 'cache', 'AWSLogs', '111122223333', 'CloudTrail-Digest', 'us-east-1');
    mkdirSync(dir, { recursive: true });
    const digest = '111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20240301T010000Z.json.gz';
    writeFileSync(join(dir, digest), gz('{}'));
    writeFileSync(join(dir, `${digest}.metadata.json`), '{"signature":"00","signature-algorithm":"SHA256withRSA"}');
    writeFileSync(join(root, 'cache', 'public-keys.json'), '{"PublicKeyList":[]}');
    writeFileSync(join(root, 'cache', 'log.json'), aLogFile([anEvent()]));
    const { files } = await expandRoots(nodeFs(root), [join(root, 'cache')]);
    assert.deepEqual(files.map((f) => relative(join(root, 'cache'), f)).sort(), [
      join('AWSLogs', '111122223333', 'CloudTrail-Digest', 'us-east-1', digest),
      'log.json',
    ]);
    // Named explicitly, a sidecar is still read (and reported for what it is).
    assert.equal((await expandRoots(nodeFs(root), [join(root, 'cache', 'public-keys.json')])).files.length, 1);
  });

  test('cancellation stops starting new files', async () => {
    const token = { isCancellationRequested: false };
    const seen: string[] = [];
    const fs = nodeFs(root);
    const { files } = await expandRoots(fs, [join(root, 'AWSLogs')]);
    await loadFiles(fs, inlineDecoder, files, {
      limits: { maxBytes: 1 << 26 },
      concurrency: 1,
      token,
      onFile: (_l, label) => {
        seen.push(label);
        token.isCancellationRequested = true;
      },
    });
    assert.equal(seen.length, 1);
  });
});

describe('read-ahead', () => {
  /** A file system of `n` files of `size` bytes, and a decoder that counts files decoded at once. */
  async function peakInFlight(n: number, size: number, concurrency: number): Promise<{ peak: number; landed: number }> {
    const fs: LogFileSystem<number> = {
      stat: async () => ({ kind: 'file', size }),
      list: async () => [],
      read: async () => new Uint8Array(1),
      label: (i) => `f${i}`,
    };
    let now = 0;
    let peak = 0;
    const decoder = {
      async decode(): Promise<DecodeResult> {
        peak = Math.max(peak, ++now);
        await new Promise((r) => setTimeout(r, 2));
        now--;
        return { kind: 'error', reason: 'x' };
      },
    };
    let landed = 0;
    await loadFiles(fs, decoder, [...Array(n).keys()], {
      limits: { maxBytes: HARD_MAX_BYTES },
      concurrency,
      onFile: () => landed++,
    });
    return { peak, landed };
  }

  test('twice as many files as decoders are in flight, so a decoder never waits on the host', async () => {
    assert.deepEqual(await peakInFlight(20, 1000, 2), { peak: 4, landed: 20 });
  });

  test('large files are read ahead only within the byte budget, one at a time when each fills it', async () => {
    assert.deepEqual(await peakInFlight(6, READ_AHEAD_BYTES / 2, 4), { peak: 2, landed: 6 });
    assert.deepEqual(await peakInFlight(3, READ_AHEAD_BYTES + 1, 4), { peak: 1, landed: 3 });
  });
});

describe('worker decoder pool', () => {
  const script = join(process.cwd(), 'dist/decodeWorker.js');

  test('decodes in worker threads, and a worker dying fails only its own file', async () => {
    // A 48 MB heap cannot hold this file's parse; the next file must still decode.
    const pool = new WorkerDecoder(script, 1, 48);
    try {
      // The leading space sends it down the JSON.parse path (the byte scanner holds far less).
      const many = gz(
        ' ' + aLogFile(Array.from({ length: 60000 }, () => anEvent({ requestParameters: { pad: 'x'.repeat(300) } }))),
      );
      const [huge, small] = await Promise.all([
        pool.decode(many, { maxBytes: 1 << 28 }),
        pool.decode(gz(aLogFile([anEvent()])), { maxBytes: 1 << 20 }),
      ]);
      assert.equal(huge.kind, 'error');
      assert.match(huge.reason, /out of memory|decoder/);
      assert.equal(small.kind, 'batch');
    } finally {
      pool.dispose();
    }
  });

  test('dispose resolves queued work as cancelled', async () => {
    const pool = new WorkerDecoder(script, 1);
    const p = pool.decode(gz(aLogFile([anEvent()])), { maxBytes: 1 << 20 });
    const q = pool.decode(gz(aLogFile([anEvent()])), { maxBytes: 1 << 20 });
    pool.dispose();
    const results = await Promise.all([p, q]);
    assert.ok(results.every((r) => r.kind === 'error' || r.kind === 'batch'));
    assert.equal(results[1].kind, 'error');
  });
});

describe('investigation rows and messages', () => {
  test('row summaries, highlights and the "matched in" hint', async () => {
    const inv = new Investigation();
    inv.addFile('a.json', { kind: 'events', format: 'records', skipped: 0, records: [] });
    const { decodeLogText } = await import('../../../src/core/ingest/decode');
    const r = decodeLogText(
      aLogFile([
        anEvent({
          eventName: 'GetSecretValue',
          errorCode: 'AccessDenied',
          errorMessage: 'not allowed',
          readOnly: true,
        }),
        anEvent({ eventName: 'PutObject', readOnly: false, userAgent: 'evil-agent/1.0' }),
      ]),
    );
    inv.addFile('b.json', r);
    let q = inv.query('', 'newest');
    assert.equal(q.total, 2);
    const rows = inv.rows(0, 10);
    const secret = rows.find((x) => x.eventName === 'GetSecretValue')!;
    assert.equal(secret.errorCode, 'AccessDenied');
    assert.equal(secret.errorMessage, 'not allowed');
    assert.equal(secret.principal, 'alice');
    assert.match(secret.principalDetail, /IAMUser · arn:aws:iam::111122223333:user\/alice/);
    q = inv.query('secret', 'relevance');
    assert.deepEqual(inv.rows(0, 10)[0].highlights?.eventName, [[3, 9]]);
    inv.query('evil-agent', 'relevance');
    const hit = inv.rows(0, 10)[0];
    assert.equal(hit.eventName, 'PutObject');
    assert.deepEqual(hit.otherMatch?.field, 'user agent');
    assert.equal(inv.status().notes[0].state, 'empty');
    assert.match(inv.store.raw(hit.id), /"evil-agent\/1.0"/);
  });

  test('messages from the webview are validated before use', () => {
    assert.deepEqual(parseViewerMessage({ type: 'query', text: 'x', sort: 'newest' }), {
      type: 'query',
      text: 'x',
      sort: 'newest',
    });
    assert.deepEqual(parseViewerMessage({ type: 'open', id: 3, extra: 1 }), { type: 'open', id: 3 });
    // The detections panel's Stop and its link to the coverage matrix carry nothing else.
    assert.deepEqual(parseViewerMessage({ type: 'stopDetections', id: 3 }), { type: 'stopDetections' });
    assert.deepEqual(parseViewerMessage({ type: 'coverage', view: '<x>' }), { type: 'coverage' });
    assert.deepEqual(parseViewerMessage({ type: 'exportAlert', id: 'aws_console_getsignintoken', x: 1 }), {
      type: 'exportAlert',
      id: 'aws_console_getsignintoken',
    });
    for (const bad of [
      { type: 'exportAlert' },
      { type: 'exportAlert', id: 3 },
      { type: 'exportAlert', id: '../../etc/passwd' },
      { type: 'exportAlert', id: 'a b' },
      { type: 'exportAlert', id: 'x'.repeat(65) },
    ]) {
      assert.equal(parseViewerMessage(bad), undefined, JSON.stringify(bad));
    }
    // Run the query remotely: the text only, bounded like a query; the host asks everything else.
    assert.deepEqual(
      parseViewerMessage({ type: 'remote', text: 'eventName:StopLogging', backend: 'x', profile: 'evil' }),
      { type: 'remote', text: 'eventName:StopLogging' },
    );
    assert.deepEqual(parseViewerMessage({ type: 'remote', text: '' }), { type: 'remote', text: '' });
    for (const bad of [
      { type: 'remote' },
      { type: 'remote', text: 3 },
      { type: 'remote', text: ['x'] },
      { type: 'remote', text: 'x'.repeat(10_001) },
    ]) {
      assert.equal(parseViewerMessage(bad), undefined, JSON.stringify(bad).slice(0, 60));
    }
    for (const bad of [
      null,
      'ready',
      { type: 'open', id: -1 },
      { type: 'open', id: '3' },
      { type: 'query', text: 1, sort: 'newest' },
      { type: 'query', text: 'x', sort: 'sideways' },
      { type: 'rows', version: 1, start: 0, count: 100000 },
      { type: 'eval', code: 'x' },
      { type: 'query', text: 'x'.repeat(20_000), sort: 'newest' },
    ]) {
      assert.equal(parseViewerMessage(bad), undefined, JSON.stringify(bad)?.slice(0, 60));
    }
  });
});
