/**
 * The coverage matrix (coverage.ts over attackCloud.ts): every built-in rule lands on the
 * techniques it names, sub-techniques the table lacks on their parent, unknown ids apart by id
 * alone, and the open investigation's counts say which fired.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cellQuery, coverageMatrix } from '../../../src/core/investigate/coverage/coverage';
import { TACTICS, TECHNIQUE_BY_ID } from '../../../src/core/investigate/coverage/attackCloud';
import { loadRules, parseRule, type DetectionRule } from '../../../src/core/investigate/detections/rules';
import { repoRoot } from '../../support/repoRoot';

const dir = join(repoRoot(), 'detections');
const library = loadRules(
  readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') })),
);
const rule = (id: string, mitre: string[]): DetectionRule =>
  parseRule(JSON.stringify({ id, title: id, severity: 'high', query: 'eventName:X', mitre }), `${id}.json`).rule!;

describe('coverage matrix', () => {
  test('the ATT&CK table: every technique sits under known tactics, with a name', () => {
    const tactics = new Set(TACTICS.map((t) => t.id));
    for (const t of TECHNIQUE_BY_ID.values()) {
      assert.ok(t.name.length > 0 && t.tactics.every((x) => tactics.has(x)), t.id);
      if (t.id.includes('.'))
        assert.ok(
          TECHNIQUE_BY_ID.has(t.id.split('.')[0]) ||
            ['T1204', 'T1606', 'T1087', 'T1069', 'T1074'].includes(t.id.split('.')[0]),
          `${t.id}'s parent`,
        );
    }
  });

  test('cells: exact technique, parent for an unknown sub-technique, unknown ids apart, counts', () => {
    const rules = [
      rule('a', ['T1562.008']),
      rule('b', ['T1098.999']),
      rule('c', ['T9999']),
      rule('d', []),
      rule('e', ['T1078.004', 'T1078.004']),
    ];
    const m = coverageMatrix(rules, new Map([['a', 3]]));
    const cell = (tactic: string, tech: string) =>
      m.tactics.find((t) => t.id === tactic)!.cells.find((c) => c.technique === tech)!;
    assert.deepEqual(cell('defense-evasion', 'T1562.008').rules, [{ id: 'a', title: 'a', severity: 'high', count: 3 }]);
    assert.deepEqual(
      cell('persistence', 'T1098').rules.map((r) => r.id),
      ['b'],
    );
    assert.deepEqual(
      cell('privilege-escalation', 'T1098').rules.map((r) => r.id),
      ['b'],
      'a technique under two tactics shows in both',
    );
    assert.deepEqual(m.other, [
      { technique: 'T9999', name: '', rules: [{ id: 'c', title: 'c', severity: 'high', count: 0 }] },
    ]);
    assert.deepEqual(
      m.unmapped.map((r) => r.id),
      ['d'],
    );
    assert.equal(cell('initial-access', 'T1078.004').rules.length, 1, 'named twice, listed once');
    assert.equal(cellQuery(cell('defense-evasion', 'T1562.008')), 'detection:a');
    assert.equal(cellQuery(cell('initial-access', 'T1078.004')), undefined, 'nothing fired: nothing to show');
    assert.equal(
      coverageMatrix(rules).tactics[4].cells.find((c) => c.technique === 'T1562.008')!.rules[0].count,
      undefined,
      'before detections ran',
    );
    assert.match(m.attribution, /MITRE/);
  });

  test('every built-in rule names a technique the table knows (no id left as "other")', () => {
    assert.deepEqual(library.problems, []);
    const m = coverageMatrix(library.rules);
    assert.deepEqual(
      m.other.map((c) => c.technique),
      [],
    );
    // CIS monitoring controls for unauthorized calls and network changes name no ATT&CK technique.
    assert.deepEqual(
      m.unmapped.map((r) => r.id),
      ['cis-4.1', 'cis-4.8', 'cis-4.12', 'cis-4.13', 'cis-4.14'],
    );
    const covered = new Set(
      m.tactics.flatMap((t) => t.cells.filter((c) => c.rules.length > 0).map((c) => c.technique)),
    );
    assert.ok(covered.size >= 30, `${covered.size} techniques covered`);
  });
});

describe('coverage view messages', () => {
  test('only ready, and show with rule ids of the rule id form', async () => {
    const { parseCoverageViewMessage: p } = await import('../../../src/core/ui/coverageViewMessages');
    assert.deepEqual(p({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(p({ type: 'show', rules: ['a', 'cis-4.5'] }), { type: 'show', rules: ['a', 'cis-4.5'] });
    for (const bad of [
      null,
      'ready',
      { type: 'show' },
      { type: 'show', rules: [] },
      { type: 'show', rules: ['a b'] },
      { type: 'show', rules: ['x,y'] },
      { type: 'show', rules: ['*'] },
      { type: 'show', rules: [1] },
      { type: 'export' },
    ]) {
      assert.equal(p(bad), undefined, JSON.stringify(bad));
    }
  });
});
