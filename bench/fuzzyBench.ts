/**
 * Typos (#22): the typo index against Fuse.js and uFuzzy on the loaded vocabularies. Per field:
 * 500 one-edit and 500 two-edit typos of real values (insert, delete, replace, swap, evenly, at
 * any position), recall@10 of the original value for each engine, p50/p95 per term, and the index
 * build's time and memory over every searchable field (Fuse.js gets 20 typos past 20,000 values). Typos that some value contains are left
 * out (and counted): the search finds those literally and never asks for typos. Fuse.js and uFuzzy run on a sample of the
 * typos and on at most the first 100,000 values (Fuse.js takes about a second a term past that).
 */
import type { Investigation } from '../src/core/engine/investigation';
import { FuzzyMatcher } from '../src/core/query/fuzzy';
import { TEXT_FIELDS } from '../src/core/query/search';
import { FieldVocabulary } from '../src/core/query/vocabulary';
import { EDIT_KINDS as KINDS, osaDistance, typo } from '../test/builders/typos';
import { rng } from './corpus';

type Report = (name: string, value: number | string, unit?: string) => void;

const ALPHA = 'abcdefghijklmnopqrstuvwxyz0123456789-/:.';
const TYPOS = 500;
const FUSE_SAMPLE = 40;
const UFUZZY_SAMPLE = 200;
const OTHERS_MAX_VALUES = 100_000;

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
}

interface Typo {
  term: string;
  target: number;
  edits: 1 | 2;
}

/** Typos of values of `values`, none equal (ignoring case) to a value: those a search finds literally. */
function makeTypos(
  values: readonly string[],
  exists: Set<string>,
  literal: (term: string) => boolean,
  edits: 1 | 2,
  next: () => number,
): { typos: Typo[]; literals: number } {
  const out: Typo[] = [];
  let literals = 0;
  for (let tries = 0; out.length < TYPOS && tries < TYPOS * 50; tries++) {
    const target = Math.floor(next() * values.length);
    const v = values[target];
    if (v.length < (edits === 2 ? 8 : 3)) continue;
    let term = typo(v, KINDS[out.length % 4], next, ALPHA);
    if (edits === 2) term = typo(term, KINDS[Math.floor(out.length / 4) % 4], next, ALPHA);
    const lower = term.toLowerCase();
    if (term.length < (edits === 2 ? 8 : 3) || exists.has(lower)) continue;
    // A typo some value contains is found literally (the search tries typos only when nothing is).
    if (literal(term)) {
      literals++;
      continue;
    }
    // Two edits can overlap into one (or, a swap across a deletion, into three): keep exact counts.
    if (osaDistance(lower, v.toLowerCase()) !== edits) continue;
    out.push({ term, target, edits });
  }
  return { typos: out, literals };
}

