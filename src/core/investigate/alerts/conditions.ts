/**
 * A detection rule's queries in the common form of model.ts: each field term mapped to the keys of
 * the CloudTrail record it is read from (records.ts), each path term to its leaves, each value to
 * tests. What no AWS pattern can say — free text, derived names, resources, regexes, JSON text,
 * comparisons, bursts — is named here as a Difference, once for both targets.
 */
import type { IndexedField } from '../../model/fields';
import { roleSessionsGlob } from '../../model/principal';
import { parseQuery, type FieldTerm, type PathTerm, type Term } from '../../query/query';
import type { DetectionRule } from '../detections/rules';
import {
  ANY_VALUE,
  flip,
  leavesOf,
  type Difference,
  type Expr,
  type Location,
  type QueryForm,
  type TermRef,
  type ValueTest,
} from './model';

/** The record keys behind each store field (records.ts), and how faithfully. */
const FIELD_KEYS: Record<IndexedField, { loc?: Location; approx?: { direction: 'fewer' | 'both'; why: string } }> = {
  eventName: { loc: ['eventName'] },
  eventSource: { loc: ['eventSource'] },
  awsRegion: { loc: ['awsRegion'] },
  sourceIp: { loc: ['sourceIPAddress'] },
  userAgent: { loc: ['userAgent'] },
  errorCode: { loc: ['errorCode'] },
  errorMessage: { loc: ['errorMessage'] },
  eventType: { loc: ['eventType'] },
  eventCategory: { loc: ['eventCategory'] },
  readOnly: { loc: ['readOnly'] },
  identityType: { loc: ['userIdentity', 'type'] },
  accessKeyId: { loc: ['userIdentity', 'accessKeyId'] },
  principalArn: { loc: ['userIdentity', 'arn'] },
  account: {
    loc: ['recipientAccountId'],
    approx: {
      direction: 'fewer',
      why: 'CloudTrail Lens reads the account from recipientAccountId, or from userIdentity.accountId when an event has none; the alert reads recipientAccountId only',
    },
  },
  principal: {
    loc: ['userIdentity', 'userName'],
    approx: {
      direction: 'both',
      why: "a principal's short name (role/session, root, a service) is made by CloudTrail Lens and is in no single key; the alert compares userIdentity.userName and userIdentity.arn",
    },
  },
  resources: {},
};

/** Compiles every query of a rule, and the rule-level differences (threshold, compare). */
export function ruleForms(rule: DetectionRule): { queries: QueryForm[]; differences: Difference[] } {
  const differences: Difference[] = [];
  if (rule.threshold) {
    const by = rule.threshold.by ? `, per ${rule.threshold.by}` : '';
    differences.push({
      kind: 'threshold',
      direction: 'more',
      text: `The rule keeps only bursts (${rule.threshold.count} or more within ${rule.threshold.withinMinutes} minutes${by}); the pattern matches every single event of the burst's query.`,
    });
  }
  // First-seen and correlation rules judge an event by others (ruleKinds.ts); an alert sees one.
  if (rule.firstSeen || rule.correlation || rule.travel) {
    const what = rule.firstSeen
      ? `only combinations of ${rule.firstSeen.fields.join(' + ')} not seen in the ${rule.firstSeen.baselineDays} days before`
      : rule.travel
        ? `only events an impossible trip (over ${rule.travel.minKm} km, faster than ${rule.travel.maxKmh} km/h) from the same ${rule.travel.by.join(' + ')}'s event before`
        : `only ${rule.correlation!.type} correlations within ${rule.correlation!.withinMinutes} minutes`;
    differences.push({
      kind: 'threshold',
      direction: 'more',
      text: `The rule keeps ${what}; an alert sees one event at a time, so it matches every candidate event of the rule's queries.`,
    });
  }
  if (rule.compare) {
    const c = rule.compare;
    const [op, [a, b]] =
      'differs' in c
        ? ['differs from', c.differs]
        : 'notContains' in c
          ? ['does not contain', c.notContains]
          : [c.negate ? 'does not equal' : 'equals', c.equals];
    differences.push({
      kind: 'compare',
      direction: 'more',
      text: `The rule keeps events where ${a} ${op} ${b}; no AWS pattern compares two values of one event, so the alert matches the events either way.`,
    });
  }
  return { queries: rule.query.map((q, i) => queryForm(q, i)), differences };
}

/** One query: its terms ANDed, each dropped or translated. */
export function queryForm(query: string, index: number): QueryForm {
  const parsed = parseQuery(query);
  const items: Expr[] = [];
  const differences: Difference[] = [];
  const dropped: TermRef[] = [];
  parsed.terms.forEach((term, t) => {
    const ref = { query: index, term: t };
    const r = termExpr(term, ref);
    differences.push(...r.differences);
    if (r.expr) items.push(r.expr);
    else dropped.push(ref);
  });
  return { expr: { op: 'and', items }, differences, dropped };
}

function drop(ref: TermRef, text: string): { differences: Difference[] } {
  return {
    differences: [
      {
        kind: 'term',
        direction: 'more',
        ref,
        text: `${text} The alert leaves the term out, so it matches more events than the rule.`,
      },
    ],
  };
}

