/** Searching sorted numbers (row ids, times), shared by the investigation tools. */

/** The first index of ascending `values` holding a value ≥ `x` (`values.length` when none does). */
export function lowerBound(values: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
