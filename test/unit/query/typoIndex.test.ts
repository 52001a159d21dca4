/**
 * The typo index (issue #22): full recall on generated typos of each edit kind, checked against a
 * brute-force edit distance over every value, on vocabularies shaped like the ones that failed
 * (IPs, user names, role sessions, ARNs sharing long starts, access key ids), plus bad input.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_TYPO_TERM, TypoIndex, typoBudget } from '../../../src/core/query/typoIndex';
import { EDIT_KINDS as EDITS, osaDistance as osa, typo as edit } from '../../builders/typos';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

const ALPHA = 'abcdefghijklmnopqrstuvwxyz0123456789';

function vocabulary(n: number, next: () => number): string[] {
  const out = new Set<string>();
  const names = ['alice', 'bob', 'carol', 'deploy-bot', 'ci-runner', 'breakglass', 'j.smith', 'svc_backup'];
  while (out.size < n) {
    const r = next();
    const num = Math.floor(next() * 100000);
    if (r < 0.2)
      out.add(
        `${Math.floor(next() * 256)}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}`,
      );
    else if (r < 0.4)
      out.add(
        `AKIA${Array.from({ length: 16 }, () => ALPHA[Math.floor(next() * 36)])
          .join('')
          .toUpperCase()}`,
      );
    else if (r < 0.6) out.add(`arn:aws:iam::${100000000000 + (num % 40)}:role/${names[num % 8]}-role-${num}`);
    else if (r < 0.8) out.add(`arn:aws:sts::111111111111:assumed-role/Admin/${names[num % 8]}-${num}`);
    else out.add(`${names[num % 8]}${num}`);
  }
  return [...out];
}

/** The index over `values`; `staged` gives it a substring search, as the vocabulary does (two-edit terms then take the staged walks). */
function index(values: string[], staged = true): TypoIndex {
  const lowered = values.map((v) => v.toLowerCase());
  const sorted = Uint32Array.from(lowered.keys()).sort((a, b) =>
    lowered[a] < lowered[b] ? -1 : lowered[a] > lowered[b] ? 1 : a - b,
  );
  const containing = (lower: string): number[] => lowered.flatMap((v, id) => (v.includes(lower) ? [id] : []));
  return new TypoIndex(lowered, () => sorted, staged ? containing : undefined);
}