/** A term as typed, for sentences. */
function label(term: Term): string {
  if (term.kind === 'field' || term.kind === 'path')
    return `${term.negate ? '-' : ''}${term.name}:${term.values.join(',')}${term.patterns?.length ? ' (patterns)' : ''}`;
  if (term.kind === 'set') return `${term.negate ? '-' : ''}${term.name}:${term.values.join(',')}`;
  if (term.kind === 'text') return `${term.negate ? '-' : ''}${term.text}`;
  return term.kind;
}

function termExpr(term: Term, ref: TermRef): { expr?: Expr; differences: Difference[] } {
  if (term.kind === 'text')
    return drop(
      ref,
      `"${label(term)}" excludes events containing a word in any field; no AWS pattern searches every field.`,
    );
  if (term.kind === 'set')
    return drop(
      ref,
      `"${label(term)}" is answered from CloudTrail Lens's own data (IP data sets, detections), which an AWS pattern cannot consult.`,
    );
  if (term.kind !== 'field' && term.kind !== 'path') return drop(ref, `"${label(term)}" is not a value test.`);
  const tests = valueTests(term);
  if ('problem' in tests) return drop(ref, `"${label(term)}": ${tests.problem}`);
  const differences: Difference[] = [];
  let locs: Location[];
  let emptyMeansAll: boolean;
  if (term.kind === 'path') {
    if (term.segments.length === 0) return drop(ref, `"${label(term)}" looks at every value of the event.`);
    if (term.json)
      return drop(ref, `"${label(term)}" matches the JSON text of an object, which AWS patterns cannot see.`);
    locs = leavesOf(term.segments);
    // A path's '' means every value under it is empty.
    emptyMeansAll = true;
  } else {
    const r = fieldLocations(term, ref, tests.tests);
    if ('problem' in r) return drop(ref, `"${label(term)}": ${r.problem}`);
    locs = r.locs;
    differences.push(...r.differences);
    tests.tests = r.tests;
    emptyMeansAll = false;
  }
  const parts: Expr[] = [];
  const empties: Expr[] = [];
  const path = term.kind === 'path' ? { path: true } : {};
  if (tests.tests.length > 0)
    for (const loc of locs) parts.push({ op: 'match', loc, tests: tests.tests, negate: term.negate, ref, ...path });
  if (tests.empty)
    for (const loc of locs) empties.push({ op: 'match', loc, tests: [ANY_VALUE], negate: !term.negate, ref, ...path });
  // Positive: any location matches, or (with '') the empty test holds; negated: the complement.
  const emptyPart: Expr | undefined =
    empties.length === 0 ? undefined : { op: emptyMeansAll !== term.negate ? 'and' : 'or', items: empties };
  const expr: Expr = term.negate
    ? { op: 'and', items: [...parts, ...(emptyPart ? [emptyPart] : [])] }
    : { op: 'or', items: [...parts, ...(emptyPart ? [emptyPart] : [])] };
  return { expr, differences };
}

/** The tests of a field or path term's alternatives; `empty` for a '' alternative. */
function valueTests(term: FieldTerm | PathTerm): { tests: ValueTest[]; empty: boolean } | { problem: string } {
  const tests: ValueTest[] = [];
  let empty = false;
  for (const v of term.values) {
    if (v === '') empty = true;
    else if (term.literal || !v.includes('*')) tests.push({ kind: 'exact', value: v });
    else tests.push({ kind: 'glob', parts: collapse(v.split('*')) });
  }
  for (const p of term.patterns ?? []) {
    if (p.kind === 'regex')
      return {
        problem: `the regular expression /${p.source}/${p.flags} has no equivalent in CloudWatch metric filters or EventBridge patterns.`,
      };
    tests.push(p.kind === 'glob' ? { kind: 'glob', parts: collapse(p.parts) } : { kind: 'cidr', text: p.text });
  }
  return { tests, empty };
}

/** `a**b` means `a*b`: empty inner parts go (the ends stay, as they say "starts/ends anywhere"). */
function collapse(parts: string[]): string[] {
  return parts.filter((p, i) => p !== '' || i === 0 || i === parts.length - 1);
}

function fieldLocations(
  term: FieldTerm,
  ref: TermRef,
  tests: ValueTest[],
): { locs: Location[]; tests: ValueTest[]; differences: Difference[] } | { problem: string } {
  const locs: Location[] = [];
  const differences: Difference[] = [];
  let out = tests;
  for (const f of term.fields) {
    const k = FIELD_KEYS[f];
    if (!k.loc)
      return {
        problem: `${f} collects names from the resources list and request parameters, in no one key of the event.`,
      };
    if (f === 'principal' && tests.every((t) => t.kind === 'exact' && /^arn:/i.test(t.value))) continue; // an ARN is never a short name
    if (k.approx)
      differences.push({
        kind: 'term',
        direction: flip(k.approx.direction, term.negate),
        ref,
        text: `"${label(term)}": ${k.approx.why}.`,
      });
    if (f === 'principalArn') {
      // A role's IAM ARN finds its sessions' events (search.ts does the same).
      const sessions = tests
        .flatMap((t) => (t.kind === 'exact' ? [roleSessionsGlob(t.value.trim())] : []))
        .filter((g): g is string => g !== undefined);
      out = [...out, ...sessions.map((g): ValueTest => ({ kind: 'glob', parts: g.split('*') }))];
    }
    locs.push(k.loc);
  }
  return { locs, tests: out, differences };
}
