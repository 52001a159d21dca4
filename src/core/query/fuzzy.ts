/**
 * Fuzzy matching of one field's distinct values, for typos (README "Typos"). It runs only when a
 * term matches nothing literally. The typo index (typoIndex.ts) finds, at every vocabulary size,
 * every value within the term's edit budget, ranked by distance; on small vocabularies (under
 * FUSE_UP_TO values) Fuse.js adds its looser guesses behind them (a typo farther than the budget,
 * a piece inside a word), which its scoring is good at and costs little there. uFuzzy stays as an
 * engine the bench compares (`npm run bench`, fuzzy_* lines): it missed most typos in IPs, ARNs
 * and keys, as Fuse.js did past a few thousand values at a fraction of a second a term.
 */
import uFuzzy from '@leeoniya/ufuzzy';
import Fuse from 'fuse.js';
import type { Range } from '../../protocol/logViewer';
import { TypoIndex } from './typoIndex';
import type { ValueMatch } from './vocabulary';

/** Fuzzy matches score in [FUZZY, 1]: below every literal match. */
export const FUZZY = 0.4;
const FUSE_THRESHOLD = 0.34;
/** Fuzzy matches per field and term: enough for typos, few enough to stay precise. */
export const FUZZY_LIMIT = 50;
/** Vocabularies smaller than this also get Fuse.js's guesses, behind the typo index's matches. */
export const FUSE_UP_TO = 1000;
/** Where Fuse.js's extra guesses score: behind every match within the edit budget. */
const FUSE_BAND = 0.8;

/** `typo`: the typo index, with Fuse.js's guesses on small vocabularies (what search uses). */
export type FuzzyEngine = 'typo' | 'fuse' | 'ufuzzy';

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

/** One typo per term (a letter inserted, left out, swapped with its neighbour or replaced); case ignored. */
const UFUZZY_OPTIONS: uFuzzy.Options = { intraMode: 1, intraIns: 1, intraSub: 1, intraTrn: 1, intraDel: 1 };

export interface FuzzyOptions {
  engine?: FuzzyEngine;
  /** Events holding a value: ranks values at the same distance. */
  counts?: (id: number) => number;
  limit?: number;
}

export class FuzzyMatcher {
  private fuse: Fuse<string> | undefined;
  private indexed = 0;
  private ufuzzy: uFuzzy | undefined;
  readonly typos: TypoIndex;

  /**
   * `values` grows as events are added; `lowered` holds their lowercase forms, `sorted` their
   * ids in the order of those forms and `containing` the ids of those holding a text (the
   * vocabulary's own indexes).
   */
  constructor(
    private readonly values: readonly string[],
    lowered: readonly string[],
    sorted: () => Uint32Array,
    containing?: (lower: string) => readonly number[],
  ) {
    this.typos = new TypoIndex(lowered, sorted, containing);
  }

  /** Builds what the first search needs. */
  prepare(): void {
    this.typos.prepare();
  }

  /**
   * Values close to the term, at most `limit` (FUZZY_LIMIT). Typo-index matches score by their
   * distance (1 edit in [0.4, 0.55], 2 in [0.6, 0.75]) and carry it; Fuse.js's guesses follow.
   */
  search(term: string, opts: FuzzyOptions = {}): Map<number, ValueMatch> {
    const limit = opts.limit ?? FUZZY_LIMIT;
    if (opts.engine === 'fuse') return this.withFuse(term, limit, FUZZY, 1 - FUZZY);
    if (opts.engine === 'ufuzzy') return this.withUFuzzy(term, limit);
    const found = new Map<number, ValueMatch>();
    const hits = this.typos.search(term, { limit, counts: opts.counts });
    hits.forEach((h, rank) => {
      if (!this.values[h.id]) return;
      const distance = Math.max(1, h.distance);
      found.set(h.id, {
        score: FUZZY + 0.2 * (distance - 1) + (0.15 * rank) / Math.max(1, hits.length),
        ranges: h.end > h.start ? [[h.start, h.end]] : [],
        distance,
      });
    });
    if (this.values.length < FUSE_UP_TO && found.size < limit) {
      for (const [id, m] of this.withFuse(term, limit - found.size, FUSE_BAND, 1 - FUSE_BAND))
        if (!found.has(id)) found.set(id, m);
    }
    return found;
  }

  private withFuse(term: string, limit: number, from: number, band: number): Map<number, ValueMatch> {
    this.fuse ??= new Fuse<string>([], {
      includeScore: true,
      includeMatches: true,
      ignoreLocation: true,
      threshold: FUSE_THRESHOLD,
      minMatchCharLength: 2,
    });
    for (; this.indexed < this.values.length; this.indexed++) this.fuse.add(this.values[this.indexed]);
    const found = new Map<number, ValueMatch>();
    for (const r of this.fuse.search(term, { limit })) {
      if (!this.values[r.refIndex]) continue;
      found.set(r.refIndex, { score: from + (r.score ?? 1) * band, ranges: fuseRanges(r.matches?.[0]?.indices) });
    }
    return found;
  }

  private withUFuzzy(term: string, limit: number): Map<number, ValueMatch> {
    this.ufuzzy ??= new uFuzzy(UFUZZY_OPTIONS);
    const uf = this.ufuzzy;
    const haystack = this.values as string[];
    const found = new Map<number, ValueMatch>();
    const idxs = uf.filter(haystack, term);
    if (!idxs || idxs.length === 0) return found;
    // Ranking needs each match's details; past a few thousand candidates keep the first ones found.
    const info = uf.info(idxs.length > 5000 ? idxs.slice(0, 5000) : idxs, haystack, term);
    const order = uf.sort(info, haystack, term);
    const n = Math.min(order.length, limit);
    for (let i = 0; i < n; i++) {
      const k = order[i];
      const id = info.idx[k];
      if (!this.values[id]) continue;
      found.set(id, {
        score: FUZZY + ((1 - FUZZY) / 2) * (i / Math.max(1, n - 1)),
        ranges: uFuzzyRanges(info.ranges[k]),
      });
    }
    return found;
  }
}
