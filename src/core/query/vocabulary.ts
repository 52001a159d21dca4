/**
 * Matching over one field's distinct values (DESIGN §4): substring, equality ignoring case,
 * wildcards, and fuzzy matches for typos. A field can hold a million distinct values (session
 * ARNs, access keys, resource names), and testing each one costs ~150 ms a term there. So values
 * are grouped in blocks of 16, each block with its values' lowercase text joined into one string
 * and a 1024-bit filter of the character trigrams they contain: a term is looked for only in the
 * blocks whose filter holds all its trigrams, and found there with one `indexOf` per match.
 * Equality and `prefix*` patterns use the values sorted by their lowercase form instead.
 * Results are exactly those of testing every value.
 */
import type { Range } from '../../protocol/logViewer';
import { FuzzyMatcher, type FuzzyOptions } from './fuzzy';
import { GrowableU32 } from '../store/postings';
import { globMatch } from './glob';
import { patternTest } from './patterns';
import type { ValuePattern } from './query';

/** How well one distinct value matched a term: lower is better (0 = equal). */
export interface ValueMatch {
  score: number;
  ranges: Range[];
  /** For a typo match: edits between what was typed and the matched text. */
  distance?: number;
}

/** Score bands: a plain containment always outranks a fuzzy guess. */
export const EQUAL = 0;
const PREFIX = 0.1;
const WORD = 0.2;
const CONTAINS = 0.3;

const BLOCK = 16;
const FILTER_WORDS = 32;
const FILTER_MASK = FILTER_WORDS * 32 - 1;
/** Separates values in a block's text; values holding it are searched one by one. */
const SEP = '\n';

function substringScore(value: string, lower: string, term: string): ValueMatch | undefined {
  const at = lower.indexOf(term);
  if (at < 0) return undefined;
  const ranges: Range[] = [[at, at + term.length]];
  if (lower.length === term.length) return { score: EQUAL, ranges };
  if (at === 0) return { score: PREFIX, ranges };
  const before = value.charCodeAt(at - 1);
  const boundary = !(
    (before >= 48 && before <= 57) ||
    (before >= 65 && before <= 90) ||
    (before >= 97 && before <= 122)
  );
  // A capital inside camelCase (StopLogging → "logging") is a word start too.
  const camel = value[at] !== lower[at];
  return { score: boundary || camel ? WORD : CONTAINS, ranges };
}

const fullMatches: ValueMatch[] = [];
/**
 * An EQUAL match covering a whole value of this length. Shared between values (never modified):
 * a pattern can match tens of thousands of values, and allocating for each showed in profiles.
 */
function fullMatch(length: number): ValueMatch {
  if (length >= 4096) return { score: EQUAL, ranges: [[0, length]] };
  return (fullMatches[length] ??= Object.freeze({
    score: EQUAL,
    ranges: Object.freeze([Object.freeze([0, length])]),
  }) as ValueMatch);
}

function trigramBit(s: string, i: number): number {
  return (
    ((Math.imul(s.charCodeAt(i), 0x9e3779b1) ^
      Math.imul(s.charCodeAt(i + 1), 0x85ebca6b) ^
      Math.imul(s.charCodeAt(i + 2), 0xc2b2ae35)) >>>
      21) &
    FILTER_MASK
  );
}

/**
 * A set of values all matched whole (EQUAL, the range covering the value), as a read-only map
 * over an id array: what a `prefix*` pattern gives, often tens of thousands of values. Lookups
 * by id (highlights) use a membership array built on first use.
 */
export class IdSetMatches implements ReadonlyMap<number, ValueMatch> {
  #member: Uint8Array | undefined;
  readonly #strings: readonly string[];

  constructor(
    /** The matched ids, each once (do not modify). */
    readonly ids: Uint32Array,
    strings: readonly string[],
  ) {
    this.#strings = strings;
  }

  get size(): number {
    return this.ids.length;
  }

  has(id: number): boolean {
    if (!this.#member) {
      let max = 0;
      for (let i = 0; i < this.ids.length; i++) if (this.ids[i] > max) max = this.ids[i];
      this.#member = new Uint8Array(max + 1);
      for (let i = 0; i < this.ids.length; i++) this.#member[this.ids[i]] = 1;
    }
    return this.#member[id] === 1;
  }

