/**
 * A rule as an EventBridge event pattern over CloudTrail's events ("AWS API Call via CloudTrail"
 * and the other CloudTrail detail types; the record is `detail`). Patterns compare leaves: lists in
 * the event are crossed (any element), objects are not values. Exact values use
 * `equals-ignore-case` (as the rule ignores case), `x*` / `*x` become prefix / suffix ignoring
 * case, other globs `wildcard` (case-sensitive), IP ranges `cidr`, exclusions `anything-but` or
 * `exists: false`. The queries of a rule, and the alternatives inside them, become one `$or`.
 */
import {
  arraysAlong,
  booleanValue,
  flip,
  hasNegated,
  isAnyValue,
  isPath,
  numericValue,
  refOf,
  shapeAt,
  type Difference,
  type Direction,
  type Expr,
  type Location,
  type QueryForm,
  type ValueTest,
} from './model';

/** The detail types CloudTrail's events carry on EventBridge. */
export const CLOUDTRAIL_DETAIL_TYPES = [
  'AWS API Call via CloudTrail',
  'AWS Console Sign In via CloudTrail',
  'AWS Service Event via CloudTrail',
  'AWS Console Action via CloudTrail',
  'AWS Insight via CloudTrail',
] as const;

/** More alternatives than this make a pattern no one can review (and EventBridge refuses large ones). */
const MAX_ALTERNATIVES = 64;

/** One leaf constraint: a location and its matchers (ORed). */
interface Atom {
  loc: Location;
  matchers: unknown[];
}
/** Alternatives (OR) of conjunctions (AND) of atoms. */
type Dnf = Atom[][];

export interface EventPattern {
  pattern: Record<string, unknown>;
  differences: Difference[];
}

/** Compiles the queries of a rule (their common form) into one event pattern. */
export function eventPattern(queries: readonly QueryForm[]): EventPattern {
  const differences: Difference[] = [];
  const conjunctions: Atom[][] = [];
  let caseDirs: Direction[] = [];
  for (const q of queries) {
    differences.push(...q.differences);
    if (q.expr.op !== 'and') throw new Error('a query is a conjunction');
    let dnf: Dnf = [[]];
    const used: Location[] = [];
    for (const item of q.expr.items) {
      const ref = refOf(item);
      const r = compile(item);
      const locs = locations(item);
      const clash = locs.find((l) => used.some((u) => prefixOf(u, l) || prefixOf(l, u)));
      let problem = 'problem' in r ? r.problem : undefined;
      if (!problem && clash)
        problem = `Another term of the query already tests ${clash.join('.')}; a pattern holds one test per key.`;
      if (!problem && dnf.length * (r as { dnf: Dnf }).dnf.length > MAX_ALTERNATIVES)
        problem = `The query would need more than ${MAX_ALTERNATIVES} alternatives.`;
      if (problem) {
        differences.push({
          kind: 'term',
          direction: 'more',
          ref,
          text: `${problem} The EventBridge pattern leaves the term out, so it matches more events than the rule.`,
        });
        continue;
      }
      const ok = r as { dnf: Dnf; notes: Array<{ direction: Direction; text: string }>; caseDirs: Direction[] };
      used.push(...locs);
      caseDirs = [...caseDirs, ...ok.caseDirs];
      for (const n of ok.notes) differences.push({ kind: 'term', direction: n.direction, ref, text: n.text });
      const loc = locs[0];
      if (loc && isPath(item) && !shapeAt(loc)) {
        differences.push({
          kind: 'term',
          direction: hasNegated(item) ? 'more' : 'fewer',
          ref,
          text: `At ${loc.join('.')}, EventBridge compares leaf values: where an event holds an object there, the pattern does not see the values under it.`,
        });
      }
      dnf = dnf.flatMap((c) => ok.dnf.map((d) => [...c, ...d]));
    }
    conjunctions.push(...dnf);
  }
  const more = caseDirs.includes('more');
  const fewer = caseDirs.includes('fewer');
  if (more || fewer) {
    differences.push({
      kind: 'case',
      direction: more && fewer ? 'both' : more ? 'more' : 'fewer',
      text: 'EventBridge compares `wildcard` and `anything-but` prefixes and suffixes case-sensitively; the rule ignores case.',
    });
  }
  const base: Record<string, unknown> = { source: [{ prefix: 'aws.' }], 'detail-type': [...CLOUDTRAIL_DETAIL_TYPES] };
  const details = dedupe(conjunctions.map(detailObject));
  if (details.some((d) => Object.keys(d).length === 0)) return { pattern: base, differences };
  if (details.length === 1) return { pattern: { ...base, detail: details[0] }, differences };
  return { pattern: { ...base, $or: details.map((detail) => ({ detail })) }, differences };
}

