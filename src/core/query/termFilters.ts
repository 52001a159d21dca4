/**
 * The two kinds of terms the search engine cannot answer from its inverted indexes: JSON-path
 * terms (the raw event is parsed) and named row sets (`detection:<id>`). Both narrow a score
 * array the indexed terms already filled, so they only ever look at surviving rows.
 */
import { jsonTextsAt, parseRaw, valueMatcher, valuesAt } from './eventPath';
import type { PathTerm, SetTerm } from './query';
import { globMatch } from './glob';
import type { EventStore } from '../store/store';

/**
 * Most rows whose raw JSON a query parses. Parsing and walking a real event costs ~10 µs (145,000
 * sample events took 1.2-1.5 s on the 2-core dev machine), so this bounds a path query near a
 * second on the extension host; past it the path terms are dropped with an explanation, as an
 * unknown field would be.
 */
export const MAX_PATH_ROWS = 100_000;

/** Named row sets per family: id → rows. */
export type RowSets = ReadonlyMap<string, Uint32Array>;

/**
 * Sets `scores[row]` to Infinity for surviving rows that fail any path term. Returns an error
 * sentence when the rows were too many to check (scores then untouched), else undefined.
 */
export function applyPathTerms(
  store: EventStore,
  terms: readonly PathTerm[],
  scores: Float32Array,
  limit = MAX_PATH_ROWS,
): string | undefined {
  if (terms.length === 0) return undefined;
  let candidates = 0;
  for (let r = 0; r < scores.length; r++) if (scores[r] !== Infinity) candidates++;
  if (candidates > limit) {
    const names = [...new Set(terms.map((t) => t.name))].join(', ');
    return `${names}: path terms read each event, and ${candidates.toLocaleString('en-US')} events are more than ${limit.toLocaleString('en-US')}; add a field term such as eventName: to narrow them first. The path terms were left out.`;
  }
  const tests = terms.map((t) => ({
    segments: t.segments,
    negate: t.negate,
    read: t.json ? jsonTextsAt : valuesAt,
    match: valueMatcher(t.values, !!t.literal, t.patterns),
  }));
  // In row order, so a store that re-reads raws per source file reads each file once.
  for (let r = 0; r < scores.length; r++) {
    if (scores[r] === Infinity) continue;
    const event = parseRaw(store.raw(r));
    for (const t of tests) {
      if (t.match(t.read(event, t.segments)) === t.negate) {
        scores[r] = Infinity;
        break;
      }
    }
  }
  return undefined;
}

/** Set ids a term names: exact ignoring case, or `*` wildcards; the unknown ones listed apart. */
export function resolveSetIds(term: SetTerm, ids: readonly string[]): { ids: string[]; unknown: string[] } {
  const found = new Set<string>();
  const unknown: string[] = [];
  for (const alt of term.values) {
    const lower = alt.toLowerCase();
    const parts = lower.split('*');
    const hits = ids.filter((id) =>
      term.literal || !alt.includes('*') ? id.toLowerCase() === lower : globMatch(parts, id.toLowerCase()),
    );
    if (hits.length === 0) unknown.push(alt);
    for (const h of hits) found.add(h);
  }
  return { ids: [...found], unknown };
}

/** How many known ids an "unknown id" message lists before "and N more". */
const LISTED_IDS = 12;

/**
 * Scores for a set term (0 in any named set, Infinity elsewhere), or undefined with an error when
 * it names nothing known; ids it names beside unknown ones still count. In an `open` family (the
 * source IP's country or ASN) a value no row has is no error: it selects no row.
 */
export function setTermScores(
  term: SetTerm,
  sets: RowSets | undefined,
  size: number,
  open = false,
): { scores?: Float32Array; error?: string } {
  const ids = [...(sets?.keys() ?? [])];
  const { ids: hit, unknown } = resolveSetIds(term, ids);
  let error: string | undefined;
  if (open) {
    if (hit.length === 0) return { scores: new Float32Array(size).fill(Infinity) };
  } else if (unknown.length > 0) {
    const known =
      ids.length === 0
        ? `No ${term.set} has run yet.`
        : `Known: ${ids.slice(0, LISTED_IDS).join(', ')}${ids.length > LISTED_IDS ? `, and ${ids.length - LISTED_IDS} more` : ''}.`;
    error = `Unknown ${term.set} ${unknown.map((u) => `"${u}"`).join(', ')}. ${known}`;
  }
  if (hit.length === 0) return { error };
  const scores = new Float32Array(size).fill(Infinity);
  for (const id of hit) for (const r of sets!.get(id)!) if (r < size) scores[r] = 0;
  return { scores, error };
}
