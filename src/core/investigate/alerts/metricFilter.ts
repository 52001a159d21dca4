/**
 * A rule as a CloudWatch Logs metric filter pattern for CloudTrail's JSON log events (AWS "Filter
 * pattern syntax", JSON section): `{ $.a.b = "v" }`, `!=`, `*` at the start or end of a value,
 * `&&`, `||`, parentheses, `IS NULL`, `NOT EXISTS`, `IS TRUE/FALSE`, `[n]` array indexes, 1024
 * characters at most. Comparisons are case-sensitive; a selector reaches only string and number
 * values (objects and lists are not compared), and a list's elements only by index, so lists are
 * indexed up to a bound and the rest named as a difference.
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
  testAccepts,
  type Difference,
  type Direction,
  type Expr,
  type Location,
  type QueryForm,
  type ValueTest,
} from './model';

/** CloudWatch Logs' limit on a filter pattern's length. */
export const MAX_FILTER_PATTERN = 1024;
/** List elements compared per list, at most (fewer when the pattern would pass its limit). */
const MAX_INDEXES = 5;

export interface MetricFilterPatterns {
  /** One pattern, or one per query when together they pass the limit (each feeds the same metric). */
  patterns: string[];
  differences: Difference[];
}

type Compiled = { text: string; approx: Direction[]; limited: boolean } | { problem: string };

/** Compiles the queries of a rule (their common form) into filter patterns. */
export function metricFilterPatterns(queries: readonly QueryForm[]): MetricFilterPatterns {
  const differences: Difference[] = [];
  for (let k = MAX_INDEXES; k >= 1; k--) {
    const perQuery = queries.map((q) => compileQuery(q, k));
    const bodies = perQuery.map((q) => q.body);
    const diffs = perQuery.flatMap((q) => q.differences);
    // An empty body matches every event: so does the union.
    const all = bodies.some((b) => b === '');
    const joined = all ? '' : `{ ${bodies.length === 1 ? bodies[0] : bodies.map((b) => `(${b})`).join(' || ')} }`;
    if (joined.length <= MAX_FILTER_PATTERN)
      return { patterns: [joined], differences: [...diffs, ...caseDifference(queries)] };
    const split = bodies.map((b) => `{ ${b} }`);
    if (split.every((p) => p.length <= MAX_FILTER_PATTERN) || k === 1) {
      const kept = split.filter((p, i) => {
        if (p.length <= MAX_FILTER_PATTERN) return true;
        differences.push({
          kind: 'term',
          direction: 'fewer',
          ref: { query: i, term: -1 },
          text: `Query ${i + 1} is ${p.length} characters as a filter pattern, over CloudWatch's ${MAX_FILTER_PATTERN}: it is left out, so the alert misses its events.`,
        });
        return false;
      });
      return { patterns: kept, differences: [...diffs, ...differences, ...caseDifference(queries)] };
    }
  }
  throw new Error('unreachable');
}

function caseDifference(queries: readonly QueryForm[]): Difference[] {
  const dirs: Direction[] = [];
  const walk = (e: Expr): void => {
    if (e.op === 'match') {
      if (
        e.tests.some(
          (t) => t.kind !== 'exact' || (booleanValue(t.value) === undefined && numericValue(t.value) === undefined),
        )
      )
        dirs.push(flip('fewer', e.negate));
    } else e.items.forEach(walk);
  };
  queries.forEach((q) => walk(q.expr));
  const more = dirs.includes('more');
  const fewer = dirs.includes('fewer');
  if (!more && !fewer) return [];
  return [
    {
      kind: 'case',
      direction: more && fewer ? 'both' : more ? 'more' : 'fewer',
      text: 'Metric filters compare case-sensitively; the rule ignores case. Values are matched as the rule spells them (CloudTrail writes names in one spelling, so this matters for hand-typed values).',
    },
  ];
}

