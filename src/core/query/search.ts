/**
 * Free-text search over the store (DESIGN §4). A term is matched against the *distinct values* of
 * the searchable fields — exact, prefix and substring matches first, then typo matches (fuzzy.ts) —
 * and the matched values are mapped back to events through the store's inverted index. Fuse.js
 * never sees an event, only a few thousand strings, so a query costs the vocabulary, not the log.
 */
import type { SortOrder } from '../../protocol/logViewer';
import { evaluate, type PlanTerm } from './plan';
import { roleSessionsGlob } from '../model/principal';
import { type FieldTerm, parseQuery, type ParsedQuery, type PathTerm, type TextTerm, type ValuePattern } from './query';
import { rankRows } from './rank';
import type { EventStore, IndexedField } from '../store/store';
import { applyPathTerms, type RowSets, setTermScores } from './termFilters';
import { EQUAL, FieldVocabulary, type ValueMatch } from './vocabulary';

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

export type { ValueMatch } from './vocabulary';
export { globMatch } from './glob';
export { rankRows } from './rank';

export interface SearchResult {
  /** Store row numbers in display order. */
  rows: Uint32Array;
  errors: string[];
  /** Matched values per field (value id → match), for highlighting; empty without a query. */
  matches: Map<IndexedField, ReadonlyMap<number, ValueMatch>>;
}

export class SearchEngine {
  private readonly vocab = new Map<IndexedField, FieldVocabulary>();
  private timeOrder: Uint32Array | undefined;
  private timeOrderVersion = -1;
  private readonly rowSets = new Map<string, RowSets>();
  private readonly rowSetProviders = new Map<string, () => ReadonlyMap<string, Uint32Array>>();
  /** Families whose values cannot all be listed (a country no event came from): an unknown value selects no row. */
  private readonly openFamilies = new Set<string>();
  /** Bumped by setRowSets, so cached results of set terms know they are stale. */
  rowSetsVersion = 0;
  /** False forces the dense evaluation (one array over all rows per term): tests compare the two. */
  usePlan = true;

  /**
   * `typos`: false turns typo matching off (remote filtering: Athena and Logs Insights have none,
   * so a remote text term is a plain substring search there and here).
   */
  constructor(
    private readonly store: EventStore,
    private readonly typos = true,
  ) {}

  /** The matcher over one field's distinct values, made on first use. */
  private vocabulary(field: IndexedField): FieldVocabulary {
    let v = this.vocab.get(field);
    if (!v) this.vocab.set(field, (v = new FieldVocabulary(this.store.dictionary(field).values)));
    return v;
  }

  /**
   * Builds one field's matching indexes and postings ahead of the first query that needs them
   * (at a million events a first text or `prefix*` query otherwise waits a second or two).
   */
  warm(field: IndexedField): void {
    this.vocabulary(field).prepare();
    this.store.dictionary(field).postings();
    if (this.typos) this.vocabulary(field).prepareTypos();
  }

  /**
   * Names row sets for `<set>:<id>` terms (`detection:cis-4.3`), replacing the family's previous
   * sets. Rows past the store's size are ignored.
   */
  setRowSets(set: string, sets: ReadonlyMap<string, Uint32Array>): void {
    this.rowSetProviders.delete(set.toLowerCase());
    this.rowSets.set(set.toLowerCase(), new Map(sets));
    this.rowSetsVersion++;
  }

  /** A family's current row sets (empty when it has none); lazily given sets stay uncomputed. */
  rowSetsOf(set: string): ReadonlyMap<string, Uint32Array> {
    return this.rowSets.get(set.toLowerCase()) ?? new Map();
  }

  /**
   * Like setRowSets, but the sets are computed by the first query that names the family: the
   * chain row sets (`origin:`, `issuedBy:`) take a second or two at a million events, which
   * every query after a load would otherwise wait for, and most investigations never ask.
   */
  setRowSetsLazily(
    set: string,
    compute: () => ReadonlyMap<string, Uint32Array>,
    options: { open?: boolean } = {},
  ): void {
    if (options.open) this.openFamilies.add(set.toLowerCase());
    this.rowSets.delete(set.toLowerCase());
    this.rowSetProviders.set(set.toLowerCase(), compute);
    this.rowSetsVersion++;
  }

  /** A family's row sets, computing them now if they were given lazily. */
  private setsOf(family: string): RowSets | undefined {
    const compute = this.rowSetProviders.get(family);
    if (compute) {
      this.rowSetProviders.delete(family);
      this.rowSets.set(family, new Map(compute()));
    }
    return this.rowSets.get(family);
  }

  /** All rows, newest first; cached until the store changes. */
  private byTime(): Uint32Array {
    if (!this.timeOrder || this.timeOrderVersion !== this.store.version) {
      this.timeOrder = this.store.rowsByTime();
      this.timeOrderVersion = this.store.version;
    }
    return this.timeOrder;
  }

