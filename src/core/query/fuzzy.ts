/**
 * Fuzzy matching of one field's distinct values, for typos. It runs only when a term matches
 * nothing literally. Fuse.js (DESIGN §4) serves small vocabularies; past UFUZZY_FROM values uFuzzy
 * serves instead: `npm run bench` measures both on the bench's vocabularies (fuzzy_* lines), and
 * over a few thousand values Fuse.js took tens of milliseconds a term where uFuzzy took one or two.
 */
import uFuzzy from '@leeoniya/ufuzzy';
import Fuse from 'fuse.js';
import type { Range } from '../../protocol/logViewer';
import type { ValueMatch } from './vocabulary';

/** Fuzzy matches score in [FUZZY, 1]: below every literal match. */
export const FUZZY = 0.4;
const FUSE_THRESHOLD = 0.34;
/** Fuzzy matches per field and term: enough for typos, few enough to stay precise. */
export const FUZZY_LIMIT = 50;
/** Vocabularies at least this large are matched with uFuzzy rather than Fuse.js. */
export const UFUZZY_FROM = 1000;

export type FuzzyEngine = 'fuse' | 'ufuzzy';

/** Fuse's inclusive [start, end] pairs → half-open ranges, dropping one-letter noise. */
function fuseRanges(indices: ReadonlyArray<readonly [number, number]> | undefined): Range[] {
  return (indices ?? []).filter(([a, b]) => b > a).map(([a, b]) => [a, b + 1] as Range);
}

/** uFuzzy's flat [start, end, start, end, …] (end exclusive) → ranges, dropping one-letter noise. */
function uFuzzyRanges(flat: readonly number[] | undefined): Range[] {
  const out: Range[] = [];
  for (let i = 0; flat && i + 1 < flat.length; i += 2) if (flat[i + 1] - flat[i] > 1) out.push([flat[i], flat[i + 1]]);
  return out;
}

/**
 * One typo per term (a letter inserted, left out, swapped with its neighbour or replaced), the
 * typos people make; case ignored. Terms split at punctuation, as in ARNs and user agents.
 */
const UFUZZY_OPTIONS: uFuzzy.Options = { intraMode: 1, intraIns: 1, intraSub: 1, intraTrn: 1, intraDel: 1 };

export class FuzzyMatcher {
  private fuse: Fuse<string> | undefined;
  private indexed = 0;
  private ufuzzy: uFuzzy | undefined;

  /** `values` grows as events are added. */
  constructor(private readonly values: readonly string[]) {}

  /** The engine for this vocabulary's current size. */
  engine(): FuzzyEngine {
    return this.values.length >= UFUZZY_FROM ? 'ufuzzy' : 'fuse';
  }

  /** Values close to the term, at most FUZZY_LIMIT. `engine` overrides the choice (the bench compares both). */
  search(term: string, engine = this.engine()): Map<number, ValueMatch> {
    return engine === 'fuse' ? this.withFuse(term) : this.withUFuzzy(term);
  }

  private withFuse(term: string): Map<number, ValueMatch> {
    this.fuse ??= new Fuse<string>([], {
      includeScore: true,
      includeMatches: true,
      ignoreLocation: true,
      threshold: FUSE_THRESHOLD,
      minMatchCharLength: 2,
    });
    for (; this.indexed < this.values.length; this.indexed++) this.fuse.add(this.values[this.indexed]);
    const found = new Map<number, ValueMatch>();
    for (const r of this.fuse.search(term, { limit: FUZZY_LIMIT })) {
      if (!this.values[r.refIndex]) continue;
      found.set(r.refIndex, {
        score: FUZZY + (r.score ?? 1) * (1 - FUZZY),
        ranges: fuseRanges(r.matches?.[0]?.indices),
      });
    }
    return found;
  }

  private withUFuzzy(term: string): Map<number, ValueMatch> {
    this.ufuzzy ??= new uFuzzy(UFUZZY_OPTIONS);
    const uf = this.ufuzzy;
    const haystack = this.values as string[];
    const found = new Map<number, ValueMatch>();
    const idxs = uf.filter(haystack, term);
    if (!idxs || idxs.length === 0) return found;
    // Ranking needs each match's details; past a few thousand candidates keep the first ones found.
    const info = uf.info(idxs.length > 5000 ? idxs.slice(0, 5000) : idxs, haystack, term);
    const order = uf.sort(info, haystack, term);
    const n = Math.min(order.length, FUZZY_LIMIT);
    for (let i = 0; i < n; i++) {
      const k = order[i];
      const id = info.idx[k];
      if (!this.values[id]) continue;
      // uFuzzy ranks without a score: spread its order over the upper half of the fuzzy band.
      found.set(id, {
        score: FUZZY + ((1 - FUZZY) / 2) * (i / Math.max(1, n - 1)),
        ranges: uFuzzyRanges(info.ranges[k]),
      });
    }
    return found;
  }
}