/** One query: its terms ANDed; a term that cannot be written is left out (more events). */
function compileQuery(q: QueryForm, k: number): { body: string; differences: Difference[] } {
  const differences = q.differences.slice();
  const parts: string[] = [];
  if (q.expr.op !== 'and') throw new Error('a query is a conjunction');
  for (const item of q.expr.items) {
    const ref = refOf(item);
    const c = compileExpr(item, k);
    if ('problem' in c) {
      differences.push({
        kind: 'term',
        direction: 'more',
        ref,
        text: `${c.problem} The metric filter leaves the term out, so it matches more events than the rule.`,
      });
      continue;
    }
    for (const d of new Set(c.approx))
      differences.push({
        kind: 'term',
        direction: d,
        ref,
        text: `A term's wildcard has a \`*\` inside it or a value begins or ends with a literal \`*\`; metric filters take \`*\` only at a value's start or end, as a wildcard, so the filter tests the pieces separately.`,
      });
    const negate = hasNegated(item);
    if (c.limited)
      differences.push({
        kind: 'term',
        direction: negate ? 'both' : 'fewer',
        ref,
        text: `The term crosses a list: the filter looks at its first ${k} element(s) only.`,
      });
    const loc = firstLoc(item);
    if (loc && isPath(item) && !shapeAt(loc)) {
      differences.push({
        kind: 'term',
        direction: 'fewer',
        ref,
        text: `At ${loc.join('.')}, a filter compares strings, numbers and true/false only: where an event holds an object, an unexpected list or a value of another type there, the alert misses it.`,
      });
    }
    parts.push(c.text);
  }
  return { body: parts.length === 0 ? '' : parts.length === 1 ? parts[0] : parts.map(paren).join(' && '), differences };
}

function firstLoc(e: Expr): Location | undefined {
  return e.op === 'match' ? e.loc : e.items.length ? firstLoc(e.items[0]) : undefined;
}