  get(id: number): ValueMatch | undefined {
    return this.has(id) ? fullMatch(this.#strings[id].length) : undefined;
  }

  *entries(): MapIterator<[number, ValueMatch]> {
    for (let i = 0; i < this.ids.length; i++) yield [this.ids[i], fullMatch(this.#strings[this.ids[i]].length)];
  }

  *keys(): MapIterator<number> {
    for (let i = 0; i < this.ids.length; i++) yield this.ids[i];
  }

  *values(): MapIterator<ValueMatch> {
    for (const [, m] of this.entries()) yield m;
  }

  [Symbol.iterator](): MapIterator<[number, ValueMatch]> {
    return this.entries();
  }

  forEach(f: (value: ValueMatch, key: number, map: ReadonlyMap<number, ValueMatch>) => void): void {
    for (const [id, m] of this.entries()) f(m, id, this);
  }
}

/** The ids of a field's matches, in their order (an id array when there is one). */
export function matchIds(matches: ReadonlyMap<number, ValueMatch>): Iterable<number> {
  return matches instanceof IdSetMatches ? matches.ids : matches.keys();
}

/*
 * The loops over every value below are functions of their own: V8 compiles a long-running loop
 * mid-call, and that code deoptimized at the next loop of the same function (never run yet), so
 * a million values were partly lowercased and filtered in the interpreter (~40 % of the time).
 */

/** Lowercases values [from, to) onto `lowered` and adds their trigrams to their blocks' filters. */
function lowerAndFilter(
  values: readonly string[],
  from: number,
  to: number,
  lowered: string[],
  filters: Uint32Array,
  unsafe: Set<number>,
): void {
  for (let id = from; id < to; id++) {
    const lower = values[id].toLowerCase();
    lowered.push(lower);
    addTrigrams(lower, filters, Math.floor(id / BLOCK) * FILTER_WORDS);
    if (lower.includes(SEP)) unsafe.add(Math.floor(id / BLOCK));
  }
}

/** Sets the filter bit of each trigram of `s` (as trigramBit, reading each character once). */
function addTrigrams(s: string, filters: Uint32Array, base: number): void {
  if (s.length < 3) return;
  let a = s.charCodeAt(0);
  let b = s.charCodeAt(1);
  for (let i = 2; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const bit = ((Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b) ^ Math.imul(c, 0xc2b2ae35)) >>> 21) & FILTER_MASK;
    filters[base + (bit >>> 5)] |= 1 << (bit & 31);
    a = b;
    b = c;
  }
}

export class FieldVocabulary {
  private readonly lowered: string[] = [];
  /** Per block: its values' lowercase text joined by SEP; per value: where it starts in that text. */
  private readonly texts: string[] = [];
  private readonly offsets = new GrowableU32();
  /** Value ids in the order of their lowercase form, for the first `sortedCount` values. */
  private sorted = new Uint32Array(0);
  /** Blocks holding a value that contains SEP: never searched through their joined text. */
  private readonly unsafe = new Set<number>();
  private filters = new Uint32Array(FILTER_WORDS * 16);
  private fuzzyMatcher: FuzzyMatcher | undefined;

  /** `values` is the field's dictionary, which grows as events are added. */
  constructor(private readonly values: readonly string[]) {}

  get size(): number {
    return this.values.length;
  }

  /** Lowercases and indexes the values added since the last call. */
  private sync(): void {
    const from = this.lowered.length;
    const to = this.values.length;
    if (from === to) return;
    const blocks = Math.ceil(to / BLOCK);
    if (blocks * FILTER_WORDS > this.filters.length) {
      const next = new Uint32Array(Math.max(blocks * FILTER_WORDS, this.filters.length * 2));
      next.set(this.filters);
      this.filters = next;
    }
    lowerAndFilter(this.values, from, to, this.lowered, this.filters, this.unsafe);
    this.joinBlocks(from, to);
  }

  /** The joined text of every block holding a value in [from, to) (the first may have been partial). */
  private joinBlocks(from: number, to: number): void {
    const blocks = Math.ceil(to / BLOCK);
    for (let b = Math.floor(from / BLOCK); b < blocks; b++) {
      const end = Math.min(to, (b + 1) * BLOCK);
      let at = 0;
      for (let id = b * BLOCK; id < end; id++) {
        if (id >= this.offsets.length) this.offsets.push(at);
        at += this.lowered[id].length + 1;
      }
      this.texts[b] = this.lowered.slice(b * BLOCK, end).join(SEP);
    }
  }

  /** Builds now what a first query on this field would: the lowercase blocks and the sorted index. */
  prepare(): void {
    this.sortedIds();
  }

  /** The sorted order, extended with values added since: new ones sorted, then merged in. */
  private sortedIds(): Uint32Array {
    this.sync();
    const old = this.sorted;
    const n = this.lowered.length;
    if (old.length === n) return old;
    const low = this.lowered;
    const cmp = (a: number, b: number): number => (low[a] < low[b] ? -1 : low[a] > low[b] ? 1 : a - b);
    const fresh = Uint32Array.from({ length: n - old.length }, (_, i) => old.length + i).sort(cmp);
    const merged = new Uint32Array(n);
    let i = 0;
    let j = 0;
    for (let w = 0; w < n; w++)
      merged[w] = j >= fresh.length || (i < old.length && cmp(old[i], fresh[j]) <= 0) ? old[i++] : fresh[j++];
    return (this.sorted = merged);
  }

  /**
   * Ids of values whose lowercase form starts with `prefix`, in sorted order: a view into the
   * sorted index (do not modify). Those values are contiguous there, so two binary searches find
   * them; walking the matches one string at a time cost ~1 ms per 1,000 matches (a cache miss each).
   */
  private withPrefix(prefix: string): Uint32Array {
    const sorted = this.sortedIds();
    const low = this.lowered;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (low[sorted[mid]] < prefix) lo = mid + 1;
      else hi = mid;
    }
    let end = lo;
    hi = sorted.length;
    while (end < hi) {
      const mid = (end + hi) >>> 1;
      if (low[sorted[mid]].startsWith(prefix)) end = mid + 1;
      else hi = mid;
    }
    return sorted.subarray(lo, end);
  }

  /** Blocks that may hold a value containing every string in `needles` (already lowercase). */
  private candidateBlocks(needles: readonly string[]): number[] {
    const bits: number[] = [];
    for (const n of needles) for (let i = 0; i + 2 < n.length; i++) bits.push(trigramBit(n, i));
    const f = this.filters;
    const blocks: number[] = [];
    for (let b = 0; b < this.texts.length; b++) {
      const base = b * FILTER_WORDS;
      let ok = true;
      for (let k = 0; k < bits.length && ok; k++) ok = (f[base + (bits[k] >>> 5)] & (1 << (bits[k] & 31))) !== 0;
      if (ok) blocks.push(b);
    }
    return blocks;
  }

  /** Ids of values containing `lower` (lowercase, non-empty), each once, in id order. */
  private containingIds(lower: string): number[] {
    const ids: number[] = [];
    const scanAll = lower.includes(SEP);
    for (const b of this.candidateBlocks([lower])) {
      const first = b * BLOCK;
      const end = Math.min(this.lowered.length, first + BLOCK);
      if (scanAll || this.unsafe.has(b)) {
        for (let id = first; id < end; id++) if (this.lowered[id].includes(lower)) ids.push(id);
        continue;
      }
      const text = this.texts[b];
      const starts = this.offsets.data;
      let id = first;
      let from = 0;
      for (;;) {
        const at = text.indexOf(lower, from);
        if (at < 0) break;
        while (id + 1 < end && starts[id + 1] <= at) id++;
        // Without SEP in the term or the block's values, a match never spans two values.
        ids.push(id);
        if (++id >= end) break;
        from = starts[id];
      }
    }
    return ids;
  }

  private allIds(): number[] {
    return Array.from(this.lowered.keys());
  }

  /** Values containing the term (exact, prefix, word, substring), ignoring case. */
  literal(term: string): Map<number, ValueMatch> {
    this.sync();
    const found = new Map<number, ValueMatch>();
    const lowerTerm = term.toLowerCase();
    const ids = lowerTerm ? this.containingIds(lowerTerm) : this.allIds();
    for (const id of ids) {
      if (!this.lowered[id]) continue;
      const m = substringScore(this.values[id], this.lowered[id], lowerTerm);
      if (m) found.set(id, m);
    }
    return found;
  }

  /** Values containing `text` ignoring case, the empty value included when `text` is empty. */
  containing(text: string): Map<number, ValueMatch> {
    this.sync();
    const lower = text.toLowerCase();
    const found = new Map<number, ValueMatch>();
    for (const id of lower ? this.containingIds(lower) : this.allIds()) found.set(id, { score: EQUAL, ranges: [] });
    return found;
  }

  /** Values equal to `value` ignoring case (same length, same lowercase). */
  equalIgnoringCase(value: string, into: Map<number, ValueMatch>): void {
    this.sync();
    const lower = value.toLowerCase();
    // Through the trigram filter when the value has a trigram: a pivot on one value of a large
    // field then needs no sorted index (sorting a million ARNs took seconds on first use).
    const ids = !lower ? this.allIds() : lower.length >= 3 ? this.containingIds(lower) : this.withPrefix(lower);
    for (const id of ids) {
      const v = this.values[id];
      if (v.length === value.length && !into.has(id) && this.lowered[id] === lower) into.set(id, fullMatch(v.length));
    }
  }

  /**
   * Every value whose lowercase form starts with `prefix` (non-empty, lowercase), as an EQUAL
   * match: what `field:prefix*` matches. A view of the sorted index, not a Map: a prefix can cover
   * tens of thousands of values, and a Map entry for each was most of such a query's time.
   */
  prefixMatches(prefix: string): IdSetMatches {
    this.sync();
    return new IdSetMatches(this.withPrefix(prefix).slice(), this.values);
  }

  /** Every value containing `infix` (non-empty, lowercase), as an EQUAL match: what `field:*infix*` matches. */
  infixMatches(infix: string): IdSetMatches {
    this.sync();
    return new IdSetMatches(Uint32Array.from(this.containingIds(infix)), this.values);
  }

  /** Non-empty values matching a lowercase glob split at its `*`s (parts as for globMatch). */
  glob(parts: readonly string[], into: Map<number, ValueMatch>): void {
    this.sync();
    // A matching value starts with the first part and holds every part: look only at the values
    // with that prefix, or else at those holding the longest part.
    const longest = parts.reduce((a, b) => (b.length > a.length ? b : a), '');
    const ids = parts[0] ? this.withPrefix(parts[0]) : longest ? this.containingIds(longest) : this.allIds();
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      const lower = this.lowered[id];
      if (lower && !into.has(id) && globMatch(parts, lower)) into.set(id, fullMatch(this.values[id].length));
    }
  }

