/**
 * What the log view's panel shows of a rule and its outcome: the counts, and the rule's details
 * (queries, conditions, and the Sigma metadata where the rule came from a Sigma file) so that a
 * rule can be read and judged without opening its file.
 */
import type { DetectionSummary } from '../../../protocol/logViewer';
import type { DetectionRule } from './rules';
import { kindConditions } from './ruleKinds';

/** The rule's requirements beyond its queries, as sentences (a burst threshold, a comparison). */
export function ruleConditions(rule: DetectionRule): string[] {
  const out: string[] = [];
  const c = rule.compare;
  if (c && 'differs' in c) out.push(`${c.differs[0]} differs from ${c.differs[1]} (ignoring case)`);
  if (c && 'notContains' in c) out.push(`${c.notContains[0]} contains none of ${c.notContains[1]}`);
  if (c && 'equals' in c)
    out.push(`${c.equals[0]} ${c.negate ? 'differs from' : 'equals'} ${c.equals[1]} (ignoring case)`);
  const t = rule.threshold;
  if (t)
    out.push(`at least ${t.count} matching events within ${t.withinMinutes} minutes${t.by ? `, per ${t.by}` : ''}`);
  out.push(...kindConditions(rule));
  return out;
}

/**
 * Where the panel says a rule comes from: our library, a rule file, or a pack — the pack's name,
 * licence and version with the rule's file, so a pack's rule is never taken for one of ours.
 */
export function ruleSource(rule: DetectionRule): string {
  const p = rule.pack;
  if (p)
    return `${p.name} pack${p.version ? ` ${p.version.slice(0, 12)}` : ''}${p.from === 'imported' ? ' (imported)' : ''}, ${p.license}: ${rule.file}`;
  return rule.origin === 'built-in' ? 'built-in' : rule.file;
}

/** The panel's summary of one rule that matched `count` events. */
export function detectionSummary(rule: DetectionRule, count: number): DetectionSummary {
  return {
    id: rule.id,
    title: rule.title,
    severity: rule.severity,
    description: rule.description,
    count,
    tactic: rule.tactic,
    source: ruleSource(rule),
    pack: rule.pack?.name,
    format: rule.format ?? 'json',
    mitre: rule.mitre,
    references: rule.references,
    queries: rule.query,
    conditions: ruleConditions(rule),
    author: rule.author,
    falsePositives: rule.falsePositives,
    level: rule.level,
    status: rule.status,
    sigmaId: rule.sigmaId,
  };
}