describe('typo index', () => {
  const next = rng(22);
  const values = vocabulary(4000, next);
  const idx = index(values);

  for (const kind of EDITS) {
    test(`one ${kind} anywhere: the value is always found, at its distance`, () => {
      let tried = 0;
      for (let n = 0; n < 300; n++) {
        const id = Math.floor(next() * values.length);
        const typo = edit(values[id], kind, next);
        if (typo.length < 3) continue;
        tried++;
        const hits = idx.search(typo, { limit: 5000, stagedFrom: 0, split: true });
        const hit = hits.find((h) => h.id === id);
        assert.ok(hit, `${JSON.stringify(typo)} (a ${kind} of ${values[id]}) finds it`);
        assert.equal(hit.distance, osa(typo.toLowerCase(), values[id].toLowerCase()));
        assert.equal(hit.kind, 'whole');
      }
      assert.ok(tried > 250);
    });
  }

  test('two edits of any kinds, for terms of 8 characters or more', () => {
    for (let n = 0; n < 300; n++) {
      const id = Math.floor(next() * values.length);
      const typo = edit(edit(values[id], EDITS[n % 4], next), EDITS[Math.floor(n / 4) % 4], next);
      // Two edits can overlap (a swap across a deleted letter): three by this distance, which
      // treats a swapped pair as untouched afterwards (README "Typos"); those are not promised.
      if (typo.length < 8 || osa(typo.toLowerCase(), values[id].toLowerCase()) > 2) continue;
      const hits = idx.search(typo, { limit: 5000, stagedFrom: 0, split: true });
      assert.ok(
        hits.some((h) => h.id === id),
        `${JSON.stringify(typo)} finds ${values[id]}`,
      );
    }
  });

  test('exactly the values within the budget, as a scan of every value finds them (staged walks and not)', () => {
    const unstaged = index(values, false);
    for (let n = 0; n < 24; n++) {
      const id = Math.floor(next() * values.length);
      const once = edit(values[id], EDITS[n % 4], next);
      // Half of them two edits, so the staged walks' two-edit cases are held to the scan too.
      const typo = (n % 2 ? edit(once, EDITS[(n >> 1) % 4], next) : once).toLowerCase();
      const k = typoBudget(typo.length);
      const expected = values.filter((v) => osa(typo, v.toLowerCase()) <= k).sort();
      for (const which of [idx, unstaged]) {
        const got = which
          .search(typo, { limit: 100000, stagedFrom: 0, split: true })
          .filter((h) => h.kind === 'whole')
          .map((h) => values[h.id])
          .sort();
        assert.deepEqual(got, expected, typo);
      }
    }
  });

  test('ranked by distance, then by how often the value occurs', () => {
    const vals = ['deploy-role', 'deploy-rol', 'deploy-roles', 'deplyo-role', 'unrelated'];
    const lowered = vals.map((v) => v.toLowerCase());
    const sorted = Uint32Array.from(lowered.keys()).sort((a, b) => (lowered[a] < lowered[b] ? -1 : 1));
    const counts = [5, 1, 100, 50, 1];
    const hits = new TypoIndex(lowered, () => sorted).search('deploy-rloe', { limit: 10, counts: (id) => counts[id] });
    // 'deploy-role' is one swap away; the others two edits (the longer ones by their start too).
    assert.equal(vals[hits[0].id], 'deploy-role');
    assert.equal(hits[0].distance, 1);
    assert.deepEqual(
      hits.slice(1).map((h) => h.distance),
      hits
        .slice(1)
        .map((h) => h.distance)
        .sort(),
    );
    const twos = hits.filter((h) => h.distance === 2).map((h) => counts[h.id]);
    assert.deepEqual(
      twos,
      [...twos].sort((a, b) => b - a),
      'more events first at the same distance',
    );
    assert.ok(!hits.some((h) => vals[h.id] === 'unrelated'));
  });

  test('a partial ARN with a typo anywhere, even in its shared start, is found by its start', () => {
    const arn = values.find((v) => v.startsWith('arn:aws:iam::'))!;
    const partial = arn.slice(0, 30);
    for (const typo of [
      partial.replace('arn:aws:iam', 'arn:asw:iam'),
      partial.replace('iam::', 'iam:'),
      partial.slice(0, 20) + 'x' + partial.slice(20),
    ]) {
      const hit = idx
        .search(typo, { limit: 200000, stagedFrom: 0, split: true })
        .find((h) => h.id === values.indexOf(arn));
      assert.ok(hit, typo);
      assert.equal(hit.kind, 'prefix');
      assert.equal(hit.start, 0);
    }
  });

  test('a mistyped role session finds the session ARN by its tail, with where it matched', () => {
    const arn = values.find((v) => v.includes('assumed-role/Admin/'))!;
    const session = arn.slice(arn.lastIndexOf('/') + 1);
    const typo = edit(session, 'swap', next);
    const hit = idx.search(typo, { limit: 50 }).find((h) => h.id === values.indexOf(arn));
    assert.ok(hit, `${typo} finds ${arn}`);
    assert.equal(hit.kind, 'tail');
    assert.equal(arn.toLowerCase().slice(hit.start, hit.end), session.toLowerCase());
  });

  test('bad input stays bounded: long, punctuation, non-ASCII and combining terms; near-identical values', () => {
    const started = performance.now();
    assert.deepEqual(idx.search('x'.repeat(10_000), { limit: 50 }), []);
    assert.deepEqual(idx.search('a'.repeat(MAX_TYPO_TERM + 1), { limit: 50 }), []);
    idx.search('*****', { limit: 50 });
    idx.search(':/:/:/:/', { limit: 50 });
    idx.search('ａｌｉｃｅ', { limit: 50 });
    idx.search('alic\u0301e', { limit: 50 });
    assert.ok(performance.now() - started < 500);
    // A million values within an edit or two of each other: the walk stops at its step budget.
    const same = Array.from(
      { length: 200_000 },
      (_, i) => `aaaaaaaa${(i % 26).toString(36)}${String.fromCharCode(97 + ((i / 26) % 26))}${i}`,
    );
    const near = index(same);
    const t = performance.now();
    const hits = near.search('aaaaaaaaab', { limit: 50 });
    assert.ok(performance.now() - t < 2000, 'bounded');
    assert.ok(hits.length > 0);
  });
});
