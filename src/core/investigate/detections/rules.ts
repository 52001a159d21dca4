/**
 * Detection rules are data (README "Detections"): one JSON file per rule, validated here, or a
 * Sigma rule for CloudTrail (`.yml`/`.yaml`, compiled by sigma.ts to the same queries). The
 * built-in library ships as `detections/*.json`; users add their own from a folder, and a user
 * rule with a built-in id replaces it. A file that is wrong is reported with every problem found
 * and left out; the others still load.
 */
import { SEVERITIES, type Severity } from '../../../protocol/logViewer';
import { parsePath } from '../../query/eventPath';
import { parseQuery, QUERY_FIELDS } from '../../query/query';
import { parseSigmaRule } from './sigma';
import { parseRuleTests } from './ruleTests';
import type { PackRules, RulePack } from './pack';
import { type Correlation, type FirstSeen, parseRuleKinds, type Travel } from './ruleKinds';
import { isSigmaCorrelation, parseSigmaCorrelation } from './sigmaCorrelation';
import { IP_SET_FAMILIES } from '../ipFacts';

const IP_FAMILIES: ReadonlySet<string> = new Set(IP_SET_FAMILIES);

/** The severities the webview shows (protocol), re-exported for rule code and tests. */
export { SEVERITIES, type Severity };

/** Bursts: at least `count` matching events within `withinMinutes`, per value of `by` if given. */
export interface Threshold {
  count: number;
  withinMinutes: number;
  /** A query field name (`principal`, `ip`, `accessKey`, …) or a JSON path (`requestParameters.secretId`). */
  by?: string;
}

/**
 * A comparison between two values of the same event, each named like `Threshold.by`:
 * `differs` keeps events where a value at the first has no equal at the second (ignoring case;
 * a missing second counts as different); `notContains` keeps events where a value at the first
 * contains none of the values at the second. Events without a value at the first never match.
 */
export type Compare =
  | { differs: [string, string] }
  | { notContains: [string, string] }
  /**
   * Sigma's `fieldref`: a non-empty value at the first equals one at the second (ignoring case);
   * `negate` keeps every other event. Not accepted in JSON rule files (they have `differs`).
   */
  | { equals: [string, string]; negate?: true };

export interface DetectionRule {
  id: string;
  title: string;
  severity: Severity;
  description: string;
  /** Search-language queries; an event matching any of them matches (a union). */
  query: string[];
  threshold?: Threshold;
  compare?: Compare;
  /** A first-seen ("new terms") rule: fires on combinations new against a baseline (ruleKinds.ts). */
  firstSeen?: FirstSeen;
  /** A count, distinct count or sequence over a window, by group (ruleKinds.ts); `query` holds its candidates. */
  correlation?: Correlation;
  /** Impossible travel between consecutive events of one principal or key (ruleKinds.ts, travel.ts). */
  travel?: Travel;
  /** A MITRE ATT&CK tactic, e.g. "defense-evasion". */
  tactic?: string;
  /** MITRE ATT&CK technique ids, e.g. "T1562.008". */
  mitre: string[];
  references: string[];
  /** Where the rule came from: the built-in library or a user's folder; `file` is its file name. */
  origin: 'built-in' | 'user';
  file: string;
  /** The file's format; absent means a JSON rule. */
  format?: 'json' | 'sigma';
  /** Sigma metadata, shown in the rule's details (absent for JSON rules). */
  author?: string;
  falsePositives?: string[];
  /** The Sigma rule's own id (a UUID); `id` comes from the file name, for `detection:<id>`. */
  sigmaId?: string;
  /** Sigma status (stable, test, experimental, deprecated, unsupported) and level as written. */
  status?: string;
  level?: string;
  /** Sigma dates as written (YYYY-MM-DD). */
  date?: string;
  modified?: string;
  /** Sigma tags as written (lower-case), `attack.*` among them. */
  tags?: string[];
  /** The third-party pack the rule belongs to (pack.ts); absent for our own rules and the user's. */
  pack?: RulePack;
}

