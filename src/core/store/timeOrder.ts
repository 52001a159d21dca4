/**
 * The store's time order: rows sorted newest first, ties by row, rows without a time last, in
 * passes over typed arrays (EventStore.rowsByTime sorts only the rows added since the last call
 * and merges them in).
 */

/**
 * Rows [from, to) sorted newest first, ties by row, rows without a time last. CloudTrail times
 * are whole seconds: their distance from the newest, in seconds (or milliseconds), fits 32 bits
 * for any span under 136 years, and the rows are radix-sorted on it — a million rows in two
 * passes, where placing each row by binary search among the distinct times took ~0.6 s.
 */
export function sortByTime(t: Float64Array, from: number, to: number): Uint32Array {
  let min = Infinity;
  let max = -Infinity;
  let timed = 0;
  let whole = true;
  let seconds = true;
  for (let r = from; r < to; r++) {
    const x = t[r];
    if (Number.isNaN(x)) continue;
    timed++;
    if (x < min) min = x;
    if (x > max) max = x;
    if (!Number.isInteger(x)) whole = false;
    else if (x % 1000 !== 0) seconds = false;
  }
  const unit = seconds ? 1000 : 1;
  if (timed > 0 && (!whole || (max - min) / unit >= 2 ** 32)) return sortByDistinctTimes(t, from, to);
  const keys = new Uint32Array(timed);
  const rows = new Uint32Array(to - from);
  let j = 0;
  let k = timed;
  for (let r = from; r < to; r++) {
    const x = t[r];
    // Rows without a time go last, in row order.
    if (Number.isNaN(x)) rows[k++] = r;
    else {
      keys[j] = (max - x) / unit;
      rows[j++] = r;
    }
  }
  radixSortPairs(keys, rows.subarray(0, timed), 32 - Math.clz32((max - min) / unit));
  return rows;
}

/** One stable counting pass of radixSortPairs on digit `(key >>> shift) & mask`, from k1/v1 into k2/v2. */
function radixPass(
  k1: Uint32Array,
  v1: Uint32Array,
  k2: Uint32Array,
  v2: Uint32Array,
  counts: Uint32Array,
  shift: number,
  mask: number,
): void {
  counts.fill(0);
  for (let i = 0; i < k1.length; i++) counts[(k1[i] >>> shift) & mask]++;
  let sum = 0;
  for (let d = 0; d <= mask; d++) {
    const c = counts[d];
    counts[d] = sum;
    sum += c;
  }
  for (let i = 0; i < k1.length; i++) {
    const at = counts[(k1[i] >>> shift) & mask]++;
    k2[at] = k1[i];
    v2[at] = v1[i];
  }
}

/** Sorts `values` by `keys` (both in place), stably, on the low `bits` bits: LSD radix, ≤ 11 bits a pass. */
function radixSortPairs(keys: Uint32Array, values: Uint32Array, bits: number): void {
  const n = keys.length;
  if (bits === 0 || n < 2) return;
  const passes = Math.ceil(bits / 11);
  const digit = Math.ceil(bits / passes);
  const mask = 2 ** digit - 1;
  let k1: Uint32Array = keys;
  let v1: Uint32Array = values;
  let k2: Uint32Array = new Uint32Array(n);
  let v2: Uint32Array = new Uint32Array(n);
  const counts = new Uint32Array(mask + 1);
  for (let shift = 0; shift < bits; shift += digit) {
    radixPass(k1, v1, k2, v2, counts, shift, mask);
    [k1, k2] = [k2, k1];
    [v1, v2] = [v2, v1];
  }
  if (v1 !== values) {
    values.set(v1);
    keys.set(k1);
  }
}

/**
 * sortByTime for any times (fractions of a millisecond, spans past 2^32 units). The distinct times
 * are sorted natively and rows placed by counting: a comparator sort of a million rows took about
 * a second, which every query after a change waited for.
 */
function sortByDistinctTimes(t: Float64Array, from: number, to: number): Uint32Array {
  const n = to - from;
  const distinct = t
    .subarray(from, to)
    .filter((x) => !Number.isNaN(x))
    .sort();
  let m = 0;
  for (let i = 0; i < distinct.length; i++) if (i === 0 || distinct[i] !== distinct[m - 1]) distinct[m++] = distinct[i];
  const bucket = new Uint32Array(n);
  // Slot m holds rows without a time; slot k < m holds time distinct[k].
  const counts = new Uint32Array(m + 1);
  for (let r = 0; r < n; r++) {
    const x = t[from + r];
    let k = m;
    if (!Number.isNaN(x)) {
      let lo = 0;
      let hi = m - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (distinct[mid] < x) lo = mid + 1;
        else hi = mid;
      }
      k = lo;
    }
    bucket[r] = k;
    counts[k]++;
  }
  // Newest first: the largest time's slot starts at 0; the no-time slot comes last.
  const starts = new Uint32Array(m + 1);
  let at = 0;
  for (let k = m - 1; k >= 0; k--) {
    starts[k] = at;
    at += counts[k];
  }
  starts[m] = at;
  const rows = new Uint32Array(n);
  for (let r = 0; r < n; r++) rows[starts[bucket[r]]++] = from + r;
  return rows;
}