  /** The values each field matched for one text or field term. Records highlights. */
  private termMatches(
    term: TextTerm | FieldTerm,
    matches: SearchResult['matches'],
    owned: Set<ReadonlyMap<number, ValueMatch>>,
  ): Map<IndexedField, ReadonlyMap<number, ValueMatch>> {
    const fields = term.kind === 'field' ? term.fields : TEXT_FIELDS;
    const perField = new Map<IndexedField, ReadonlyMap<number, ValueMatch>>();
    for (const field of fields) {
      if (term.kind === 'field' && term.typo) perField.set(field, this.typoValues(field, term.values[0]));
      else if (term.kind === 'field')
        perField.set(field, this.fieldValues(field, term.values, !!term.literal, term.patterns));
      else
        perField.set(
          field,
          this.withRoleSessions(
            field,
            [term.text],
            term.negate ? this.containing(field, term.text) : this.vocabulary(field).literal(term.text),
          ),
        );
    }
    // Typos: only when the term matches nothing literally (typoIndex.ts bounds the term's length).
    if (this.typos && term.kind === 'text' && !term.negate && [...perField.values()].every((m) => m.size === 0)) {
      for (const field of fields) perField.set(field, this.fuzzy(field, term.text));
    }
    for (const [field, valueMatches] of perField) {
      const prior = matches.get(field);
      // Excluded values are not highlighted: they are not on screen.
      if (!prior) {
        // The first term on a field: its matches are shared, not copied (a pattern can match
        // tens of thousands of values); a later term on the same field copies before merging.
        if (valueMatches.size > 0 && !term.negate) matches.set(field, valueMatches);
        continue;
      }
      let kept: Map<number, ValueMatch>;
      if (owned.has(prior)) kept = prior as Map<number, ValueMatch>;
      else {
        kept = new Map(prior);
        owned.add(kept);
        matches.set(field, kept);
      }
      for (const [id, m] of valueMatches) {
        const was = kept.get(id);
        if (!was || m.score < was.score) kept.set(id, m);
      }
    }
    return perField;
  }

  /** Per-row best score for one text or field term (Infinity: no match). Records highlights. */
  private termScores(
    term: TextTerm | FieldTerm,
    matches: SearchResult['matches'],
    owned: Set<ReadonlyMap<number, ValueMatch>>,
  ): Float32Array {
    const best = new Float32Array(this.store.size).fill(Infinity);
    for (const [field, valueMatches] of this.termMatches(term, matches, owned)) {
      const dict = this.store.dictionary(field);
      for (const [id, m] of valueMatches) for (const row of dict.rows(id)) if (m.score < best[row]) best[row] = m.score;
    }
    return best;
  }

  /**
   * Evaluates the query from the inverted indexes (plan.ts) when every term is a field, text or
   * time term; undefined otherwise, for the dense evaluation below.
   */
  private planned(
    parsed: ParsedQuery,
    matches: SearchResult['matches'],
    owned: Set<ReadonlyMap<number, ValueMatch>>,
    sort: SortOrder,
  ): Uint32Array | undefined {
    if (parsed.terms.some((t) => t.kind !== 'time' && t.kind !== 'field' && t.kind !== 'text')) return undefined;
    const terms: PlanTerm[] = [];
    for (const term of parsed.terms) {
      if (term.kind === 'time') terms.push({ kind: 'time', after: term.after, before: term.before });
      else if (term.kind === 'field' || term.kind === 'text')
        terms.push({ kind: 'values', negate: !!term.negate, fields: this.termMatches(term, matches, owned) });
      else return undefined;
    }
    return evaluate(this.store, terms, parsed.terms.length, this.byTime(), sort);
  }

  /**
   * Values of `field` matching any alternative: exact ignoring case, `*` wildcards, '' for empty,
   * and the term's patterns (regexes, CIDR ranges, globs with literal `*`s).
   */
  /** Values close to `text` in one field, for typos, ranked with how many events hold each. */
  private fuzzy(field: IndexedField, text: string): Map<number, ValueMatch> {
    const dict = this.store.dictionary(field);
    return this.vocabulary(field).fuzzy(text, { counts: (id) => dict.rows(id).length });
  }

  /** `field:~value`: the value itself (any case) and the values within its edit budget. */
  private typoValues(field: IndexedField, typed: string): ReadonlyMap<number, ValueMatch> {
    const found = this.typos ? this.fuzzy(field, typed) : new Map<number, ValueMatch>();
    const dict = this.store.dictionary(field);
    const hit = dict.idOf(typed);
    if (hit !== undefined) found.set(hit, { score: EQUAL, ranges: [[0, typed.length]] });
    this.vocabulary(field).equalIgnoringCase(typed, found);
    return found;
  }

