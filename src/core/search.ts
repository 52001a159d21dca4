/**
 * Free-text search over the store (DESIGN §4). A term is matched against the *distinct values* of
 * the searchable fields — exact, prefix and substring matches first, then Fuse.js fuzzy matches —
 * and the matched values are mapped back to events through the store's inverted index. Fuse.js
 * never sees an event, only a few thousand strings, so a query costs the vocabulary, not the log.
 */
import Fuse from 'fuse.js';
import type { Range, SortOrder } from '../protocol/logViewer';
import { type FieldTerm, parseQuery, type ParsedQuery, type TextTerm } from './query';
import type { EventStore, IndexedField } from './store';

/** Fields free text looks in, most telling first (earlier wins a tie in match ranking). */
export const TEXT_FIELDS: readonly IndexedField[] = [
  'eventName',
  'principal',
  'principalArn',
  'accessKeyId',
  'sourceIp',
  'errorCode',
  'eventSource',
  'resources',
  'awsRegion',
  'account',
  'userAgent',
];

/** How well one distinct value matched a term: lower is better (0 = equal). */
export interface ValueMatch {
  score: number;
  ranges: Range[];
}

export interface SearchResult {
  /** Store row numbers in display order. */
  rows: Uint32Array;
  errors: string[];
  /** Matched values per field (value id → match), for highlighting; empty without a query. */
  matches: Map<IndexedField, Map<number, ValueMatch>>;
}

/** Score bands: a plain containment always outranks a fuzzy guess. */
const EQUAL = 0;
const PREFIX = 0.1;
const WORD = 0.2;
const CONTAINS = 0.3;
const FUZZY = 0.4;

const FUSE_THRESHOLD = 0.34;
/** Largest vocabulary Fuse.js searches for typos (about 100 ms a term on the 2-core dev machine). */
export const FUZZY_VOCABULARY_LIMIT = 20_000;
/** Fuzzy matches per field and term: enough for typos, few enough to stay precise. */
const FUSE_LIMIT = 50;

function substringScore(value: string, lower: string, term: string): ValueMatch | undefined {
  const at = lower.indexOf(term);
  if (at < 0) return undefined;
  const ranges: Range[] = [[at, at + term.length]];
  if (lower.length === term.length) return { score: EQUAL, ranges };
  if (at === 0) return { score: PREFIX, ranges };
  const before = value.charCodeAt(at - 1);
  const boundary = !((before >= 48 && before <= 57) || (before >= 65 && before <= 90) || (before >= 97 && before <= 122));
  // A capital inside camelCase (StopLogging → "logging") is a word start too.
  const camel = value[at] !== lower[at];
  return { score: boundary || camel ? WORD : CONTAINS, ranges };
}

/** Fuse's inclusive [start, end] pairs → half-open ranges, dropping one-letter noise. */
function fuseRanges(indices: ReadonlyArray<readonly [number, number]> | undefined): Range[] {
  return (indices ?? []).filter(([a, b]) => b > a).map(([a, b]) => [a, b + 1] as Range);
}

class FieldVocabulary {
  private fuse: Fuse<string> | undefined;
  private indexed = 0;
  private lowered: string[] = [];

  constructor(private readonly values: readonly string[]) {}

  private sync(): void {
    for (let i = this.lowered.length; i < this.values.length; i++) this.lowered.push(this.values[i].toLowerCase());
  }

  private fuzzyIndex(): Fuse<string> {
    if (!this.fuse) {
      this.fuse = new Fuse<string>([], {
        includeScore: true,
        includeMatches: true,
        ignoreLocation: true,
        threshold: FUSE_THRESHOLD,
        minMatchCharLength: 2,
      });
    }
    for (; this.indexed < this.values.length; this.indexed++) this.fuse.add(this.values[this.indexed]);
    return this.fuse;
  }

