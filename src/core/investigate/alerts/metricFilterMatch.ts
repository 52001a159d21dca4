/**
 * CloudWatch Logs metric filter patterns for JSON log events, parsed and evaluated as AWS's
 * "Filter pattern syntax" documents them, independently of the search engine (so tests can hold
 * the compiler to AWS's semantics, and the product can preview an alert over loaded events):
 *
 * - `{ SELECTOR OP VALUE }`; selectors start at `$`, keys are letters, digits, `-` and `_`, list
 *   elements are `[n]` after a key; `&&` binds tighter than `||`; parentheses group;
 * - `=` / `!=` with a string, quoted or bare: `*` at its start or end is a wildcard (any text,
 *   none included), elsewhere it is a plain character; comparisons are case-sensitive;
 * - numbers compare with `=`, `!=`, `<`, `>`, `<=`, `>=`; `IS NULL`, `NOT EXISTS`, `IS TRUE`,
 *   `IS FALSE`;
 * - a selector must reach a string or a number: on an object, a list or a missing key both `=` and
 *   `!=` are false. Where the docs are silent these choices hold: a quoted or non-numeric operand
 *   compares with string values only, a numeric bare operand with number values only; booleans
 *   answer only IS TRUE / IS FALSE; a missing selector satisfies NOT EXISTS and nothing else.
 * An empty pattern matches every event.
 */

interface Junction {
  op: 'and' | 'or';
  left: Node;
  right: Node;
}
interface Comparison {
  op: 'cmp';
  path: Array<string | number>;
  cmp: '=' | '!=' | '<' | '>' | '<=' | '>=';
  value: { kind: 'string'; text: string } | { kind: 'number'; n: number };
}
interface Is {
  op: 'is';
  path: Array<string | number>;
  what: 'NULL' | 'TRUE' | 'FALSE' | 'NOT EXISTS';
}
type Node = Junction | Comparison | Is;

export interface MetricFilter {
  /** Whether the pattern matches a parsed JSON log event. */
  matches(event: unknown): boolean;
}

/** Parses a JSON metric filter pattern; throws an Error naming the problem when it is not one. */
export function parseMetricFilter(pattern: string): MetricFilter {
  if (pattern.trim() === '') return { matches: () => true };
  const p = new Parser(pattern);
  p.skip();
  p.expect('{');
  const node = p.or();
  p.expect('}');
  p.skip();
  if (p.pos !== pattern.length) p.fail('text after the closing }');
  return { matches: (event) => evaluate(node, event) };
}

class Parser {
  pos = 0;
  constructor(private readonly s: string) {}

