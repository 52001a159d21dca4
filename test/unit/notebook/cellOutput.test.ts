/**
 * A query cell's output beyond its rows (#25): the timeline of the matching events and the
 * detections that fired on them, made by the cell's run against a real StoreService (the store
 * worker's code) that ran the built-in rules, and read back from a saved file that may hold anything.
 */
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { describe, test } from 'node:test';
import { StoreClient } from '../../../src/core/engine/storeClient';
import { StoreService } from '../../../src/core/engine/storeService';
import { decodeToBatch } from '../../../src/core/ingest/decode';
import { loadRules } from '../../../src/core/investigate/detections/rules';
import { parseOutput, TIMELINE_BUCKETS } from '../../../src/core/notebook/outputShape';
import { outputTimeline, runQueryCell } from '../../../src/core/notebook/runCell';
import { aLogFile, anEvent } from '../../builders/events';
import { builtInRuleFiles } from '../../support/ruleLibrary';

async function storeWith(events: unknown[]): Promise<{ client: StoreClient; close(): void }> {
  const { port1, port2 } = new MessageChannel();
  new StoreService(port2);
  const client = new StoreClient(port1, () => undefined);
  await client.addFile('case.json', decodeToBatch(new TextEncoder().encode(aLogFile(events)), { maxBytes: 1 << 22 }));
  return { client, close: () => (port1.close(), port2.close()) };
}

const at = (minute: number, over: Record<string, unknown> = {}): Record<string, unknown> =>
  anEvent({ eventTime: new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString().replace('.000', ''), ...over });

describe('a query cell: timeline and detections fired', () => {
  test('the cell lists the detections that fired on its events, most severe first, and its timeline', async () => {
    const events = [
      at(0, { eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', eventID: 'stop' }),
      at(5, { eventSource: 'cloudtrail.amazonaws.com', eventName: 'DeleteTrail', eventID: 'delete' }),
      at(7, { eventName: 'GetObject', eventSource: 's3.amazonaws.com', eventID: 'missing', errorCode: 'NoSuchKey' }),
      at(9, { eventName: 'DescribeInstances', eventID: 'quiet' }),
    ];
    const s = await storeWith(events);
    try {
      const lib = loadRules(builtInRuleFiles());
      await s.client.detections(lib.rules);
      const all = await runQueryCell(s.client, '', { events: 4, problems: [] });
      const ids = (all.detections ?? []).map((d) => d.id);
      assert.ok(ids.includes('cloudtrail-stopped') && ids.includes('cloudtrail-deleted'), ids.join(', '));
      const sev = (all.detections ?? []).map((d) => d.severity);
      const rank = ['critical', 'high', 'medium', 'low', 'info'];
      assert.deepEqual(
        sev,
        [...sev].sort((a, b) => rank.indexOf(a) - rank.indexOf(b)),
        'most severe first',
      );
      assert.equal(
        all.timeline?.counts.reduce((a, b) => a + b, 0),
        4,
      );
      assert.equal(
        all.timeline?.errors.reduce((a, b) => a + b, 0),
        1,
      );
      // A cell over the quiet event alone: no detection fired on it.
      const quiet = await runQueryCell(s.client, 'eventName:DescribeInstances', { events: 4, problems: [] });
      assert.deepEqual(quiet.detections, []);
      // detection:<id> works in a cell once the rules ran.
      const stopped = await runQueryCell(s.client, 'detection:cloudtrail-stopped', { events: 4, problems: [] });
      assert.equal(stopped.count, 1);
      assert.equal(stopped.detections?.find((d) => d.id === 'cloudtrail-stopped')?.count, 1);
    } finally {
      s.close();
    }
  });

  test('a store whose detections never ran lists none (and says nothing false)', async () => {
    const s = await storeWith([at(0, { eventName: 'StopLogging', eventSource: 'cloudtrail.amazonaws.com' })]);
    try {
      const out = await runQueryCell(s.client, '', { events: 1, problems: [] });
      assert.deepEqual(out.detections, []);
    } finally {
      s.close();
    }
  });

  test('a long timeline is re-binned to at most TIMELINE_BUCKETS, keeping every event', () => {
    const counts = Array.from({ length: 301 }, (_, i) => i % 7);
    const errors: number[] = counts.map((c) => (c > 3 ? 1 : 0));
    const t = outputTimeline({ start: 1000, bucketMs: 60_000, counts, errors, noTime: 0 })!;
    assert.ok(t.counts.length <= TIMELINE_BUCKETS);
    assert.equal(t.bucketMs, 60_000 * 6);
    assert.equal(
      t.counts.reduce((a, b) => a + b, 0),
      counts.reduce((a, b) => a + b, 0),
    );
    assert.equal(
      t.errors.reduce((a, b) => a + b, 0),
      errors.reduce((a, b) => a + b, 0),
    );
    assert.equal(outputTimeline({ start: 0, bucketMs: 0, counts: [], errors: [], noTime: 4 }), undefined);
  });

  test('a tampered saved output: bounded, numbers made numbers, unknown severities made info', () => {
    const out = parseOutput({
      ranAt: '2026-03-01T10:00:00Z',
      query: '',
      count: 3,
      loaded: 3,
      rows: [],
      facets: [],
      problems: [],
      timeline: { start: 0, bucketMs: 60_000, counts: [...Array(500).fill(2), -5, 'x'], errors: [9, 1] },
      detections: [
        { id: 'a', title: '<img src=x onerror=alert(1)>', severity: 'high" onclick="x', count: -3 },
        ...Array.from({ length: 40 }, (_, i) => ({ id: `r${i}`, title: 't', severity: 'low', count: 1 })),
      ],
    })!;
    assert.equal(out.timeline!.counts.length, TIMELINE_BUCKETS);
    assert.equal(out.timeline!.errors[0], 2, 'failed events are at most the events');
    assert.equal(out.detections!.length, 20);
    assert.deepEqual(out.detections![0], {
      id: 'a',
      title: '<img src=x onerror=alert(1)>',
      severity: 'info',
      count: 0,
    });
    assert.equal(parseOutput({ timeline: { start: 'soon', bucketMs: 1, counts: [1] } })!.timeline, undefined);
  });
});
