/**
 * The store worker: a log view's events live in a worker thread (dist/storeWorker.js), and the
 * host asks it questions through StoreClient. These tests drive the real worker with real
 * sample logs, and the service over a MessageChannel where a worker would only add noise.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { after, describe, test } from 'node:test';
import { decodeToBatch, type LoadResult } from '../../../src/core/ingest/decode';
import { loadRules, type RuleFile } from '../../../src/core/investigate/detections/rules';
import { Investigation } from '../../../src/core/engine/investigation';
import { StoreClient } from '../../../src/core/engine/storeClient';
import { StoreService } from '../../../src/core/engine/storeService';
import { aLogFile, anEvent, gz, samplesDir } from '../../builders/events';
import { loadFolder } from '../../support/loadFolder';
import { builtInRuleFiles } from '../../support/ruleLibrary';

const script = join(process.cwd(), 'dist/storeWorker.js');
const tmp = mkdtempSync(join(tmpdir(), 'ctl-store-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const stratus = join(samplesDir(), 'invictus-ir_aws_dataset/CloudTrail');

const rules = (): RuleFile[] => builtInRuleFiles();

describe('a log view store in a worker thread', () => {
  test('answers exactly what the same investigation answers in process, for the Stratus sample', async () => {
    const client = StoreClient.inWorker(script);
    const local = new Investigation();
    try {
      await loadFolder((label, r) => client.addFile(label, r), stratus);
      await loadFolder((label, r) => local.addFile(label, r), stratus);
      const status = await client.status();
      assert.equal(status.events, 2900);
      assert.deepEqual(status, local.status());

      for (const [text, sort] of [
        ['', 'newest'],
        ['eventName:ListBuckets', 'oldest'],
        ['error:* -user:root', 'newest'],
        ['stratus', 'relevance'],
      ] as const) {
        const q = await client.query(text, sort);
        const l = local.query(text, sort);
        assert.ok(q, text);
        assert.deepEqual({ total: q.total, errors: q.errors }, { total: l.total, errors: l.errors }, text);
        assert.deepEqual(await client.rows(q.version, 10, 25), local.rows(10, 25), text);
        assert.deepEqual(await client.overview(q.version), local.overview(), text);
      }
      const first = local.rows(0, 1)[0];
      const opened = await client.open(first.id, 30 * 60_000);
      assert.equal(opened?.raw, local.store.raw(first.id));
      assert.ok(opened.sessions.length > 0, 'the first event belongs to a session');
      assert.equal(await client.open(999_999, 1000), undefined, 'a row that does not exist');

      const lib = loadRules(rules());
      const d = await client.detections(lib.rules);
      const fired = Object.fromEntries(d.items.filter((i) => i.count > 0).map((i) => [i.id, i.count]));
      assert.equal(fired['cloudtrail-stopped'], 3);
      const q = await client.query('detection:cloudtrail-stopped', 'newest');
      assert.equal(q?.total, 3, 'detection row sets live in the worker');
      const insights = await client.insights(24);
      assert.equal(typeof insights.hours, 'number');
      // Indexes built ahead, then more rows and values: answers stay those of an unwarmed store.
      await client.warm();
      const more = gz(
        aLogFile([
          anEvent({
            eventName: 'PutBucketPolicy',
            userIdentity: { type: 'IAMUser', userName: 'zed-admin', arn: 'arn:aws:iam::111122223333:user/zed-admin' },
          }),
        ]),
      );
      // The worker's copy first: its batch keeps `more` as its source, and transferring detaches it.
      local.addFile('more.json.gz', decodeToBatch(Buffer.from(more), { maxBytes: 1 << 20 }));
      await client.addFile('more.json.gz', decodeToBatch(more, { maxBytes: 1 << 20 }));
      for (const text of ['user:zed*', 'zed-admin', 'eventName:Put*', '-region:us-east-1']) {
        const q = await client.query(text, 'newest');
        assert.equal(q?.total, local.query(text, 'newest').total, text);
        assert.deepEqual(await client.rows(q.version, 0, 50), local.rows(0, 50), text);
      }
      const cancelled = new AbortController();
      cancelled.abort();
      await assert.rejects(client.warm(cancelled.signal), { name: 'AbortError' });
      const mem = await client.memory();
      assert.equal(mem.events, 2901);
      assert.ok(mem.heapUsed > 0 && mem.rawBytes > 0);
    } finally {
      client.dispose();
    }
  });

  test('batches move to the worker: the host keeps none of their buffers', async () => {
    const client = StoreClient.inWorker(script);
    try {
      // A file's bytes in a buffer of their own, as a decode worker hands them on.
      const r = decodeToBatch(new Uint8Array(gz(aLogFile([anEvent(), anEvent({ eventName: 'DeleteTrail' })]))), {
        maxBytes: 1 << 20,
      });
      assert.equal(r.kind, 'batch');
      const batch = r.batch;
      assert.equal(await client.addFile('a.json.gz', r), 2);
      assert.equal(batch.ids.byteLength, 0, 'transferred, not copied');
      assert.equal(batch.raw.bytes.byteLength, 0);
      // Bytes that share a buffer with other data are copied: moving the buffer would detach it.
      const file = gz(aLogFile([anEvent({ eventName: 'StopLogging' })]));
      const shared = new Uint8Array(file.length + 200);
      shared.set(file, 100);
      const neighbour = shared.subarray(0, 100).fill(7);
      assert.equal(
        await client.addFile(
          'b.json.gz',
          decodeToBatch(shared.subarray(100, 100 + file.length), { maxBytes: 1 << 20 }),
        ),
        1,
      );
      assert.equal(neighbour.byteLength, 100, 'the shared buffer was not moved');
      assert.ok(neighbour.every((x) => x === 7));
      assert.equal((await client.query('eventName:StopLogging', 'newest'))?.total, 1);
      assert.equal((await client.query('eventName:DeleteTrail', 'newest'))?.total, 1);
    } finally {
      client.dispose();
    }
  });

  test('exports in the worker, with progress; a cancelled export writes nothing', async () => {
    const client = StoreClient.inWorker(script);
    try {
      await loadFolder((label, r) => client.addFile(label, r), stratus);
      const path = join(tmp, 'errors.ndjson');
      const seen: number[] = [];
      const out = await client.exportTo(
        { query: { text: 'error:*', sort: 'oldest' }, path, format: 'ndjson' },
        undefined,
        (done) => seen.push(done),
      );
      const lines = readFileSync(path, 'utf8').trim().split('\n');
      assert.equal(out.events, lines.length);
      assert.equal(out.events, (await client.query('error:*', 'oldest'))?.total);
      assert.ok(lines.every((l) => typeof JSON.parse(l).errorCode === 'string'));
      assert.equal(seen.at(-1), out.events);

      const abort = new AbortController();
      abort.abort();
      const cancelled = join(tmp, 'cancelled.json');
      await assert.rejects(
        client.exportTo({ query: { text: '', sort: 'newest' }, path: cancelled, format: 'json' }, abort.signal),
        { name: 'AbortError' },
      );
      assert.equal(existsSync(cancelled), false);
      assert.deepEqual(
        readdirSync(tmp).filter((f) => f.startsWith('cancelled')),
        [],
        'no temporary file left',
      );
    } finally {
      client.dispose();
    }
  });

  test('closing a view mid-export stops the export first: no file, no temporary file, and it says cancelled', async () => {
    const client = StoreClient.inWorker(script);
    const dir = mkdtempSync(join(tmp, 'close-'));
    for (let f = 0; f < 10; f++) {
      const events = Array.from({ length: 5000 }, (_, i) =>
        anEvent({ requestParameters: { bucketName: `b-${f}-${i}`, pad: 'x'.repeat(400) } }),
      );
      await client.addFile(`f${f}`, decodeToBatch(Buffer.from(aLogFile(events)), { maxBytes: 1 << 28 }));
    }
    let disposed = false;
    const exported = client.exportTo(
      { query: { text: '', sort: 'newest' }, path: join(dir, 'all.json.gz'), format: 'json.gz' },
      undefined,
      () => {
        // Closed as soon as the file is being written.
        if (!disposed) client.dispose();
        disposed = true;
      },
    );
    await assert.rejects(exported, { name: 'AbortError' });
    assert.ok(disposed, 'closed mid-export');
    assert.deepEqual(readdirSync(dir), []);
    await assert.rejects(client.status(), /the log view was closed/);
  });

  test('a worker that dies fails every pending and later request with the reason, once', async () => {
    // A 16 MB heap cannot hold these events: the worker runs out of memory while storing them.
    const client = StoreClient.inWorker(script, 16);
    const stops: string[] = [];
    client.onStopped((reason) => stops.push(reason));
    // Distinct events (fresh eventIDs) with distinct agents: nothing is deduplicated or shared.
    const file = (): LoadResult =>
      decodeToBatch(
        Buffer.from(
          aLogFile(
            Array.from({ length: 20_000 }, (_, i) =>
              anEvent({ userAgent: `agent-${i}-${Math.random()}-${'x'.repeat(200)}` }),
            ),
          ),
        ),
        { maxBytes: 1 << 28 },
      );
    await assert.rejects(
      (async () => {
        for (let i = 0; i < 30; i++) await client.addFile(`f${i}`, file());
      })(),
      /The event store stopped: it ran out of memory/,
    );
    await assert.rejects(client.status(), /The event store stopped/);
    assert.equal(stops.length, 1);
    client.dispose();
  });
});

describe('the store service', () => {
  test('a burst of queries runs only the newest; the others answer undefined', async () => {
    const { port1, port2 } = new MessageChannel();
    const service = new StoreService(port2);
    const client = new StoreClient(port1, () => {
      port1.close();
      port2.close();
    });
    try {
      await client.addFile(
        'x',
        decodeToBatch(gz(aLogFile([anEvent({ eventName: 'A' }), anEvent({ eventName: 'B' })])), { maxBytes: 1 << 20 }),
      );
      const answers = await Promise.all([
        client.query('eventName:A', 'newest'),
        client.query('eventName:B', 'newest'),
        client.query('', 'newest'),
      ]);
      assert.deepEqual(
        answers.map((a) => a?.total),
        [undefined, undefined, 2],
      );
      assert.equal(service.investigation.resultVersion, 1, 'one query ran');
      assert.equal(await client.rows(0, 0, 10), undefined, 'rows of a set that is not current');
    } finally {
      client.dispose();
    }
  });
});
