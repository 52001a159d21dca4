import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { decodeLogBytes } from '../../../src/core/ingest/decode';
import { FACET_FIELDS, topValues } from '../../../src/core/investigate/facets';
import { Investigation } from '../../../src/core/engine/investigation';
import { parseQuery } from '../../../src/core/query/query';
import { normalizeEvent } from '../../../src/core/model/records';
import { SearchEngine } from '../../../src/core/query/search';
import { EventStore } from '../../../src/core/store/store';
import {
  BUCKET_SIZES,
  buildTimeline,
  chooseBucketSize,
  hasTimeRange,
  withoutTimeRange,
  withTimeRange,
} from '../../../src/core/investigate/timeline';
import { anEvent, samplesDir } from '../../builders/events';

const MIN = 60_000;
const HOUR = 60 * MIN;

function invictus(): Investigation {
  const inv = new Investigation();
  const dir = join(samplesDir(), 'invictus-ir_aws_dataset', 'CloudTrail');
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort())
    inv.addFile(f, decodeLogBytes(readFileSync(join(dir, f))));
  return inv;
}

describe('timeline bucketing', () => {
  test('picks the smallest nice size that fits, for spans from seconds to years', () => {
    const t0 = Date.UTC(2024, 2, 1, 10, 0, 0);
    assert.equal(chooseBucketSize(t0, t0), 1000);
    assert.equal(chooseBucketSize(t0, t0 + 90_000), 1000); // 91 one-second buckets fit in 120
    assert.equal(chooseBucketSize(t0, t0 + 9 * MIN), 5000);
    assert.equal(chooseBucketSize(t0, t0 + 10 * MIN), 10_000); // 121 five-second buckets would not fit
    assert.equal(chooseBucketSize(t0, t0 + 55 * MIN), 30_000);
    assert.equal(chooseBucketSize(t0, t0 + 24 * HOUR), 15 * MIN);
    assert.equal(chooseBucketSize(t0, t0 + 30 * 24 * HOUR), 12 * HOUR);
    const years = chooseBucketSize(t0, t0 + 20 * 365 * 24 * HOUR);
    assert.ok(years > BUCKET_SIZES[BUCKET_SIZES.length - 1] && years % (30 * 24 * HOUR) === 0);
    for (const [a, b] of [
      [t0, t0 + 7 * 24 * HOUR],
      [t0 + 17, t0 + 5 * HOUR + 3],
    ]) {
      const size = chooseBucketSize(a, b);
      assert.ok(Math.floor(b / size) - Math.floor(a / size) + 1 <= 120);
    }
  });

  test('counts every timed row once, errors apart, aligned to UTC multiples; no-time rows counted aside', () => {
    const times = [
      Date.UTC(2024, 2, 1, 10, 0, 1),
      Date.UTC(2024, 2, 1, 10, 0, 59),
      Date.UTC(2024, 2, 1, 10, 7, 30),
      NaN,
      Date.UTC(2024, 2, 1, 10, 59, 59),
    ];
    const errors = new Set([1, 2]);
    const t = buildTimeline(
      [0, 1, 2, 3, 4],
      (r) => times[r],
      (r) => errors.has(r),
    );
    assert.equal(t.bucketMs, 30_000);
    assert.equal(t.start, Date.UTC(2024, 2, 1, 10, 0, 0));
    assert.equal(t.noTime, 1);
    assert.equal(
      t.counts.reduce((a, b) => a + b),
      4,
    );
    assert.equal(
      t.errors.reduce((a, b) => a + b),
      2,
    );
    assert.equal(t.counts[0], 1);
    assert.equal(t.counts[1], 1);
    assert.equal(t.errors[1], 1);
    assert.equal(t.counts[15], 1); // 10:07:30 starts bucket 15
    assert.equal(t.counts[t.counts.length - 1], 1);
    assert.equal(t.counts.length, 120);
  });

  test('an empty or timeless result set has no buckets', () => {
    assert.deepEqual(
      buildTimeline(
        [],
        () => 0,
        () => false,
      ),
      { start: 0, bucketMs: 0, counts: [], errors: [], noTime: 0 },
    );
    assert.equal(
      buildTimeline(
        [0, 1],
        () => NaN,
        () => false,
      ).noTime,
      2,
    );
  });

  test('on the real invictus run: buckets add up to the events, errors to the failed events', () => {
    const inv = invictus();
    inv.query('', 'newest');
    const { timeline } = inv.overview();
    assert.equal(
      timeline.counts.reduce((a, b) => a + b),
      2900,
    );
    const failed = inv.engine.search('error:*').rows.length;
    assert.ok(failed > 100);
    assert.equal(
      timeline.errors.reduce((a, b) => a + b),
      failed,
    );
    // 11:42:18 to 12:37:50 UTC: 56 minutes fit 30-second bars.
    assert.equal(timeline.bucketMs, 30_000);
    assert.equal(timeline.start, Date.UTC(2023, 6, 10, 11, 42, 0));
  });
});