  /** Values containing the term (exact, prefix, word, substring), ignoring case. */
  literal(term: string): Map<number, ValueMatch> {
    this.sync();
    const found = new Map<number, ValueMatch>();
    const lowerTerm = term.toLowerCase();
    for (let id = 0; id < this.lowered.length; id++) {
      if (!this.lowered[id]) continue;
      const m = substringScore(this.values[id], this.lowered[id], lowerTerm);
      if (m) found.set(id, m);
    }
    return found;
  }

  /** Values close to the term (Fuse.js over this field's distinct values). */
  fuzzy(term: string): Map<number, ValueMatch> {
    const found = new Map<number, ValueMatch>();
    for (const r of this.fuzzyIndex().search(term, { limit: FUSE_LIMIT })) {
      if (!this.values[r.refIndex]) continue;
      found.set(r.refIndex, { score: FUZZY + (r.score ?? 1) * (1 - FUZZY), ranges: fuseRanges(r.matches?.[0]?.indices) });
    }
    return found;
  }
}

/**
 * Whether `value` matches the glob split at its `*`s. Greedy and linear: no backtracking regex,
 * so a hostile pattern (a*a*a*…) or value cannot stall the extension host.
 */
export function globMatch(parts: readonly string[], value: string): boolean {
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (parts.length === 1) return value === first;
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) return false;
  let at = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const found = value.indexOf(parts[i], at);
    if (found < 0 || found + parts[i].length > end) return false;
    at = found + parts[i].length;
  }
  return true;
}

export class SearchEngine {
  private readonly vocab = new Map<IndexedField, FieldVocabulary>();
  private timeOrder: Uint32Array | undefined;
  private timeOrderVersion = -1;

  /**
   * `fuzzyLimit`: fields with more distinct values than this get literal matching only. Search runs
   * on the extension host; Fuse.js over a million request-parameter names took 27 s a typo there
   * (npm run bench), a freeze. Until a faster matcher serves large vocabularies, the cost is bounded.
   */
  constructor(
    private readonly store: EventStore,
    private readonly fuzzyLimit = FUZZY_VOCABULARY_LIMIT,
  ) {
    for (const f of TEXT_FIELDS) this.vocab.set(f, new FieldVocabulary(store.dictionary(f).values));
  }

  /** All rows, newest first; cached until the store changes. */
  private byTime(): Uint32Array {
    if (!this.timeOrder || this.timeOrderVersion !== this.store.version) {
      this.timeOrder = this.store.rowsByTime();
      this.timeOrderVersion = this.store.version;
    }
    return this.timeOrder;
  }

  /** Per-row best score for one text or field term (Infinity: no match). Records highlights. */
  private termScores(term: TextTerm | FieldTerm, matches: SearchResult['matches']): Float32Array {
    const best = new Float32Array(this.store.size).fill(Infinity);
    const fields = term.kind === 'field' ? term.fields : TEXT_FIELDS;
    const perField = new Map<IndexedField, Map<number, ValueMatch>>();
    for (const field of fields) {
      perField.set(field, term.kind === 'field' ? this.fieldValues(field, term.values, !!term.literal) : term.negate ? this.containing(field, term.text) : this.vocab.get(field)!.literal(term.text));
    }
    // Fuzzy matching is for typos: only when the term matches nothing literally, and only for
    // terms that fit Fuse's 32-character window (longer ones are pasted IDs and ARNs).
    if (term.kind === 'text' && !term.negate && term.text.length >= 3 && term.text.length <= 32 && [...perField.values()].every((m) => m.size === 0)) {
      for (const field of fields) {
        if (this.store.dictionary(field).size <= this.fuzzyLimit) perField.set(field, this.vocab.get(field)!.fuzzy(term.text));
      }
    }
    for (const field of fields) {
      const valueMatches = perField.get(field)!;
      if (valueMatches.size === 0) continue;
      const dict = this.store.dictionary(field);
      let kept = matches.get(field);
      // Excluded values are not highlighted: they are not on screen.
      if (!kept && !term.negate) matches.set(field, (kept = new Map()));
      for (const [id, m] of valueMatches) {
        const prior = kept?.get(id);
        if (kept && (!prior || m.score < prior.score)) kept.set(id, m);
        for (const row of dict.rows(id)) if (m.score < best[row]) best[row] = m.score;
      }
    }
    return best;
  }

