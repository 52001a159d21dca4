/**
 * Sigma correlation rules (SigmaHQ sigma-specification, "Sigma Correlation Rules Specification"
 * 2.0): a multi-document YAML file whose correlation document (`correlation: {type, rules,
 * group-by, timespan, condition}`) refers to the file's other documents, plain Sigma rules, by
 * `name` or `id`. The file becomes one detection rule with a `correlation` (ruleKinds.ts).
 * What is not read, with why: references to rules in other files (a file here is read alone),
 * chained correlations, `aliases`, `generate: true`, upper-bound conditions.
 */
import { parseAllDocuments } from 'yaml';
import { LEVELS, parseSigmaRule, sigmaHeader, type SigmaRule } from './sigma';
import { SigmaError } from './sigmaCondition';
import { queryName } from './sigmaValues';
import {
  CORRELATION_TYPES,
  type Correlation,
  type CorrelationType,
  isKeyName,
  MAX_GROUP_BY,
  MAX_STEPS,
  MAX_WINDOW_DAYS,
  readCondition,
} from './ruleKinds';
import type { DetectionRule } from './rules';

const MAX_DOCUMENTS = 16;
const UNITS: Readonly<Record<string, number>> = { s: 1 / 60, m: 1, h: 60, d: 1440 };

/** Whether a Sigma file holds a correlation document (a top-level `correlation:` key). */
export function isSigmaCorrelation(text: string): boolean {
  return /^correlation\s*:/m.test(text);
}

type Data = Record<string, unknown>;
const isObj = (v: unknown): v is Data => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
const strings = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.filter((x): x is string => typeof x === 'string').map((s) => s.trim())
    : typeof v === 'string'
      ? [v.trim()]
      : [];

/** A Sigma timespan (`90m`, `1h`, `7d`, `30s`: number and lower-case unit) in minutes. */
export function parseTimespan(v: unknown): number | string {
  const m = typeof v === 'string' ? /^(\d{1,7})([smhd])$/.exec(v.trim()) : null;
  if (!m) return `"${String(v).slice(0, 30)}" is not a timespan: a number and s, m, h or d (90m, 1h, 7d)`;
  const minutes = Number(m[1]) * UNITS[m[2]];
  if (minutes <= 0) return 'a timespan of zero holds no events';
  if (minutes > MAX_WINDOW_DAYS * 1440)
    return `${m.input} is more than ${MAX_WINDOW_DAYS} days (a longer window is usually a unit mix-up, and keeps every group alive)`;
  return minutes;
}

/**
 * Parses a multi-document Sigma file with one correlation: the rule (id from the file name), or
 * every problem found, each naming the document or key. `queryProblems` checks compiled queries
 * as rules.ts checks every rule's.
 */
export function parseSigmaCorrelation(
  text: string,
  source: string,
  origin: DetectionRule['origin'],
  queryProblems: (q: string) => string[],
): { rule?: DetectionRule; problems: string[] } {
  const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: false, strict: true });
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.length > MAX_DOCUMENTS)
    return {
      problems: [`The file holds ${list.length} YAML documents; a correlation file holds at most ${MAX_DOCUMENTS}.`],
    };
  const data: Data[] = [];
  for (const [i, d] of list.entries()) {
    if (d.errors.length > 0)
      return {
        problems: d.errors.slice(0, 3).map((e) => `Document ${i + 1}: not valid YAML: ${e.message.split('\n')[0]}`),
      };
    let v: unknown;
    try {
      // No aliases at all: expanding them is how a YAML bomb works.
      v = d.toJS({ maxAliasCount: 0 });
    } catch (e) {
      return {
        problems: [`Document ${i + 1}: ${(e as Error).message.split('\n')[0]} (YAML aliases are not read in rules).`],
      };
    }
    if (!isObj(v)) return { problems: [`Document ${i + 1} is not a YAML map.`] };
    data.push(v);
  }
  const corrs = data.filter((d) => d.correlation !== undefined);
  if (corrs.length !== 1)
    return {
      problems: [
        `The file holds ${corrs.length} correlation documents: chained correlations are not read yet; one correlation a file, over plain Sigma rules.`,
      ],
    };
  const top = corrs[0];
  const problems: string[] = [];
  const base = new Map<string, SigmaRule>();
  for (const [i, d] of data.entries()) {
    if (d === top) continue;
    const names = [str(d.name), str(d.id)].filter((n): n is string => n !== undefined);
    if (names.length === 0)
      problems.push(
        `Document ${i + 1} ("${str(d.title) ?? 'untitled'}") has neither name nor id, so no correlation can refer to it.`,
      );
    const r = parseSigmaRule(String(list[i]), source);
    if (!r.rule) {
      problems.push(...r.problems.map((p) => `Document ${i + 1} (${names[0] ?? 'untitled'}): ${p}`));
      continue;
    }
    if (r.rule.compare)
      problems.push(
        `Document ${i + 1} (${names[0]}): a fieldref inside a correlated rule is not read (it applies rule-wide, not per step).`,
      );
    for (const n of names) base.set(n.toLowerCase(), r.rule);
  }
  const c = isObj(top.correlation) ? top.correlation : undefined;
  if (!c) return { problems: [...problems, 'correlation is a map: {type, rules, group-by, timespan, condition}.'] };
  const correlation = readCorrelation(c, base, problems);
  const title = str(top.title);
  if (!title) problems.push('The correlation document needs a "title".');
  const level = str(top.level)?.toLowerCase();
  if (level !== undefined && !(level in LEVELS))
    problems.push(`"level" must be one of ${Object.keys(LEVELS).join(', ')}.`);
  if (problems.length > 0 || !correlation) return { problems };
  const steps = correlation.rules.map((n) => base.get(n.toLowerCase())!);
  const query = [...new Set(steps.flatMap((s) => s.query))];
  const checks = query.flatMap(queryProblems);
  if (checks.length > 0) return { problems: checks };
  const rule = ruleOf(top, source, origin, title!, level, query, correlation.c, steps);
  return { rule, problems: [] };
}

