/**
 * Sigma rules (https://sigmahq.io/docs/basics/rules.html) for CloudTrail, read as detection
 * rules: the detection and condition compile to search-language queries (a union of
 * conjunctions, sigmaCondition.ts), so a Sigma rule runs wherever a JSON rule does. Only
 * `logsource: {product: aws, service: cloudtrail}` is read. A rule using something that cannot be
 * compiled faithfully is refused with the construct and the reason, never approximated.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Severity } from '../../../protocol/logViewer';
import { compileCondition, type Dnf, FALSE, type Literal, or, SigmaError, TRUE, and } from './sigmaCondition';
import { compileEntry, compileKeywords, type SigmaScalar } from './sigmaValues';
import type { Compare, DetectionRule } from './rules';

/** A Sigma rule as a detection rule, before its origin and file are known. */
export type SigmaRule = Omit<DetectionRule, 'origin' | 'file'>;

/** Most YAML nodes a rule may have: real rules have a few dozen. */
const MAX_NODES = 20_000;

/** Sigma's `level` values and the severity each shows as. */
export const LEVELS: Readonly<Record<string, Severity>> = {
  informational: 'info',
  low: 'low',
  medium: 'medium',
  high: 'high',
  critical: 'critical',
};

type Yaml = SigmaScalar | Yaml[] | { [key: string]: Yaml };

/** A YAML node as plain data, refusing aliases and merge keys (no expansion: no YAML bomb). */
function toData(node: unknown, budget: { left: number }): Yaml {
  if (--budget.left < 0) throw new SigmaError('the file', `it has more than ${MAX_NODES} YAML nodes`);
  if (isAlias(node))
    throw new SigmaError(
      `the alias *${node.source}`,
      'YAML anchors and aliases are not read in rules (expanding them is how a YAML bomb works)',
    );
  if (node === null || node === undefined) return null;
  if (isScalar(node)) {
    const v = node.value;
    if (v === null || v === undefined) return null;
    if (typeof v === 'boolean' || typeof v === 'string') return v;
    // Numbers keep their text: 0x40810000 or 010 mean what they say, not a converted number.
    if (typeof v === 'number' || typeof v === 'bigint') return node.source ?? String(v);
    // What is left is a Date (YAML 1.1 timestamps) or a custom tag's value: its own toString is its text.
    return `${v as string}`;
  }
  if (isSeq(node)) return node.items.map((i) => toData(i, budget));
  if (isMap(node)) {
    const out: { [key: string]: Yaml } = Object.create(null) as { [key: string]: Yaml };
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const k = toData(pair.key, budget);
      if (typeof k !== 'string' && typeof k !== 'boolean') throw new SigmaError('a key', 'map keys are text');
      if (k === '<<') throw new SigmaError('the merge key <<', 'YAML merge keys are not read in rules');
      out[String(k)] = toData(pair.value, budget);
    }
    return out;
  }
  throw new SigmaError('a YAML node', 'unexpected YAML content');
}

const isObj = (v: Yaml | undefined): v is { [key: string]: Yaml } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: Yaml | undefined): string | undefined => (typeof v === 'string' ? v.trim() : undefined);
const strings = (v: Yaml | undefined): string[] =>
  Array.isArray(v)
    ? v.filter((x): x is string => typeof x === 'string').map((s) => s.trim())
    : typeof v === 'string'
      ? [v.trim()]
      : [];

/** The rule id: the file's base name, as `detection:<id>` can type it (≤ 64 characters). */
export function sigmaRuleId(fileName: string): string {
  const base = fileName.replace(/^.*[\\/]/, '').replace(/\.ya?ml$/i, '');
  let id = base.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  if (!id) id = 'sigma-rule';
  if (id.length > 64) {
    let h = 0x811c9dc5;
    for (let i = 0; i < base.length; i++) h = Math.imul(h ^ base.charCodeAt(i), 0x01000193);
    id = `${id.slice(0, 55)}-${(h >>> 0).toString(16).padStart(8, '0')}`;
  }
  return id;
}