  private fieldValues(
    field: IndexedField,
    alternatives: readonly string[],
    literal: boolean,
    patterns: readonly ValuePattern[] = [],
  ): ReadonlyMap<number, ValueMatch> {
    const dict = this.store.dictionary(field);
    const vocab = this.vocabulary(field);
    const single = !literal && alternatives.length === 1 && patterns.length === 0;
    // `prefix*` alone: the values with the prefix, straight from the sorted index.
    if (single && /^[^*]+\*$/.test(alternatives[0]))
      return vocab.prefixMatches(alternatives[0].slice(0, -1).toLowerCase());
    // `*infix*` alone: the values containing it, as the trigram filter finds them.
    if (single && /^\*[^*]+\*$/.test(alternatives[0]))
      return vocab.infixMatches(alternatives[0].slice(1, -1).toLowerCase());
    const found = new Map<number, ValueMatch>();
    for (const p of patterns) vocab.pattern(p, found);
    for (const alt of alternatives) {
      if (literal || !alt.includes('*')) {
        const hit = dict.idOf(alt);
        if (hit !== undefined) found.set(hit, { score: EQUAL, ranges: [[0, alt.length]] });
        vocab.equalIgnoringCase(alt, found);
        continue;
      }
      // A wildcard never matches an empty value: error:* means "has an error".
      vocab.glob(alt.toLowerCase().split('*'), found);
    }
    return this.withRoleSessions(field, alternatives, found);
  }

  /**
   * `found`, plus, where `field` is principalArn and a text is an IAM role's ARN, the ARNs of that
   * role's sessions: a role pasted from the IAM console finds what its sessions did (negated too).
   */
  private withRoleSessions(
    field: IndexedField,
    texts: readonly string[],
    found: Map<number, ValueMatch>,
  ): Map<number, ValueMatch> {
    if (field !== 'principalArn') return found;
    for (const text of texts) {
      const glob = roleSessionsGlob(text.trim());
      if (glob) this.vocabulary(field).glob(glob.toLowerCase().split('*'), found);
    }
    return found;
  }

  /** Values of `field` containing `text`, ignoring case (for excluding: no fuzziness). */
  private containing(field: IndexedField, text: string): Map<number, ValueMatch> {
    return this.vocabulary(field).containing(text);
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

  /**
   * Runs a query. Without terms every event matches, in time order. Indexed terms run first; JSON
   * path terms then parse only the rows that are left.
   */
  search(query: string | ParsedQuery, sort: SortOrder = 'relevance'): SearchResult {
    const parsed = typeof query === 'string' ? parseQuery(query) : query;
    const matches: SearchResult['matches'] = new Map();
    // Highlight maps this search made itself (others are shared with a term, never modified).
    const owned = new Set<ReadonlyMap<number, ValueMatch>>();
    if (parsed.terms.length === 0) {
      const rows = this.byTime();
      return { rows: sort === 'oldest' ? rows.slice().reverse() : rows, errors: parsed.errors, matches };
    }
    const errors = parsed.errors.slice();
    // Field, text and time terms run from the inverted indexes; set and path terms take the
    // dense evaluation below.
    const planned = this.usePlan ? this.planned(parsed, matches, owned, sort) : undefined;
    if (planned) return { rows: planned, errors, matches };
    const n = this.store.size;
    let total: Float32Array | undefined;
    const paths: PathTerm[] = [];
    for (const term of parsed.terms) {
      let best: Float32Array;
      if (term.kind === 'path') {
        paths.push(term);
        continue;
      } else if (term.kind === 'set') {
        const r = setTermScores(term, this.setsOf(term.set), n, this.openFamilies.has(term.set.toLowerCase()));
        if (r.error && !errors.includes(r.error)) errors.push(r.error);
        // A term naming no known set is left out, like an unknown field.
        if (!r.scores) continue;
        best = r.scores;
      } else {
        best = term.kind === 'time' ? this.timeFilter(term.after, term.before) : this.termScores(term, matches, owned);
      }
      if (term.kind !== 'time' && term.negate) {
        // Excluding: the rows that matched are out, every other row passes with a neutral score.
        for (let r = 0; r < n; r++) best[r] = best[r] === Infinity ? 0 : Infinity;
      }
      if (!total) total = best;
      else for (let r = 0; r < n; r++) total[r] += best[r];
    }
    const scores = total ?? new Float32Array(n);
    const pathError = applyPathTerms(this.store, paths, scores);
    if (pathError) errors.push(pathError);
    return { rows: rankRows(scores, this.byTime(), parsed.terms.length, sort), errors, matches };
  }
}
