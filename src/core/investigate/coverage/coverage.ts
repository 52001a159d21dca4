/**
 * The coverage matrix (README "Detections", coverage): ATT&CK cloud tactics × techniques, each
 * cell holding the rules that name the technique and, for the open investigation, how many events
 * each flagged. A rule naming a sub-technique not in the table lands on its parent; an id the
 * table does not know at all lands in `other`, by id alone.
 */
import type { CoverageCell, CoverageMatrix, CoverageRule } from '../../../protocol/coverage';
import type { DetectionRule } from '../detections/rules';
import { ATTACK_ATTRIBUTION, TACTICS, TECHNIQUE_BY_ID } from './attackCloud';

export type { CoverageCell, CoverageMatrix, CoverageRule };

/** Builds the matrix for `rules`; `counts` (rule id → events flagged) when detections have run. */
export function coverageMatrix(rules: readonly DetectionRule[], counts?: ReadonlyMap<string, number>): CoverageMatrix {
  const cells = new Map<string, CoverageCell>();
  const other = new Map<string, CoverageCell>();
  const unmapped: CoverageRule[] = [];
  for (const r of rules) {
    const entry: CoverageRule = { id: r.id, title: r.title, severity: r.severity };
    if (counts) entry.count = counts.get(r.id) ?? 0;
    if (r.mitre.length === 0) unmapped.push(entry);
    const placed = new Set<string>();
    for (const id of r.mitre) {
      const known = TECHNIQUE_BY_ID.get(id) ?? TECHNIQUE_BY_ID.get(id.split('.')[0]);
      const key = known?.id ?? id;
      if (placed.has(key)) continue;
      placed.add(key);
      const into = known ? cells : other;
      let c = into.get(key);
      if (!c) into.set(key, (c = { technique: key, name: known?.name ?? '', rules: [] }));
      c.rules.push(entry);
    }
  }
  const tactics = TACTICS.map((t) => ({
    ...t,
    cells: [...TECHNIQUE_BY_ID.values()]
      .filter((tech) => tech.tactics.includes(t.id))
      .map((tech) => cells.get(tech.id) ?? { technique: tech.id, name: tech.name, rules: [] }),
  }));
  return {
    tactics,
    other: [...other.values()].sort((a, b) => a.technique.localeCompare(b.technique)),
    attribution: ATTACK_ATTRIBUTION,
    unmapped,
  };
}

/** The search that shows the events of a cell's rules that fired: `detection:a,b`. */
export function cellQuery(cell: CoverageCell): string | undefined {
  const fired = cell.rules.filter((r) => (r.count ?? 0) > 0).map((r) => r.id);
  return fired.length > 0 ? `detection:${fired.join(',')}` : undefined;
}