describe('time range terms from the timeline', () => {
  test('a selection replaces after:/before:/last: and keeps every other term, quoted ones included', () => {
    const q = 'eventName:Stop* after:2024-01-01 "bert jan" principal:"a b" last:24h -error:*';
    const from = Date.UTC(2024, 2, 1, 10, 5, 0, 400);
    const to = Date.UTC(2024, 2, 1, 10, 6, 0, 1);
    const out = withTimeRange(q, from, to);
    assert.equal(
      out,
      'eventName:Stop* "bert jan" principal:"a b" -error:* after:2024-03-01T10:05:00Z before:2024-03-01T10:06:01Z',
    );
    const parsed = parseQuery(out);
    assert.deepEqual(parsed.errors, []);
    assert.deepEqual(
      parsed.terms.filter((t) => t.kind === 'time'),
      [
        { kind: 'time', after: Date.UTC(2024, 2, 1, 10, 5, 0) },
        { kind: 'time', before: Date.UTC(2024, 2, 1, 10, 6, 1) },
      ],
    );
    assert.ok(hasTimeRange(out));
    assert.equal(withoutTimeRange(out), 'eventName:Stop* "bert jan" principal:"a b" -error:*');
    assert.ok(!hasTimeRange('after "after:x"'));
  });

  test("clicking a bar's range selects exactly that bar's events", () => {
    const inv = invictus();
    inv.query('', 'newest');
    const { timeline } = inv.overview();
    const i = timeline.counts.findIndex((c) => c > 20);
    const from = timeline.start + i * timeline.bucketMs;
    inv.query(withTimeRange('', from, from + timeline.bucketMs), 'newest');
    assert.equal(inv.resultRows().length, timeline.counts[i]);
    const zoomed = inv.overview().timeline;
    assert.equal(
      zoomed.counts.reduce((a, b) => a + b),
      timeline.counts[i],
    );
    assert.ok(zoomed.bucketMs < timeline.bucketMs);
  });
});

describe('top values', () => {
  test('match a brute-force count over the result set, most frequent first, empty values left out', () => {
    const inv = invictus();
    for (const q of ['', 'error:*', 'eventSource:ec2.amazonaws.com', 'nothing-matches-this-zzz']) {
      inv.query(q, 'newest');
      const rows = inv.resultRows();
      const facets = topValues(inv.store, rows, 5);
      for (const [i, { field }] of FACET_FIELDS.entries()) {
        const counts = new Map<string, number>();
        for (const r of rows) {
          const v = inv.store.value(field, r);
          counts.set(v, (counts.get(v) ?? 0) + 1);
        }
        const missing = counts.get('') ?? 0;
        counts.delete('');
        const expected = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 5);
        assert.deepEqual(
          facets[i].values.map((v) => [v.value, v.count]),
          expected,
          `${q} ${field}`,
        );
        assert.equal(facets[i].distinct, counts.size);
        assert.equal(facets[i].missing, missing);
      }
    }
  });

  test('a value too long to send is cut and flagged, never sent whole', () => {
    const store = new EventStore();
    const long = `Mozilla/5.0 ${'x'.repeat(5000)}`;
    store.add(normalizeEvent(anEvent({ userAgent: long })), 0);
    const rows = new SearchEngine(store).search('').rows;
    const ua = topValues(store, rows).find((f) => f.name === 'userAgent')!;
    assert.equal(ua.values[0].cut, true);
    assert.ok(ua.values[0].value.length <= 2000);
  });
});
