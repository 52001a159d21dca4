import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rankRows } from '../../../src/core/query/rank';
import { globMatch } from '../../../src/core/query/glob';
import { FieldVocabulary } from '../../../src/core/query/vocabulary';
import { rng } from '../../../bench/corpus';

const ALPHABET = [
  'a',
  'b',
  'B',
  'c',
  '1',
  '/',
  ':',
  '-',
  '\n',
  'İ',
  'é',
  'x',
  'Stop',
  'Logging',
  'arn:aws:iam::',
  'role/',
  '😀',
];

function randomValues(seed: number, n: number): string[] {
  const next = rng(seed);
  return Array.from({ length: n }, () => {
    const len = Math.floor(next() * 8);
    let v = '';
    for (let i = 0; i < len; i++) v += ALPHABET[Math.floor(next() * ALPHABET.length)];
    return v;
  });
}

/** Matching by testing every value, as the store did before blocks and filters. */
const brute = {
  containing: (values: string[], text: string) =>
    values.flatMap((v, id) => (v.toLowerCase().includes(text.toLowerCase()) ? [id] : [])),
  literal: (values: string[], text: string) =>
    values.flatMap((v, id) => (v && v.toLowerCase().includes(text.toLowerCase()) ? [id] : [])),
  equal: (values: string[], text: string) =>
    values.flatMap((v, id) => (v.length === text.length && v.toLowerCase() === text.toLowerCase() ? [id] : [])),
  glob: (values: string[], parts: string[]) =>
    values.flatMap((v, id) => (v && globMatch(parts, v.toLowerCase()) ? [id] : [])),
};

describe('field vocabulary (blocks with trigram filters)', () => {
  test('finds exactly what testing every value finds, across blocks, growth, case and separators', () => {
    for (const seed of [1, 7, 99]) {
      const values: string[] = [];
      const vocab = new FieldVocabulary(values);
      const next = rng(seed + 1000);
      const all = randomValues(seed, 3000);
      // Values arrive in uneven steps, as files load, and queries run between them.
      for (let at = 0; at < all.length; ) {
        const step = 1 + Math.floor(next() * 400);
        values.push(...all.slice(at, at + step));
        at += step;
        for (let q = 0; q < 6; q++) {
          const pick = values[Math.floor(next() * values.length)];
          const from = Math.floor(next() * pick.length);
          const term = pick.slice(from, from + 1 + Math.floor(next() * 6)) || 'stop';
          const sorted = (m: Map<number, unknown>) => [...m.keys()].sort((a, b) => a - b);
          assert.deepEqual(sorted(vocab.literal(term)), brute.literal(values, term), `literal ${JSON.stringify(term)}`);
          assert.deepEqual(
            sorted(vocab.containing(term)),
            brute.containing(values, term),
            `containing ${JSON.stringify(term)}`,
          );
          const eq = new Map();
          vocab.equalIgnoringCase(pick, eq);
          assert.deepEqual(sorted(eq), brute.equal(values, pick), `equal ${JSON.stringify(pick)}`);
          const parts = `${term.slice(0, 2)}*${term.slice(3)}`.toLowerCase().split('*');
          const g = new Map();
          vocab.glob(parts, g);
          assert.deepEqual(sorted(g), brute.glob(values, parts), `glob ${JSON.stringify(parts)}`);
        }
      }
    }
  });

  test('literal scores and highlight ranges are those of the first occurrence', () => {
    const vocab = new FieldVocabulary(['StopLogging', 'stoplogging-stop', 'DeleteTrail', 'x-stop', 'STOP']);
    const m = vocab.literal('stop');
    assert.deepEqual(
      [...m.entries()].map(([id, v]) => [id, v.score, v.ranges]),
      [
        [0, 0.1, [[0, 4]]],
        [1, 0.1, [[0, 4]]],
        [3, 0.2, [[2, 6]]],
        [4, 0, [[0, 4]]],
      ],
    );
    assert.deepEqual(
      [...vocab.literal('logging').values()].map((v) => v.score),
      [0.2, 0.3],
      'camelCase word start outranks a plain substring',
    );
    assert.equal(vocab.containing('').size, 5, 'the empty text is in every value');
  });

  test('a term longer than every value, or made of rare trigrams, skips every block', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => `arn:aws:s3:::bucket-${i}`);
    const vocab = new FieldVocabulary(values);
    assert.equal(vocab.literal('zqzqzq').size, 0);
    assert.deepEqual([...vocab.literal('bucket-9999').keys()], [9999]);
    assert.equal(vocab.literal('BUCKET-99').size, 111);
  });
});

describe('ranking', () => {
  test('rankRows orders as the stable comparison sort did, for every sort order', () => {
    const next = rng(5);
    const n = 5000;
    const scores = Float32Array.from({ length: n }, () => (next() < 0.3 ? Infinity : Math.floor(next() * 12) / 10));
    const byTime = Uint32Array.from([...Array(n).keys()].sort(() => next() - 0.5));
    for (const terms of [1, 3]) {
      const kept = Array.from(byTime).filter((r) => scores[r] !== Infinity);
      const band = (r: number) => Math.round((scores[r] / terms) * 20);
      assert.deepEqual(
        Array.from(rankRows(scores, byTime, terms, 'relevance')),
        [...kept].sort((a, b) => band(a) - band(b)),
      );
      assert.deepEqual(Array.from(rankRows(scores, byTime, terms, 'newest')), kept);
      assert.deepEqual(Array.from(rankRows(scores, byTime, terms, 'oldest')), [...kept].reverse());
    }
  });
});

describe('fuzzy matching (typos)', () => {
  test('small and large vocabularies alike find a one-letter typo, with its distance and where it matched', async () => {
    const { FUZZY, FUSE_UP_TO } = await import('../../../src/core/query/fuzzy');
    const small = ['DescribeInstances', 'StopLogging', 'DeleteTrail'];
    const large = [...small, ...Array.from({ length: FUSE_UP_TO * 3 }, (_, i) => `10.${i % 250}.${i % 7}.${i}`)];
    for (const values of [small, large]) {
      const v = new FieldVocabulary(values);
      const hit = v.fuzzy('StopLoging').get(1);
      assert.ok(hit, `found among ${values.length}`);
      assert.equal(hit.distance, 1);
      assert.ok(hit.score >= FUZZY && hit.score <= 1, 'a fuzzy match ranks below every literal one');
      assert.deepEqual(hit.ranges, [[0, 'StopLogging'.length]]);
      assert.equal(v.fuzzy('zzzzqqq').size, 0);
    }
  });

  test('Fuse.js adds looser guesses on small vocabularies, behind every match within the budget', async () => {
    const { FUZZY } = await import('../../../src/core/query/fuzzy');
    const v = new FieldVocabulary(['DescribeInstances', 'DescribeInstanceStatus', 'StopLogging']);
    const m = v.fuzzy('Instnces');
    const piece = m.get(0);
    assert.ok(piece && piece.distance === undefined, 'a piece inside a word comes from Fuse.js');
    assert.ok(piece.score >= FUZZY);
    const typo = v.fuzzy('DescribeInstnces');
    assert.equal(typo.get(0)?.distance, 1);
    assert.ok(typo.get(0)!.score < (typo.get(1)?.score ?? 1), 'the whole value before the one it starts');
  });
});