export interface RuleFile {
  name: string;
  text: string;
}

const KEYS = new Set([
  'id',
  'title',
  'severity',
  'description',
  'query',
  'threshold',
  'compare',
  'tactic',
  'mitre',
  'references',
  'tests',
  'firstSeen',
  'correlation',
  'travel',
]);
/** Ids appear in `detection:<id>` terms: no spaces, commas, quotes or stars. */
export const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** A rule file is a few hundred bytes; anything far larger is not one. */
export const MAX_RULE_FILE_BYTES = 256 * 1024;

/** Whether `name` names a value of an event: a single-valued query field or a JSON path. */
export function isValueName(name: string): boolean {
  const fields = QUERY_FIELDS.get(name.toLowerCase());
  if (fields) return !fields.includes('resources');
  return parsePath(name, true) !== undefined;
}

/** The answer for a rule file past MAX_RULE_FILE_BYTES. */
function tooLarge(text: string): { problems: string[] } {
  return { problems: [`The file is ${text.length} bytes; a rule file is at most ${MAX_RULE_FILE_BYTES}.`] };
}

/**
 * Parses and validates one rule file. Returns the rule, or every problem found (each a sentence
 * naming the key): unknown keys, missing or mistyped values, a bad severity, query errors.
 */
export function parseRule(
  text: string,
  source: string,
  origin: DetectionRule['origin'] = 'user',
): { rule?: DetectionRule; problems: string[] } {
  if (text.length > MAX_RULE_FILE_BYTES) return tooLarge(text);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { problems: [`Not valid JSON: ${(e as Error).message}`] };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return { problems: ['A rule file holds one JSON object.'] };
  const o = data as Record<string, unknown>;
  const problems: string[] = [];
  for (const k of Object.keys(o))
    if (!KEYS.has(k)) problems.push(`Unknown key "${k.slice(0, 60)}" (known: ${[...KEYS].join(', ')}).`);

  const id = o.id;
  if (typeof id !== 'string' || !RULE_ID.test(id))
    problems.push(
      '"id" is required: letters, digits, ".", "-" or "_", up to 64 characters (it is typed in detection:<id>).',
    );
  const title = o.title;
  if (typeof title !== 'string' || !title.trim()) problems.push('"title" is required: a short sentence.');
  const severity = o.severity;
  if (typeof severity !== 'string' || !(SEVERITIES as readonly string[]).includes(severity))
    problems.push(`"severity" must be one of ${SEVERITIES.join(', ')}.`);
  if (o.description !== undefined && typeof o.description !== 'string') problems.push('"description" is text.');
  // First-seen and correlation rules (ruleKinds.ts); a sequence's steps are its queries.
  const kinds = parseRuleKinds(o, problems);
  const queries =
    kinds.correlation?.steps?.flat() ??
    (typeof o.query === 'string'
      ? [o.query]
      : Array.isArray(o.query) && o.query.length > 0 && o.query.every((q) => typeof q === 'string')
        ? o.query
        : undefined);
  if (!queries) problems.push('"query" is required: a search-language query, or a list of them (any may match).');
  for (const q of queries ?? []) problems.push(...queryProblems(q));
  const threshold = o.threshold === undefined ? undefined : parseThreshold(o.threshold, problems);
  const compare = o.compare === undefined ? undefined : parseCompare(o.compare, problems);
  if (o.tactic !== undefined && typeof o.tactic !== 'string')
    problems.push('"tactic" is text, a MITRE ATT&CK tactic such as "defense-evasion".');
  const mitre = stringList(
    o.mitre,
    'mitre',
    problems,
    (s) => /^T\d{4}(\.\d{3})?$/.test(s),
    'technique ids such as "T1562.008"',
  );
  const references = stringList(
    o.references,
    'references',
    problems,
    (s) => /^https?:\/\/\S+$/.test(s),
    'http(s) URLs',
  );
  // The rule's own cases (ruleTests.ts): checked, then left out of the rule.
  if (o.tests !== undefined) parseRuleTests(o.tests, problems);

  if (problems.length > 0) return { problems };
  const rule: DetectionRule = {
    id: id as string,
    title: (title as string).trim(),
    severity: severity as Severity,
    description: typeof o.description === 'string' ? o.description : '',
    query: queries!,
    mitre,
    references,
    origin,
    file: source,
  };
  if (threshold) rule.threshold = threshold;
  if (compare) rule.compare = compare;
  if (kinds.firstSeen) rule.firstSeen = kinds.firstSeen;
  if (kinds.correlation) rule.correlation = kinds.correlation;
  if (kinds.travel) rule.travel = kinds.travel;
  if (typeof o.tactic === 'string') rule.tactic = o.tactic;
  return { rule, problems: [] };
}