  /** Values of `field` matching any alternative: exact ignoring case, `*` wildcards, '' for empty. */
  private fieldValues(field: IndexedField, alternatives: readonly string[], literal: boolean): Map<number, ValueMatch> {
    const dict = this.store.dictionary(field);
    const found = new Map<number, ValueMatch>();
    for (const alt of alternatives) {
      if (literal || !alt.includes('*')) {
        const hit = dict.idOf(alt);
        if (hit !== undefined) found.set(hit, { score: EQUAL, ranges: [[0, alt.length]] });
        const lower = alt.toLowerCase();
        dict.values.forEach((v, id) => {
          if (v.length === alt.length && !found.has(id) && v.toLowerCase() === lower) found.set(id, { score: EQUAL, ranges: [[0, v.length]] });
        });
        continue;
      }
      // A wildcard never matches an empty value: error:* means "has an error".
      const parts = alt.toLowerCase().split('*');
      dict.values.forEach((v, id) => {
        if (v && !found.has(id) && globMatch(parts, v.toLowerCase())) found.set(id, { score: EQUAL, ranges: [[0, v.length]] });
      });
    }
    return found;
  }

  /** Values of `field` containing `text`, ignoring case (for excluding: no fuzziness). */
  private containing(field: IndexedField, text: string): Map<number, ValueMatch> {
    const lower = text.toLowerCase();
    const found = new Map<number, ValueMatch>();
    this.store.dictionary(field).values.forEach((v, id) => {
      if (v.toLowerCase().includes(lower)) found.set(id, { score: EQUAL, ranges: [] });
    });
    return found;
  }

  /** 0 for rows inside [after, before), Infinity otherwise (and for rows with no time). */
  private timeFilter(after = -Infinity, before = Infinity): Float32Array {
    const n = this.store.size;
    const out = new Float32Array(n);
    for (let r = 0; r < n; r++) {
      const t = this.store.time(r);
      out[r] = t >= after && t < before ? 0 : Infinity;
    }
    return out;
  }

  /** Runs a query. Without terms every event matches, in time order. */
  search(query: string | ParsedQuery, sort: SortOrder = 'relevance'): SearchResult {
    const parsed = typeof query === 'string' ? parseQuery(query) : query;
    const matches = new Map<IndexedField, Map<number, ValueMatch>>();
    if (parsed.terms.length === 0) {
      const rows = this.byTime();
      return { rows: sort === 'oldest' ? rows.slice().reverse() : rows, errors: parsed.errors, matches };
    }
    const n = this.store.size;
    let total: Float32Array | undefined;
    for (const term of parsed.terms) {
      const best = term.kind === 'time' ? this.timeFilter(term.after, term.before) : this.termScores(term, matches);
      if ((term.kind === 'field' || term.kind === 'text') && term.negate) {
        // Excluding: the rows that matched are out, every other row passes with a neutral score.
        for (let r = 0; r < n; r++) best[r] = best[r] === Infinity ? 0 : Infinity;
      }
      if (!total) total = best;
      else for (let r = 0; r < n; r++) total[r] += best[r];
    }
    const scores = total!;
    const order = this.byTime();
    const rows: number[] = [];
    for (const r of order) if (scores[r] !== Infinity) rows.push(r);
    if (sort === 'relevance') {
      // Array.prototype.sort is stable: within a band, rows stay newest first.
      const band = (r: number): number => Math.round((scores[r] / parsed.terms.length) * 20);
      rows.sort((a, b) => band(a) - band(b));
    }
    const result = Uint32Array.from(rows);
    if (sort === 'oldest') result.reverse();
    return { rows: result, errors: parsed.errors, matches };
  }
}