function readCorrelation(
  c: Data,
  base: ReadonlyMap<string, SigmaRule>,
  problems: string[],
): { c: Correlation; rules: string[] } | undefined {
  const before = problems.length;
  const known = new Set(['type', 'rules', 'group-by', 'timespan', 'condition', 'aliases', 'generate']);
  for (const k of Object.keys(c))
    if (!known.has(k)) problems.push(`correlation: unknown key "${k.slice(0, 40)}" (${[...known].join(', ')}).`);
  const type = c.type;
  if (typeof type !== 'string' || !(CORRELATION_TYPES as readonly string[]).includes(type)) {
    problems.push(
      `correlation.type "${String(type).slice(0, 40)}" is unknown: one of ${CORRELATION_TYPES.join(', ')}.`,
    );
    return undefined;
  }
  const t = type as CorrelationType;
  if (c.aliases !== undefined)
    problems.push(
      'correlation.aliases: field name aliases are not read yet; CloudTrail rules share field names, so group by those.',
    );
  if (c.generate === true)
    problems.push(
      'correlation.generate: true is not read: a file gives one rule here; put a rule meant to fire alone in a file of its own.',
    );
  const rules = strings(c.rules);
  if (rules.length === 0) problems.push('correlation.rules lists the rules correlated, by name or id.');
  const temporal = t === 'temporal' || t === 'temporal_ordered';
  if (temporal && (rules.length < 2 || rules.length > MAX_STEPS))
    problems.push(`correlation.rules: a ${t} correlation needs 2 to ${MAX_STEPS} rules.`);
  for (const r of rules) {
    if (!base.has(r.toLowerCase()))
      problems.push(
        `correlation.rules: "${r.slice(0, 80)}" is not the name or id of a rule in this file (rules in other files are not read: each file is read alone).`,
      );
  }
  const groupBy = strings(c['group-by']);
  if (groupBy.length > MAX_GROUP_BY)
    problems.push(`correlation.group-by names ${groupBy.length} fields; at most ${MAX_GROUP_BY}.`);
  const names = groupBy.slice(0, MAX_GROUP_BY + 1).map((g) => fieldOf(g, 'correlation.group-by', problems));
  const minutes = parseTimespan(c.timespan);
  if (typeof minutes === 'string') problems.push(`correlation.timespan: ${minutes}.`);
  let cond =
    isObj(c.condition) && typeof c.condition.field === 'string'
      ? { ...c.condition, field: fieldOf(c.condition.field, 'correlation.condition.field', problems) }
      : c.condition;
  if (cond === undefined && !temporal) cond = {};
  const condition = readCondition(cond, t, rules.length, 'correlation.condition', problems);
  if (problems.length > before || !condition || typeof minutes !== 'number') return undefined;
  const out: Correlation = { type: t, groupBy: names, withinMinutes: minutes, min: condition.min };
  if (temporal) out.steps = rules.map((r) => base.get(r.toLowerCase())!.query);
  if (condition.field) out.field = condition.field;
  return { c: out, rules };
}

/** A Sigma field name as a search-language value name, or a problem. */
function fieldOf(field: string, where: string, problems: string[]): string {
  try {
    const name = queryName(field, where);
    if (isKeyName(name) && !name.startsWith('json.')) return name;
    problems.push(
      `${where}: "${field}" holds many values or an object; group by a single value (userIdentity.arn, sourceIPAddress, requestParameters.x).`,
    );
  } catch (e) {
    if (!(e instanceof SigmaError)) throw e;
    problems.push(`${e.where}: ${e.message}.`);
  }
  return field;
}

function ruleOf(
  top: Data,
  source: string,
  origin: DetectionRule['origin'],
  title: string,
  level: string | undefined,
  query: string[],
  correlation: Correlation,
  steps: SigmaRule[],
): DetectionRule {
  const tags = [...new Set([...strings(top.tags), ...steps.flatMap((s) => s.tags ?? [])].map((t) => t.toLowerCase()))];
  return { ...sigmaHeader(top, source, title, level, tags), query, correlation, origin, file: source };
}
