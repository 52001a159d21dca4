/**
 * Sigma conditions (`selection and not 1 of filter_*`) as a union of conjunctions (DNF): each
 * conjunction becomes one search-language query of a detection rule, so the rule runs wherever
 * the language runs. `not` is pushed down by De Morgan, which can multiply conjunctions: the
 * expansion is bounded and a rule past the bound is refused, never cut.
 */

/** One condition on an event: a search-language term, or "value at a equals value at b". */
export type Literal =
  | { kind: 'term'; text: string; negate: boolean }
  | { kind: 'equals'; names: [string, string]; negate: boolean };
/** Literals that must all hold. */
export type Clause = Literal[];
/** Clauses of which any may hold; [] matches nothing, [[]] everything. */
export type Dnf = Clause[];

/** Most conjunctions (queries) one rule may expand to. */
export const MAX_CLAUSES = 64;
/** Most literals (terms) in one conjunction. */
export const MAX_LITERALS = 64;
/** Deepest nesting of parentheses and `not` in a condition. */
const MAX_DEPTH = 32;

/** A construct a rule uses that cannot be compiled; `where` names it as written. */
export class SigmaError extends Error {
  constructor(
    readonly where: string,
    message: string,
  ) {
    super(message);
  }
}

export const TRUE: Dnf = [[]];
export const FALSE: Dnf = [];

const keyOf = (l: Literal): string =>
  `${l.negate ? '-' : '+'}${l.kind === 'term' ? `t:${l.text}` : `e:${l.names.join('\u0000')}`}`;

export function negated(l: Literal): Literal {
  return { ...l, negate: !l.negate };
}

/** A clause without repeats, or undefined when it holds a literal and its negation (never true). */
function normalClause(c: Clause): Clause | undefined {
  const seen = new Map<string, Literal>();
  for (const l of c) {
    if (seen.has(keyOf(negated(l)))) return undefined;
    seen.set(keyOf(l), l);
  }
  return [...seen.values()];
}

function explode(where: string): never {
  throw new SigmaError(
    where,
    `the condition expands to more than ${MAX_CLAUSES} alternatives, or ${MAX_LITERALS} terms in one (after distributing "and" over "or" and expanding "not" by De Morgan's laws); split the rule`,
  );
}

function dedupe(d: Dnf, where: string): Dnf {
  const out = new Map<string, Clause>();
  for (const c of d) out.set(c.map(keyOf).sort().join('\u0001'), c);
  if (out.size > MAX_CLAUSES) explode(where);
  return [...out.values()];
}

export function or(a: Dnf, b: Dnf, where: string): Dnf {
  return dedupe([...a, ...b], where);
}

export function and(a: Dnf, b: Dnf, where: string): Dnf {
  if (a.length * b.length > MAX_CLAUSES * 4) explode(where);
  const out: Dnf = [];
  for (const x of a) {
    for (const y of b) {
      const c = normalClause([...x, ...y]);
      if (!c) continue;
      if (c.length > MAX_LITERALS) explode(where);
      out.push(c);
    }
  }
  return dedupe(out, where);
}

export function not(a: Dnf, where: string): Dnf {
  let out: Dnf = TRUE;
  for (const c of a)
    out = and(
      out,
      c.map((l) => [negated(l)]),
      where,
    );
  return out;
}

type Token = { t: 'word'; v: string } | { t: '(' } | { t: ')' };

function tokenize(cond: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(\()|(\))|([\w.*-]+)|(\S))/gy;
  for (let m = re.exec(cond); m && m[0].trim() !== ''; m = re.exec(cond)) {
    if (m[1]) tokens.push({ t: '(' });
    else if (m[2]) tokens.push({ t: ')' });
    else if (m[3]) tokens.push({ t: 'word', v: m[3] });
    else if (m[4] === '|')
      throw new SigmaError(
        `condition "${cond}"`,
        'aggregations after "|" (count(), near, …) are not supported: Sigma deprecated them for correlation rules',
      );
    else throw new SigmaError(`condition "${cond}"`, `unexpected "${m[4]}"`);
  }
  return tokens;
}

/**
 * Compiles a condition over named selections. `selection(name)` gives a selection's DNF; `names`
 * lists them all, for `1 of x*` / `all of them` (which skips names starting with "_").
 */
export function compileCondition(cond: string, names: readonly string[], selection: (name: string) => Dnf): Dnf {
  const where = `condition "${cond.length > 120 ? `${cond.slice(0, 120)}…` : cond}"`;
  const tokens = tokenize(cond);
  let at = 0;
  const peek = (): Token | undefined => tokens[at];
  const isWord = (t: Token | undefined, v: string): boolean => t?.t === 'word' && t.v.toLowerCase() === v;
  const fail = (msg: string): never => {
    throw new SigmaError(where, msg);
  };

  const matching = (pattern: string): string[] => {
    if (pattern.toLowerCase() === 'them') return names.filter((n) => !n.startsWith('_'));
    const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\-]/g, '\\$&').replace(/\*/g, '.*')}$`);
    const hit = names.filter((n) => re.test(n));
    if (hit.length === 0) fail(`"${pattern}" names no selection (selections: ${names.join(', ')})`);
    return hit;
  };

  const primary = (depth: number): Dnf => {
    if (depth > MAX_DEPTH) fail(`nested more than ${MAX_DEPTH} deep`);
    const t = peek();
    if (!t) return fail('ends too early');
    if (t.t === '(') {
      at++;
      const inner = expr(depth + 1);
      if (peek()?.t !== ')') fail('a "(" is not closed');
      at++;
      return inner;
    }
    if (t.t === ')') return fail('unexpected ")"');
    if (isWord(t, 'not')) {
      at++;
      return not(primary(depth + 1), where);
    }
    const next = tokens[at + 1];
    if (isWord(next, 'of')) {
      const quant = t.v.toLowerCase();
      const target = tokens[at + 2];
      if (target?.t !== 'word')
        return fail(`"${t.v} of" needs a selection name, a pattern such as selection_*, or "them"`);
      if (quant !== '1' && quant !== 'all') fail(`"${t.v} of" is not supported: only "1 of" and "all of"`);
      at += 3;
      const parts = matching(target.v).map(selection);
      return quant === 'all'
        ? parts.reduce((a, b) => and(a, b, where), TRUE)
        : parts.reduce((a, b) => or(a, b, where), FALSE);
    }
    if (['and', 'or', 'of'].includes(t.v.toLowerCase())) fail(`unexpected "${t.v}"`);
    at++;
    if (!names.includes(t.v)) fail(`"${t.v}" names no selection (selections: ${names.join(', ')})`);
    return selection(t.v);
  };

  const conj = (depth: number): Dnf => {
    let d = primary(depth);
    while (isWord(peek(), 'and')) {
      at++;
      d = and(d, primary(depth), where);
    }
    return d;
  };

  const expr = (depth: number): Dnf => {
    let d = conj(depth);
    while (isWord(peek(), 'or')) {
      at++;
      d = or(d, conj(depth), where);
    }
    return d;
  };

  if (tokens.length === 0) fail('is empty');
  const result = expr(0);
  if (at < tokens.length) fail(`unexpected "${(tokens[at] as { v?: string }).v ?? tokens[at].t}"`);
  return result;
}