/**
 * Parses a Sigma rule file (sigma.ts) and checks its compiled queries as a JSON rule's are: a
 * compiler bug shows as a problem, never as a rule that means something else.
 */
export function parseSigmaFile(
  text: string,
  source: string,
  origin: DetectionRule['origin'] = 'user',
): { rule?: DetectionRule; problems: string[] } {
  if (text.length > MAX_RULE_FILE_BYTES) return tooLarge(text);
  if (isSigmaCorrelation(text)) return parseSigmaCorrelation(text, source, origin, queryProblems);
  const { rule, problems } = parseSigmaRule(text, source);
  if (!rule) return { problems };
  const checks = rule.query.flatMap(queryProblems);
  if (!RULE_ID.test(rule.id))
    checks.push(`The id "${rule.id}" made from the file name is not usable in detection:<id>.`);
  return checks.length > 0 ? { problems: checks } : { rule: { ...rule, origin, file: source }, problems: [] };
}

function queryProblems(q: string): string[] {
  const parsed = parseQuery(q);
  const out = parsed.errors.map((e) => `"query" ${JSON.stringify(q.slice(0, 80))}: ${e}`);
  if (parsed.terms.length === 0 && out.length === 0) out.push('"query" is empty: it would match every event.');
  // The IP terms (country:, asn:, org:, aws:, awsService:) depend on the event's own address
  // only; detection: and the other families depend on what else ran.
  if (parsed.terms.some((t) => t.kind === 'set' && !IP_FAMILIES.has(t.set)))
    out.push(
      `"query" ${JSON.stringify(q.slice(0, 80))}: a rule cannot use detection: terms (rules run in no set order).`,
    );
  if (parsed.terms.some((t) => t.kind === 'time' || (t.kind === 'text' && !t.negate))) {
    out.push(
      `"query" ${JSON.stringify(q.slice(0, 80))}: use field: and path terms only; free text is fuzzy and times are relative, so the rule would not mean the same thing twice.`,
    );
  }
  return out;
}

function parseThreshold(v: unknown, problems: string[]): Threshold | undefined {
  const bad = (): undefined => {
    problems.push(
      '"threshold" is {"count": 2 or more, "withinMinutes": more than 0, "by": an optional field name or path}.',
    );
    return undefined;
  };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad();
  const t = v as Record<string, unknown>;
  if (Object.keys(t).some((k) => k !== 'count' && k !== 'withinMinutes' && k !== 'by')) return bad();
  if (typeof t.count !== 'number' || !Number.isInteger(t.count) || t.count < 2 || t.count > 1_000_000) return bad();
  if (typeof t.withinMinutes !== 'number' || !(t.withinMinutes > 0) || t.withinMinutes > 525_600) return bad();
  if (t.by !== undefined && (typeof t.by !== 'string' || !isValueName(t.by))) {
    problems.push(
      `"threshold.by" must name a single-valued field (principal, accessKey, ip, …) or a path (requestParameters.secretId).`,
    );
    return undefined;
  }
  return t.by === undefined
    ? { count: t.count, withinMinutes: t.withinMinutes }
    : { count: t.count, withinMinutes: t.withinMinutes, by: t.by };
}

