/**
 * Fuzzy matching of one field's distinct values, for typos: Fuse.js (DESIGN §4). It runs only when
 * a term matches nothing literally.
 */
import Fuse from 'fuse.js';
import type { Range } from '../protocol/logViewer';
import type { ValueMatch } from './vocabulary';

/** Fuzzy matches score in [FUZZY, 1]: below every literal match. */
export const FUZZY = 0.4;
const FUSE_THRESHOLD = 0.34;
/** Fuzzy matches per field and term: enough for typos, few enough to stay precise. */
const FUSE_LIMIT = 50;

/** Fuse's inclusive [start, end] pairs → half-open ranges, dropping one-letter noise. */
function fuseRanges(indices: ReadonlyArray<readonly [number, number]> | undefined): Range[] {
  return (indices ?? []).filter(([a, b]) => b > a).map(([a, b]) => [a, b + 1] as Range);
}

export class FuzzyMatcher {
  private fuse: Fuse<string> | undefined;
  private indexed = 0;

  /** `values` and their lowercase forms grow together as events are added. */
  constructor(
    private readonly values: readonly string[],
    private readonly lowered: readonly string[],
  ) {}

  private fuzzyIndex(): Fuse<string> {
    this.fuse ??= new Fuse<string>([], {
      includeScore: true,
      includeMatches: true,
      ignoreLocation: true,
      threshold: FUSE_THRESHOLD,
      minMatchCharLength: 2,
    });
    for (; this.indexed < this.values.length; this.indexed++) this.fuse.add(this.values[this.indexed]);
    return this.fuse;
  }

  /** Values close to the term. */
  search(term: string): Map<number, ValueMatch> {
    const found = new Map<number, ValueMatch>();
    for (const r of this.fuzzyIndex().search(term, { limit: FUSE_LIMIT })) {
      if (!this.values[r.refIndex]) continue;
      found.set(r.refIndex, { score: FUZZY + (r.score ?? 1) * (1 - FUZZY), ranges: fuseRanges(r.matches?.[0]?.indices) });
    }
    void this.lowered;
    return found;
  }
}
