/**
 * The matching rows of a query in display order (plan.ts finds them): by relevance band for the
 * 'relevance' sort, then by position in the time order, newest or oldest first. The cost follows
 * the number of matches, not the store's size.
 */
import type { SortOrder } from '../../protocol/logViewer';
import { scratch } from './scratch';

/** Positions in the time order of each row (the inverse permutation), cached per order. */
const ranks = new WeakMap<Uint32Array, Uint32Array>();
function rankOf(byTime: Uint32Array): Uint32Array {
  let rank = ranks.get(byTime);
  if (!rank) {
    rank = new Uint32Array(byTime.length);
    for (let i = 0; i < byTime.length; i++) rank[byTime[i]] = i;
    ranks.set(byTime, rank);
  }
  return rank;
}

/**
 * Puts the matching rows in display order: by relevance band (sort 'relevance' only), then by
 * position in the time order. Band and position are packed into one 32-bit key and the keys
 * radix-sorted, so the cost follows the matching rows, not the store: ordering 140,000 matches of
 * a million rows through a pass over every row's position took 10-20 ms; this takes one or two.
 */
export function orderRows(
  rows: Uint32Array,
  scores: Float32Array,
  termCount: number,
  byTime: Uint32Array,
  sort: SortOrder,
  inTimeOrder: boolean,
): Uint32Array {
  const k = rows.length;
  const bands = new Uint32Array(k);
  const maxBand = sort === 'relevance' ? relevanceBands(scores, termCount, bands) : 0;
  // Rows visited along a slice of the time order are in it still: only bands need sorting.
  if (inTimeOrder) {
    const out = maxBand === 0 ? rows.slice() : bandSort(rows, bands, maxBand);
    return sort === 'oldest' ? out.reverse() : out;
  }
  const rank = rankOf(byTime);
  // Many matches (an eighth of the rows or more): mark their positions and read them back in one
  // sequential pass, cheaper than sorting that many keys.
  if (k * 8 >= byTime.length && maxBand < 255) {
    const inOrder = rowsByPosition(rows, bands, rank, byTime, scratch.marks(byTime.length));
    const out = maxBand === 0 ? inOrder.rows : bandSort(inOrder.rows, inOrder.bands, maxBand);
    return sort === 'oldest' ? out.reverse() : out;
  }
  const positionBits = Math.max(1, 32 - Math.clz32(byTime.length));
  const out = new Uint32Array(k);
  if (positionBits + (32 - Math.clz32(maxBand)) <= 32) {
    const sorted = radixSort(positionKeys(rows, bands, rank, positionBits));
    rowsAtPositions(sorted, 2 ** positionBits - 1, byTime, out);
  } else {
    // Past 32 bits (a store of billions of rows, or absurd scores): a float64 key, exact to 2^53.
    const keys = new Float64Array(k);
    for (let i = 0; i < k; i++) keys[i] = bands[i] * 2 ** positionBits + rank[rows[i]];
    keys.sort();
    for (let i = 0; i < k; i++) out[i] = byTime[keys[i] % 2 ** positionBits];
  }
  return sort === 'oldest' ? out.reverse() : out;
}

/** Each score's relevance band (the mean per term, in twentieths) into `bands`; returns the largest. */
function relevanceBands(scores: Float32Array, termCount: number, bands: Uint32Array): number {
  let maxBand = 0;
  for (let i = 0; i < scores.length; i++) {
    const band = Math.max(0, Math.round((scores[i] / termCount) * 20));
    bands[i] = band;
    if (band > maxBand) maxBand = band;
  }
  return maxBand;
}

/** Per row: its band above its position in the time order, as one 32-bit key. */
function positionKeys(rows: Uint32Array, bands: Uint32Array, rank: Uint32Array, positionBits: number): Uint32Array {
  const keys = new Uint32Array(rows.length);
  for (let i = 0; i < rows.length; i++) keys[i] = (bands[i] * 2 ** positionBits + rank[rows[i]]) >>> 0;
  return keys;
}

/** The rows at the positions held in the low bits of `keys`, into `out`. */
function rowsAtPositions(keys: Uint32Array, mask: number, byTime: Uint32Array, out: Uint32Array): void {
  for (let i = 0; i < keys.length; i++) out[i] = byTime[(keys[i] & mask) >>> 0];
}

/**
 * `rows` (with their bands) in time order: each row's position marked with its band + 1 in
 * `marks` (all 0, and left so), then the positions read back in order.
 */
function rowsByPosition(
  rows: Uint32Array,
  bands: Uint32Array,
  rank: Uint32Array,
  byTime: Uint32Array,
  marks: Uint8Array,
): { rows: Uint32Array; bands: Uint32Array } {
  for (let i = 0; i < rows.length; i++) marks[rank[rows[i]]] = bands[i] + 1;
  const outRows = new Uint32Array(rows.length);
  const outBands = new Uint32Array(rows.length);
  let w = 0;
  for (let p = 0; p < byTime.length; p++) {
    const m = marks[p];
    if (m === 0) continue;
    marks[p] = 0;
    outRows[w] = byTime[p];
    outBands[w++] = m - 1;
  }
  return { rows: outRows, bands: outBands };
}

/** `rows` stably sorted by `bands` (counting sort; bands at most `maxBand`). */
function bandSort(rows: Uint32Array, bands: Uint32Array, maxBand: number): Uint32Array {
  const starts = new Uint32Array(maxBand + 2);
  for (let i = 0; i < rows.length; i++) starts[bands[i] + 1]++;
  for (let b = 0; b < maxBand; b++) starts[b + 1] += starts[b];
  const out = new Uint32Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[starts[bands[i]]++] = rows[i];
  return out;
}

/**
 * `keys` sorted ascending (may return `keys` itself, sorted in place). LSD radix sort in as few
 * passes of at most 13 bits as the largest key needs: two for the 25-bit keys of a million rows.
 */
export function radixSort(keys: Uint32Array): Uint32Array {
  const k = keys.length;
  if (k < 2048) return keys.sort();
  let max = 0;
  for (let i = 0; i < k; i++) if (keys[i] > max) max = keys[i];
  const bits = 32 - Math.clz32(max);
  const passes = Math.ceil(bits / 13);
  const digit = Math.ceil(bits / Math.max(1, passes));
  const mask = 2 ** digit - 1;
  let from: Uint32Array = keys;
  let to: Uint32Array = new Uint32Array(k);
  const counts = new Uint32Array(mask + 1);
  for (let shift = 0; shift < bits; shift += digit) {
    counts.fill(0);
    for (let i = 0; i < k; i++) counts[(from[i] >>> shift) & mask]++;
    let sum = 0;
    for (let d = 0; d < counts.length; d++) {
      const c = counts[d];
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < k; i++) {
      const v = from[i];
      to[counts[(v >>> shift) & mask]++] = v;
    }
    [from, to] = [to, from];
  }
  return from;
}