function paren(s: string): string {
  return s.startsWith('(') && s.endsWith(')') && balanced(s.slice(1, -1)) ? s : `(${s})`;
}
/** Whether parentheses outside quotes balance (so `(a) && (b)` is not taken as one group). */
function balanced(s: string): boolean {
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"' && s[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

function compileExpr(e: Expr, k: number): Compiled {
  if (e.op === 'match') return compileMatch(e.loc, e.tests, e.negate, k, !!e.path);
  const items = e.items.map((i) => compileExpr(i, k));
  const bad = items.find((i) => 'problem' in i);
  if (bad) return bad;
  const ok = items as Array<{ text: string; approx: Direction[]; limited: boolean }>;
  const join = e.op === 'and' ? ' && ' : ' || ';
  return {
    text: ok.length === 1 ? ok[0].text : ok.map((i) => paren(i.text)).join(join),
    approx: ok.flatMap((i) => i.approx),
    limited: ok.some((i) => i.limited),
  };
}

/** The concrete selectors for a location: lists along it indexed [0..k-1] (and unindexed where a list is optional). */
function selectors(loc: Location, k: number): { sels: string[]; limited: boolean } | { problem: string } {
  const bad = loc.find((key) => !/^[A-Za-z0-9_-]+$/.test(key));
  if (bad !== undefined)
    return {
      problem: `The key "${bad}" has characters a filter selector cannot hold (letters, digits, - and _ only).`,
    };
  const arrays = arraysAlong(loc);
  let sels = ['$'];
  let limited = false;
  loc.forEach((key, i) => {
    sels = sels.map((s) => `${s}.${key}`);
    const a = arrays[i];
    if (!a) return;
    limited = true;
    const indexed = sels.flatMap((s) => Array.from({ length: k }, (_, n) => `${s}[${n}]`));
    sels = a === 'maybe' ? [...sels, ...indexed] : indexed;
  });
  return { sels, limited };
}

function compileMatch(
  loc: Location,
  tests: readonly ValueTest[],
  negate: boolean,
  k: number,
  typed: boolean,
): Compiled {
  const s = selectors(loc, k);
  if ('problem' in s) return s;
  const approx: Direction[] = [];
  const pieces: string[] = [];
  for (const sel of s.sels) {
    const r = negate ? negated(sel, tests, typed) : positive(sel, tests);
    if ('problem' in r) return r;
    approx.push(...r.approx.map((d) => flip(d, negate)));
    pieces.push(r.text);
  }
  const join = negate ? ' && ' : ' || ';
  return { text: pieces.length === 1 ? pieces[0] : pieces.map(paren).join(join), approx, limited: s.limited };
}

/** A quoted filter string; undefined when it cannot be written (quotes, backslashes, control characters). */
function quote(v: string): string | undefined {
  return /["\\\u0000-\u001f\u007f]/.test(v) ? undefined : `"${v}"`;
}

/** The filter's string operands for a test (ANDed), and whether they only approximate it (match more). */
function operands(t: ValueTest): { ops: string[]; approx: boolean } | { problem: string } {
  if (t.kind === 'cidr') return { problem: `The IP range ${t.text} has no equivalent in metric filters.` };
  const pieces = t.kind === 'exact' ? [t.value] : t.parts;
  if (pieces.some((p) => quote(p) === undefined))
    return {
      problem: 'A value holds a double quote, a backslash or a control character, which a filter string cannot hold.',
    };
  if (t.kind === 'exact') return { ops: [`"${t.value}"`], approx: t.value.startsWith('*') || t.value.endsWith('*') };
  if (t.parts.some((p) => p.includes('*')))
    return { problem: 'A value holds a literal `*` where a metric filter reads a wildcard.' };
  const [first, last] = [t.parts[0], t.parts[t.parts.length - 1]];
  const middle = t.parts.slice(1, -1).filter((p) => p !== '');
  if (t.parts.length === 2 && first === '' && last === '') return { ops: ['"*"'], approx: false };
  if (t.parts.length === 2)
    return {
      ops: first === '' ? [`"*${last}"`] : last === '' ? [`"${first}*"`] : [`"${first}*"`, `"*${last}"`],
      approx: first !== '' && last !== '',
    };
  if (t.parts.length === 3 && first === '' && last === '') return { ops: [`"*${t.parts[1]}*"`], approx: false };
  const ops = [...(first ? [`"${first}*"`] : []), ...middle.map((m) => `"*${m}*"`), ...(last ? [`"*${last}"`] : [])];
  return { ops, approx: true };
}

function positive(
  sel: string,
  tests: readonly ValueTest[],
): { text: string; approx: Direction[] } | { problem: string } {
  const alts: string[] = [];
  const approx: Direction[] = [];
  for (const t of tests) {
    // `!= ""` holds for a non-empty string only: missing keys, null and other types fail it.
    if (isAnyValue(t)) {
      alts.push(`${sel} != ""`);
      continue;
    }
    const o = operands(t);
    if ('problem' in o) return o;
    if (o.approx) approx.push('more');
    const strings = o.ops.map((op) => `${sel} = ${op}`).join(' && ');
    const forms = [o.ops.length > 1 ? `(${strings})` : strings];
    if (t.kind === 'exact') {
      const b = booleanValue(t.value);
      const n = numericValue(t.value);
      if (b !== undefined) forms.unshift(`${sel} IS ${b ? 'TRUE' : 'FALSE'}`);
      if (n !== undefined) forms.push(`${sel} = ${t.value}`);
    }
    alts.push(...forms);
  }
  return { text: alts.length === 1 ? alts[0] : alts.map(paren).join(' || '), approx };
}

/**
 * No value at `sel` passes a test: missing, null, or a value of each type that passes none (`typed`:
 * a path term's value may be true/false or a number; fields are strings).
 */
function negated(
  sel: string,
  tests: readonly ValueTest[],
  typed: boolean,
): { text: string; approx: Direction[] } | { problem: string } {
  const ors = [`${sel} NOT EXISTS`, `${sel} IS NULL`];
  const approx: Direction[] = [];
  if (tests.some(isAnyValue)) {
    ors.push(`${sel} = ""`);
    return { text: ors.join(' || '), approx };
  }
  const ands: string[] = [];
  for (const t of tests) {
    const o = operands(t);
    if ('problem' in o) return o;
    // The filter excludes a wider set than the term: the negation keeps fewer (flipped by the caller).
    if (o.approx) approx.push('more');
    ands.push(o.ops.length === 1 ? `${sel} != ${o.ops[0]}` : `(${o.ops.map((op) => `${sel} != ${op}`).join(' || ')})`);
  }
  ors.push(ands.length === 1 ? ands[0] : `(${ands.join(' && ')})`);
  const bools = tests.some((t) => t.kind === 'exact' && booleanValue(t.value) !== undefined);
  if (typed || bools)
    for (const b of [true, false])
      if (!tests.some((t) => testAccepts(t, String(b)))) ors.push(`${sel} IS ${b ? 'TRUE' : 'FALSE'}`);
  const nums = tests.map((t) => (t.kind === 'exact' ? numericValue(t.value) : undefined));
  if (typed && nums.every((n) => n !== undefined))
    ors.push(`(${tests.map((t) => `${sel} != ${(t as { value: string }).value}`).join(' && ')})`);
  return { text: ors.join(' || '), approx };
}