  fail(what: string): never {
    throw new Error(`Not a JSON filter pattern: ${what} at ${this.pos}.`);
  }
  skip(): void {
    while (this.pos < this.s.length && /\s/.test(this.s[this.pos])) this.pos++;
  }
  peek(t: string): boolean {
    this.skip();
    return this.s.startsWith(t, this.pos);
  }
  expect(t: string): void {
    if (!this.peek(t)) this.fail(`expected "${t}"`);
    this.pos += t.length;
  }
  or(): Node {
    return this.chain('||', 'or', () => this.and());
  }
  and(): Node {
    return this.chain('&&', 'and', () => this.unary());
  }
  /** Operands from `next` joined by `token`, left to right. */
  private chain(token: string, op: 'or' | 'and', next: () => Node): Node {
    let left = next();
    while (this.peek(token)) {
      this.pos += token.length;
      left = { op, left, right: next() };
    }
    return left;
  }
  unary(): Node {
    if (this.peek('(')) {
      this.pos++;
      const inner = this.or();
      this.expect(')');
      return inner;
    }
    const path = this.selector();
    for (const what of ['IS NULL', 'IS TRUE', 'IS FALSE', 'NOT EXISTS'] as const) {
      if (this.peek(what)) {
        this.pos += what.length;
        return { op: 'is', path, what: what === 'NOT EXISTS' ? what : (what.slice(3) as 'NULL' | 'TRUE' | 'FALSE') };
      }
    }
    this.skip();
    const m = /^(!=|<=|>=|=|<|>)/.exec(this.s.slice(this.pos));
    if (!m) this.fail('expected an operator');
    this.pos += m[1].length;
    const cmp = m[1] as '=' | '!=' | '<' | '>' | '<=' | '>=';
    const value = this.operand();
    if (value.kind === 'string' && cmp !== '=' && cmp !== '!=') this.fail(`${cmp} needs a number`);
    return { op: 'cmp', path, cmp, value };
  }
  selector(): Array<string | number> {
    this.skip();
    if (this.s[this.pos] !== '$') this.fail('expected a selector ($.key)');
    this.pos++;
    const path: Array<string | number> = [];
    for (;;) {
      const key = /^\.([A-Za-z0-9_-]+)/.exec(this.s.slice(this.pos));
      if (key) {
        path.push(key[1]);
        this.pos += key[0].length;
        continue;
      }
      const index = /^\[(\d+)\]/.exec(this.s.slice(this.pos));
      if (index && path.length > 0) {
        path.push(Number(index[1]));
        this.pos += index[0].length;
        continue;
      }
      break;
    }
    if (path.length === 0) this.fail('a selector names a property');
    return path;
  }
  operand(): { kind: 'string'; text: string } | { kind: 'number'; n: number } {
    this.skip();
    if (this.s[this.pos] === '"') {
      const end = this.s.indexOf('"', this.pos + 1);
      if (end < 0) this.fail('an unclosed quote');
      const text = this.s.slice(this.pos + 1, end);
      this.pos = end + 1;
      return { kind: 'string', text };
    }
    const m = /^[^\s()&|{}"]+/.exec(this.s.slice(this.pos));
    if (!m) this.fail('expected a value');
    this.pos += m[0].length;
    if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(m[0])) return { kind: 'number', n: Number(m[0]) };
    if (!/^[A-Za-z0-9_.*:/-]+$/.test(m[0])) this.fail(`"${m[0]}" must be quoted`);
    return { kind: 'string', text: m[0] };
  }
}

const MISSING = Symbol('missing');

/** The node a selector reaches: keys step into objects, indexes into lists, nothing else. */
function reach(event: unknown, path: ReadonlyArray<string | number>): unknown {
  let node: unknown = event;
  for (const step of path) {
    if (typeof step === 'number') {
      if (!Array.isArray(node) || step >= node.length) return MISSING;
      node = node[step];
    } else {
      if (
        typeof node !== 'object' ||
        node === null ||
        Array.isArray(node) ||
        !Object.prototype.hasOwnProperty.call(node, step)
      )
        return MISSING;
      node = (node as Record<string, unknown>)[step];
    }
  }
  return node;
}

/** `*` at the start and/or end of the operand is a wildcard; inside it is a character. */
function stringMatches(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  const lead = pattern.startsWith('*');
  const trail = pattern.length > 1 && pattern.endsWith('*');
  const core = pattern.slice(lead ? 1 : 0, trail ? -1 : undefined);
  if (lead && trail) return value.includes(core);
  if (lead) return value.endsWith(core);
  if (trail) return value.startsWith(core);
  return value === core;
}

function evaluate(node: Node, event: unknown): boolean {
  if (node.op === 'and' || node.op === 'or') {
    const j = node;
    return j.op === 'and'
      ? evaluate(j.left, event) && evaluate(j.right, event)
      : evaluate(j.left, event) || evaluate(j.right, event);
  }
  const v = reach(event, (node as Comparison | Is).path);
  if (node.op === 'is') {
    const n = node;
    if (n.what === 'NOT EXISTS') return v === MISSING;
    if (n.what === 'NULL') return v === null;
    return v === (n.what === 'TRUE');
  }
  const n = node as Comparison;
  if (n.value.kind === 'string') {
    if (typeof v !== 'string') return false;
    const eq = stringMatches(n.value.text, v);
    return n.cmp === '=' ? eq : !eq;
  }
  if (typeof v !== 'number') return false;
  const x = n.value.n;
  switch (n.cmp) {
    case '=':
      return v === x;
    case '!=':
      return v !== x;
    case '<':
      return v < x;
    case '>':
      return v > x;
    case '<=':
      return v <= x;
    default:
      return v >= x;
  }
}