  /**
   * Values matching a pattern (query.ts ValuePattern): globs through `glob` / equality, regexes
   * (RE2, linear in each value) and CIDR ranges by testing every distinct value once.
   */
  pattern(p: ValuePattern, into: Map<number, ValueMatch>): void {
    this.sync();
    if (p.kind === 'glob') {
      if (p.parts.length === 1) this.equalIgnoringCase(p.parts[0], into);
      else
        this.glob(
          p.parts.map((x) => x.toLowerCase()),
          into,
        );
      return;
    }
    this.testEach(patternTest(p), into);
  }

  private testEach(test: (value: string) => boolean, into: Map<number, ValueMatch>): void {
    const values = this.values;
    for (let id = 0; id < values.length; id++)
      if (!into.has(id) && test(values[id])) into.set(id, fullMatch(values[id].length));
  }

  private matcher(): FuzzyMatcher {
    return (this.fuzzyMatcher ??= new FuzzyMatcher(
      this.values,
      this.lowered,
      () => this.sortedIds(),
      (lower) => this.containingIds(lower),
    ));
  }

  /** Builds the typo index's own part (the values' tails) ahead of the first typo. */
  prepareTypos(): void {
    this.sortedIds();
    this.matcher().prepare();
  }

  /** Values close to the term, for typos (see fuzzy.ts). */
  fuzzy(term: string, opts?: FuzzyOptions): Map<number, ValueMatch> {
    return this.matcher().search(term, opts);
  }
}