export function fuzzyBench(report: Report, inv: Investigation): void {
  // Build, for every field free text searches, as warm() does after a load: the vocabulary's own
  // structures first (lowercase blocks and sorted order, which literal and prefix search use and
  // which existed before typos did), then the typo index's own part (the tails).
  // The JS heap and typed arrays' buffers (the index's arrays live outside the heap).
  const used = (): number => {
    global.gc?.();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const heap0 = used();
  let vocabMs = 0;
  let typoMs = 0;
  let heap1 = heap0;
  const vocabs = new Map<string, FieldVocabulary>();
  for (const field of TEXT_FIELDS) {
    const v = new FieldVocabulary(inv.store.dictionary(field).values);
    const a = performance.now();
    v.prepare();
    const b = performance.now();
    const h = used();
    const c = performance.now();
    v.prepareTypos();
    const d = performance.now();
    heap1 += used() - h;
    vocabMs += b - a;
    typoMs += d - c;
    console.log(
      `#   ${field}: ${v.size} values; lowercase and sorted in ${(b - a).toFixed(0)} ms, tails in ${(d - c).toFixed(0)} ms`,
    );
    vocabs.set(field, v);
  }
  report('fuzzy_index_build_all_fields', typoMs / 1000, 's');
  report('fuzzy_index_memory_all_fields', (heap1 - heap0) / 2 ** 20, 'MB');
  report('fuzzy_vocabulary_prepare_all_fields', vocabMs / 1000, 's');

  const next = rng(22);
  for (const field of ['eventName', 'sourceIp', 'principal', 'principalArn', 'accessKeyId', 'resources'] as const) {
    const dict = inv.store.dictionary(field);
    const all = dict.values;
    const vocab = vocabs.get(field)!;
    const counts = (id: number): number => dict.rows(id).length;
    const ids = all.map((_, i) => i).filter((i) => all[i]);
    const exists = new Set(all.map((v) => v.toLowerCase()));
    const pool = ids.map((i) => all[i]);
    report(`fuzzy_vocabulary_${field}`, pool.length, 'values');
    // Fuse.js and uFuzzy over the first 100,000 values: typos of those.
    const cut = pool.slice(0, OTHERS_MAX_VALUES);
    for (const edits of [1, 2] as const) {
      const made = makeTypos(pool, exists, (t) => vocab.literal(t).size > 0, edits, next);
      const typos = made.typos.map((x) => ({ ...x, target: ids[x.target] }));
      const times: number[] = [];
      let found = 0;
      let shown = 0;
      let ambiguous = 0;
      let foundClear = 0;
      for (const x of typos) {
        const s = performance.now();
        const hits = [...vocab.fuzzy(x.term, { counts }).entries()];
        times.push(performance.now() - s);
        const rank = hits.findIndex(([id]) => id === x.target);
        if (rank >= 0 && rank < 10) found++;
        if (rank >= 0) shown++;
        // Ambiguous: at least 10 other values as close as the original (dense ids: 1234 → 124).
        const d = rank >= 0 ? hits[rank][1].distance! : edits;
        const closer = hits.filter(([id, m]) => id !== x.target && (m.distance ?? 9) <= d).length;
        if (closer >= 10) ambiguous++;
        else if (rank >= 0 && rank < 10) foundClear++;
      }
      const name = `fuzzy_typo_${field}_${edits}edit`;
      report(`${name}_recall10`, (100 * found) / typos.length, '%');
      report(`${name}_recall_shown`, (100 * shown) / typos.length, '%');
      report(`${name}_ambiguous`, (100 * ambiguous) / typos.length, '%');
      report(`${name}_recall10_unambiguous`, (100 * foundClear) / Math.max(1, typos.length - ambiguous), '%');
      report(`${name}_p50`, percentile(times, 50), 'ms');
      report(`${name}_p95`, percentile(times, 95), 'ms');
      report(`${name}_typos`, typos.length);
      report(`${name}_found_literally`, made.literals);

      // The others, on typos of values within the cut.
      const cutIds = cut === pool ? ids : ids.slice(0, cut.length);
      const byId = new Map(cutIds.map((id, i) => [id, i]));
      const lowered = cut.map((v) => v.toLowerCase());
      const sorted = Uint32Array.from(lowered.keys()).sort((a, b) =>
        lowered[a] < lowered[b] ? -1 : lowered[a] > lowered[b] ? 1 : 0,
      );
      const matcher = new FuzzyMatcher(cut, lowered, () => sorted);
      // Fuse.js takes seconds a term over 100,000 values: fewer typos there.
      const fuseSample = cut.length > 20_000 ? FUSE_SAMPLE / 2 : FUSE_SAMPLE;
      for (const [engine, sample] of [
        ['fuse', fuseSample],
        ['ufuzzy', UFUZZY_SAMPLE],
      ] as const) {
        const some = typos.filter((x) => byId.has(x.target)).slice(0, sample);
        if (some.length === 0) continue;
        matcher.search(some[0].term, { engine }); // Fuse.js builds its index once, outside the timing
        const ts: number[] = [];
        let ok = 0;
        for (const x of some) {
          const s = performance.now();
          const hits = [...matcher.search(x.term, { engine }).keys()].slice(0, 10);
          ts.push(performance.now() - s);
          if (hits.includes(byId.get(x.target)!)) ok++;
        }
        const label = cut.length < pool.length ? `${engine}_first100k` : engine;
        report(`fuzzy_${label}_${field}_${edits}edit_recall10`, (100 * ok) / some.length, '%');
        report(`fuzzy_${label}_${field}_${edits}edit_p50`, percentile(ts, 50), 'ms');
        report(`fuzzy_${label}_${field}_${edits}edit_typos`, some.length);
      }
    }
  }

  // What the other methods would hold for the resource vocabulary (why the walk won: README "Typos").
  const res = inv.store.dictionary('resources').values;
  let deletes = 0;
  let trigrams = 0;
  for (const v of res) {
    const n = v.length;
    deletes += 1 + n + (n * (n - 1)) / 2;
    trigrams += Math.max(0, n - 2);
  }
  report('fuzzy_alt_symspell_entries_resources', deletes / 1e6, 'M');
  report('fuzzy_alt_trigram_postings_resources', trigrams / 1e6, 'M');
}