function dedupe(objects: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const seen = new Set<string>();
  return objects.filter((o) => {
    const k = JSON.stringify(o);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function locations(e: Expr): Location[] {
  return e.op === 'match' ? [e.loc] : e.items.flatMap(locations);
}
function prefixOf(a: Location, b: Location): boolean {
  return a.length <= b.length && a.every((k, i) => k === b[i]);
}

/** A conjunction as the `detail` object: nested keys down to each atom's matchers. */
function detailObject(atoms: Atom[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const a of atoms) {
    let node = root;
    a.loc.slice(0, -1).forEach((k) => {
      const next = node[k];
      node = (next && typeof next === 'object' && !Array.isArray(next) ? next : (node[k] = {})) as Record<
        string,
        unknown
      >;
    });
    node[a.loc[a.loc.length - 1]] = a.matchers;
  }
  return root;
}

type Compiled =
  | { dnf: Dnf; notes: Array<{ direction: Direction; text: string }>; caseDirs: Direction[] }
  | { problem: string };

function compile(e: Expr): Compiled {
  if (e.op === 'match') return compileMatch(e.loc, e.tests, e.negate);
  const parts = e.items.map(compile);
  const bad = parts.find((p) => 'problem' in p);
  if (bad) return bad;
  const ok = parts as Array<{ dnf: Dnf; notes: Array<{ direction: Direction; text: string }>; caseDirs: Direction[] }>;
  const notes = ok.flatMap((p) => p.notes);
  const caseDirs = ok.flatMap((p) => p.caseDirs);
  if (e.op === 'or') return { dnf: ok.flatMap((p) => p.dnf), notes, caseDirs };
  let dnf: Dnf = [[]];
  for (const p of ok) {
    dnf = dnf.flatMap((c) => p.dnf.map((d) => [...c, ...d]));
    if (dnf.length > MAX_ALTERNATIVES)
      return { problem: `The term would need more than ${MAX_ALTERNATIVES} alternatives.` };
  }
  return { dnf, notes, caseDirs };
}

/** `*` and `\` escaped for a `wildcard` matcher. */
function wildcardText(parts: readonly string[]): string {
  return parts.map((p) => p.replace(/[\\*]/g, '\\$&')).join('*');
}

function compileMatch(loc: Location, tests: readonly ValueTest[], negate: boolean): Compiled {
  const notes: Array<{ direction: Direction; text: string }> = [];
  const caseDirs: Direction[] = [];
  const crossesList = arraysAlong(loc).some((a) => a !== undefined);
  if (!negate) {
    const matchers: unknown[] = [];
    for (const t of tests) {
      if (t.kind === 'cidr') matchers.push({ cidr: t.text }, { 'equals-ignore-case': t.text });
      else if (t.kind === 'exact') {
        const b = booleanValue(t.value);
        const n = numericValue(t.value);
        if (b !== undefined) matchers.push(b);
        if (n !== undefined) matchers.push(n);
        matchers.push({ 'equals-ignore-case': t.value });
      } else if (isAnyValue(t)) {
        matchers.push({ 'anything-but': '' });
        notes.push({
          direction: 'more',
          text: `\`${loc.join('.')}:*\` becomes anything-but "", which a null value also passes.`,
        });
      } else {
        const [first, last] = [t.parts[0], t.parts[t.parts.length - 1]];
        if (t.parts.length === 2 && last === '') matchers.push({ prefix: { 'equals-ignore-case': first } });
        else if (t.parts.length === 2 && first === '') matchers.push({ suffix: { 'equals-ignore-case': last } });
        else {
          matchers.push({ wildcard: wildcardText(t.parts) });
          caseDirs.push('fewer');
        }
      }
    }
    return { dnf: [[{ loc, matchers }]], notes, caseDirs };
  }
  // Excluded: the key is missing, or every value passes anything-but (the event has one value).
  if (tests.some(isAnyValue))
    return { dnf: [[{ loc, matchers: [{ exists: false }] }], [{ loc, matchers: [null, ''] }]], notes, caseDirs };
  let but: unknown;
  if (
    tests.every((t) => t.kind === 'exact' && booleanValue(t.value) === undefined && numericValue(t.value) === undefined)
  ) {
    const values = tests.map((t) => (t as { value: string }).value);
    but = { 'equals-ignore-case': values.length === 1 ? values[0] : values };
  } else if (tests.length === 1 && tests[0].kind === 'glob') {
    const parts = tests[0].parts;
    const [first, last] = [parts[0], parts[parts.length - 1]];
    but =
      parts.length === 2 && last === ''
        ? { prefix: first }
        : parts.length === 2 && first === ''
          ? { suffix: last }
          : { wildcard: wildcardText(parts) };
    caseDirs.push(flip('fewer', true));
  } else {
    return {
      problem: `Excluding ${tests.length > 1 ? 'several patterns, true/false, numbers or IP ranges' : 'true/false, a number or an IP range'} has no anything-but form.`,
    };
  }
  if (crossesList)
    notes.push({
      direction: 'more',
      text: `${loc.join('.')} may be a list: anything-but passes when any element differs, where the rule needs every element to.`,
    });
  return {
    dnf: [[{ loc, matchers: [{ exists: false }] }], [{ loc, matchers: [{ 'anything-but': but }] }]],
    notes,
    caseDirs,
  };
}