function parseCompare(v: unknown, problems: string[]): Compare | undefined {
  const keys = typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.keys(v) : [];
  const op = keys[0];
  const pair = keys.length === 1 ? (v as Record<string, unknown>)[op] : undefined;
  if (
    (op !== 'differs' && op !== 'notContains') ||
    !Array.isArray(pair) ||
    pair.length !== 2 ||
    !pair.every((p) => typeof p === 'string' && isValueName(p))
  ) {
    problems.push(
      '"compare" is {"differs": [a, b]} or {"notContains": [a, b]}, where a and b name a field (principal, …) or a path (userIdentity.userName).',
    );
    return undefined;
  }
  const names: [string, string] = [pair[0] as string, pair[1] as string];
  return op === 'differs' ? { differs: names } : { notContains: names };
}

function stringList(v: unknown, key: string, problems: string[], ok: (s: string) => boolean, what: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string' && ok(s))) {
    problems.push(`"${key}" is a list of ${what}.`);
    return [];
  }
  return v as string[];
}

export interface RuleLibrary {
  /** Every usable rule, built-in ones first (in file-name order), then the user's. */
  rules: DetectionRule[];
  /** Files left out, each with what is wrong (`pack` names the pack a refused file belongs to). */
  problems: Array<{ origin: DetectionRule['origin']; file: string; problems: string[]; pack?: string }>;
  /** Built-in rules a user rule replaced. */
  overridden: Array<{ id: string; file: string }>;
}

/** Whether a file name is a rule file, and which parser reads it. */
function parserOf(name: string): typeof parseRule | undefined {
  if (/\.json$/i.test(name)) return parseRule;
  if (/\.ya?ml$/i.test(name)) return parseSigmaFile;
  return undefined;
}

/**
 * Builds the rule set from the built-in files and the user's (`name` a file name, `text` its
 * contents; `.json` files are JSON rules, `.yml`/`.yaml` Sigma rules, others are skipped).
 * A user rule with a built-in id replaces it; two files with one id keep the first (by name) and
 * report the second. `pack` (pack.ts's loadPack) adds a rule pack's rules after the built-in ones
 * and lists the rules it refused.
 */
export function loadRules(builtIn: readonly RuleFile[], user: readonly RuleFile[] = [], pack?: PackRules): RuleLibrary {
  const lib: RuleLibrary = { rules: [], problems: [], overridden: [] };
  const byId = new Map<string, DetectionRule>();
  // A pack's rules come after ours (its ids are SigmaHQ's file names): ours win a clash.
  const addPack = (): void => {
    if (!pack) return;
    for (const r of pack.rules) {
      const key = r.id.toLowerCase();
      if (byId.has(key))
        lib.problems.push({
          origin: r.origin,
          file: r.file,
          problems: [`The id "${r.id}" is already used by a built-in rule; the pack's rule was left out.`],
        });
      else byId.set(key, r);
    }
    for (const p of pack.refused)
      lib.problems.push({ origin: 'built-in', file: p.file, problems: p.problems, pack: pack.pack.name });
  };
  const take = (files: readonly RuleFile[], origin: DetectionRule['origin']): void => {
    const seen = new Map<string, string>();
    for (const f of [...files]
      .filter((x) => parserOf(x.name))
      .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))) {
      const { rule, problems } = parserOf(f.name)!(f.text, f.name, origin);
      if (!rule) {
        lib.problems.push({ origin, file: f.name, problems });
        continue;
      }
      const key = rule.id.toLowerCase();
      const first = seen.get(key);
      if (first !== undefined) {
        lib.problems.push({
          origin,
          file: f.name,
          problems: [`The id "${rule.id}" is already used by ${first}; this file was left out.`],
        });
        continue;
      }
      seen.set(key, f.name);
      const prior = byId.get(key);
      if (prior && origin === 'user') lib.overridden.push({ id: prior.id, file: f.name });
      byId.set(key, rule);
    }
  };
  take(builtIn, 'built-in');
  addPack();
  take(user, 'user');
  lib.rules = [...byId.values()];
  return lib;
}