/** One selection: a map (AND of entries), a list of maps (OR), or keywords (a list of values). */
function compileSelection(name: string, sel: Yaml): Dnf {
  const where = (key: string): string => `${name}.${key}`;
  if (isObj(sel)) {
    const keys = Object.keys(sel);
    if (keys.length === 0) throw new SigmaError(name, 'an empty selection');
    let d: Dnf = TRUE;
    for (const k of keys) {
      const v = sel[k];
      if (isObj(v) || (Array.isArray(v) && v.some((x) => typeof x === 'object' && x !== null)))
        throw new SigmaError(where(k), 'a value is a string, number, boolean or null, or a list of them');
      d = and(d, compileEntry(where(k), k, v as SigmaScalar | SigmaScalar[]), name);
    }
    return d;
  }
  if (Array.isArray(sel)) {
    if (sel.length === 0) throw new SigmaError(name, 'an empty selection');
    if (sel.every(isObj)) return sel.reduce<Dnf>((d, m, i) => or(d, compileSelection(`${name}[${i}]`, m), name), FALSE);
    if (sel.some((x) => typeof x === 'object' && x !== null))
      throw new SigmaError(name, 'a selection list holds either maps or keywords, not both');
    return compileKeywords(name, sel as SigmaScalar[]);
  }
  if (typeof sel === 'string') return compileKeywords(name, [sel]);
  throw new SigmaError(name, 'a selection is a map of fields, a list of maps, or a list of keywords');
}

/** The comparison every query shares, hoisted out of the clauses (Compare applies rule-wide). */
function hoistCompare(dnf: Dnf): { clauses: Literal[][]; compare?: Compare } {
  const eqs = dnf.map((c) => c.filter((l) => l.kind === 'equals'));
  const sig = eqs.map((e) => JSON.stringify(e)).sort();
  if (eqs.every((e) => e.length === 0)) return { clauses: dnf };
  const one = eqs[0];
  if (one.length !== 1 || sig.some((s) => s !== sig[0])) {
    throw new SigmaError(
      'fieldref',
      'a field reference must apply to the whole rule once (selection and one fieldref, ANDed), not under "or" or several times',
    );
  }
  const e = one[0];
  return {
    clauses: dnf.map((c) => c.filter((l) => l.kind !== 'equals')),
    compare: e.negate ? { equals: e.names, negate: true } : { equals: e.names },
  };
}

/**
 * Parses one Sigma YAML rule: the rule (id from the file name), or every problem found, each
 * naming the construct (`selection.CommandLine|base64offset: the base64offset modifier is …`).
 */
