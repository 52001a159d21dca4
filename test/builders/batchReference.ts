/**
 * The JSON.parse path a file took before the scanner (decodeJsonBytes + toBatch), kept as the
 * reference the scanner's batches are compared against, and a column-by-column comparison.
 */
import assert from 'node:assert/strict';
import { type EventBatch, listValues, RESOURCES, toBatch } from '../../src/core/store/batch';
import {
  decodeJsonBytes,
  decompress,
  type LoadResult,
  REREAD_MAX_BYTES,
  rereadRaws,
} from '../../src/core/ingest/decode';
import { STRING_FIELDS } from '../../src/core/store/store';

export const LIMITS = { maxBytes: 1 << 28 };

/** What decodeToBatch returned before the scanner existed. */
export function slowDecodeToBatch(bytes: Uint8Array): LoadResult {
  const d = decompress(bytes, LIMITS);
  if ('kind' in d) return d;
  const reread = d.gzipped && d.data.length <= REREAD_MAX_BYTES;
  const r = decodeJsonBytes(d.data, !reread);
  if (r.kind !== 'events') return r;
  return {
    kind: 'batch',
    format: r.format,
    skipped: r.skipped,
    warning: r.warning,
    batch: toBatch(r.records, reread ? bytes : undefined),
  };
}

/** A batch's raws as strings (re-read from its source, or cut from its UTF-8 bytes). */
export function rawsOf(batch: EventBatch): string[] {
  if (batch.raw.kind === 'source') return rereadRaws(batch.raw.bytes);
  const { bytes, offsets } = batch.raw;
  return Array.from({ length: batch.count }, (_, r) =>
    Buffer.from(bytes.buffer, bytes.byteOffset + offsets[r], offsets[r + 1] - offsets[r]).toString('utf8'),
  );
}

/** Asserts two load results say the same: columns by value, times, event IDs, resources, raws (parsed). */
export function assertSameResult(fast: LoadResult, slow: LoadResult, what: string): void {
  if (fast.kind !== 'batch' || slow.kind !== 'batch') {
    assert.deepEqual(fast, slow, what);
    return;
  }
  assert.equal(fast.format, slow.format, what);
  assert.equal(fast.skipped, slow.skipped, what);
  assert.equal(fast.warning, slow.warning, what);
  assertSameBatch(fast.batch, slow.batch, what);
}

export function assertSameBatch(a: EventBatch, b: EventBatch, what: string): void {
  const n = b.count;
  assert.equal(a.count, n, `${what}: count`);
  assert.equal(a.raw.kind, b.raw.kind, `${what}: raw kind`);
  for (let f = 0; f < STRING_FIELDS.length; f++) {
    const valuesA = listValues(a, f);
    const valuesB = listValues(b, f);
    assert.equal(new Set(valuesA).size, valuesA.length, `${what}: ${STRING_FIELDS[f]} values are distinct`);
    for (let r = 0; r < n; r++) {
      const x = valuesA[a.ids[f * n + r]];
      const y = valuesB[b.ids[f * n + r]];
      if (x !== y) assert.fail(`${what}: row ${r} ${STRING_FIELDS[f]}: ${JSON.stringify(x)} vs ${JSON.stringify(y)}`);
    }
  }
  const resourcesA = listValues(a, RESOURCES);
  const resourcesB = listValues(b, RESOURCES);
  const rawsA = rawsOf(a);
  const rawsB = rawsOf(b);
  assert.equal(rawsA.length, n, `${what}: raws`);
  for (let r = 0; r < n; r++) {
    if (!Object.is(a.times[r], b.times[r])) assert.fail(`${what}: row ${r} time ${a.times[r]} vs ${b.times[r]}`);
    assert.equal(a.hasKey[r], b.hasKey[r], `${what}: row ${r} hasKey`);
    assert.deepEqual(
      a.eventKeys.subarray(4 * r, 4 * r + 4),
      b.eventKeys.subarray(4 * r, 4 * r + 4),
      `${what}: row ${r} eventKey`,
    );
    assert.equal(a.eventIds[r], b.eventIds[r], `${what}: row ${r} eventId`);
    const ra = Array.from(a.resourceIds.subarray(a.resourceStarts[r], a.resourceStarts[r + 1]), (i) => resourcesA[i]);
    const rb = Array.from(b.resourceIds.subarray(b.resourceStarts[r], b.resourceStarts[r + 1]), (i) => resourcesB[i]);
    assert.deepEqual(ra, rb, `${what}: row ${r} resources`);
    // The same value; JSON.stringify(-0) is '0', so the slow path's raws had lost what -0 and 0 keep apart.
    if (rawsA[r] !== rawsB[r])
      assert.equal(JSON.stringify(JSON.parse(rawsA[r])), JSON.stringify(JSON.parse(rawsB[r])), `${what}: row ${r} raw`);
  }
}