export function parseSigmaRule(text: string, fileName: string): { rule?: SigmaRule; problems: string[] } {
  const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: false, strict: true });
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.length !== 1)
    return {
      problems: [
        list.length === 0
          ? 'The file is empty: a Sigma rule is one YAML document.'
          : `The file holds ${list.length} YAML documents: rule collections are not read; one rule a file.`,
      ],
    };
  const doc = list[0];
  if (doc.errors.length > 0)
    return { problems: doc.errors.slice(0, 5).map((e) => `Not valid YAML: ${e.message.split('\n')[0]}`) };
  let data: Yaml;
  try {
    data = toData(doc.contents, { left: MAX_NODES });
  } catch (e) {
    return {
      problems: [e instanceof SigmaError ? `${e.where}: ${e.message}.` : `Not readable: ${(e as Error).message}`],
    };
  }
  if (!isObj(data) || !isObj(data.detection))
    return { problems: ['Not a Sigma rule: a Sigma rule is a YAML map with title, logsource and detection.'] };
  const problems: string[] = [];
  const logsource = isObj(data.logsource) ? data.logsource : {};
  const product = str(logsource.product)?.toLowerCase();
  const service = str(logsource.service)?.toLowerCase();
  if (product !== 'aws' || service !== 'cloudtrail') {
    problems.push(
      `logsource is ${JSON.stringify({ product: logsource.product, service: logsource.service, category: logsource.category })}: only {product: aws, service: cloudtrail} rules run on CloudTrail events.`,
    );
  }
  const title = str(data.title);
  if (!title) problems.push('"title" is required.');
  const level = str(data.level)?.toLowerCase();
  if (level !== undefined && !(level in LEVELS))
    problems.push(`"level" must be one of ${Object.keys(LEVELS).join(', ')}.`);

  const detection = data.detection;
  const names = Object.keys(detection).filter((k) => k !== 'condition' && k !== 'timeframe');
  if (detection.timeframe !== undefined)
    problems.push('detection.timeframe: time windows belong to Sigma correlation rules, which are not supported.');
  const selections = new Map<string, Dnf>();
  for (const n of names) {
    try {
      selections.set(n, compileSelection(n, detection[n]));
    } catch (e) {
      if (!(e instanceof SigmaError)) throw e;
      problems.push(`${e.where}: ${e.message}.`);
    }
  }
  const conditions = strings(detection.condition);
  if (conditions.length === 0) problems.push('detection.condition is required.');
  let dnf: Dnf = FALSE;
  if (problems.length === 0) {
    try {
      for (const c of conditions)
        dnf = or(
          dnf,
          compileCondition(c, names, (n) => selections.get(n)!),
          `condition "${c}"`,
        );
      const { clauses, compare } = hoistCompare(dnf);
      if (clauses.some((c) => c.length === 0))
        throw new SigmaError('the condition', 'it matches every event (a conjunction with no field terms)');
      if (clauses.length === 0)
        throw new SigmaError('the condition', 'it never matches (every conjunction contradicts itself)');
      const query = clauses.map((c) =>
        c.map((l) => (l.kind === 'term' ? `${l.negate ? '-' : ''}${l.text}` : '')).join(' '),
      );
      return { rule: ruleOf(data, fileName, title!, level, query, compare), problems: [] };
    } catch (e) {
      if (!(e instanceof SigmaError)) throw e;
      problems.push(`${e.where}: ${e.message}.`);
    }
  }
  return { problems };
}

function ruleOf(
  data: { [key: string]: Yaml },
  fileName: string,
  title: string,
  level: string | undefined,
  query: string[],
  compare: Compare | undefined,
): SigmaRule {
  const rule: SigmaRule = { ...sigmaHeader(data, fileName, title, level, strings(data.tags)), query };
  if (compare) rule.compare = compare;
  return rule;
}

/** The part of a rule every Sigma file gives the same way, a single rule's or a correlation's. */
export type SigmaHeader = Omit<SigmaRule, 'query' | 'compare' | 'correlation'>;

/**
 * What a Sigma file's header says of its rule: the id from the file's name, the severity from
 * `level`, ATT&CK techniques (`attack.t1562.008`) and the first tactic (`attack.defense-evasion`)
 * from `tags` (lower-cased), http(s) references only (they are shown as links), and the metadata
 * strings present (`id`, `status`, `author`, `date`, `modified`; a YAML date as yyyy-mm-dd).
 */
export function sigmaHeader(
  data: { readonly [key: string]: unknown },
  fileName: string,
  title: string,
  level: string | undefined,
  tags: readonly string[],
): SigmaHeader {
  const lower = tags.map((t) => t.toLowerCase());
  const mitre = [
    ...new Set(lower.filter((t) => /^attack\.t\d{4}(\.\d{3})?$/.test(t)).map((t) => t.slice(7).toUpperCase())),
  ];
  const tactic = lower.find((t) => /^attack\.[a-z]+(-[a-z]+)*$/.test(t));
  const header: SigmaHeader = {
    id: sigmaRuleId(fileName),
    title,
    severity: level ? LEVELS[level] : 'medium',
    description: str(data.description as Yaml) ?? '',
    mitre,
    references: strings(data.references as Yaml).filter((r) => /^https?:\/\/\S+$/.test(r)),
    format: 'sigma',
    falsePositives: strings(data.falsepositives as Yaml),
    tags: lower,
  };
  if (tactic) header.tactic = tactic.slice(7);
  for (const k of ['sigmaId', 'status', 'author', 'date', 'modified'] as const) {
    const v = data[k === 'sigmaId' ? 'id' : k];
    const s = typeof v === 'string' ? v.trim() : v instanceof Date ? v.toISOString().slice(0, 10) : undefined;
    if (s) header[k] = s;
  }
  if (level) header.level = level;
  return header;
}
