/**
 * The form a detection rule takes on its way to an AWS alert: each query a boolean expression of
 * value tests at JSON locations of the CloudTrail record, and every place the translation is not
 * exact named as a Difference. Both targets (metric filters, EventBridge) start from this.
 */

/** Which term of which of the rule's queries (indexes into `rule.query` and the parsed terms). */
export interface TermRef {
  query: number;
  term: number;
}

/**
 * How the alert's matches differ from the rule's: `more` = the alert also matches events the rule
 * does not (a term was dropped or widened), `fewer` = it misses some the rule matches, `both`.
 */
export type Direction = 'more' | 'fewer' | 'both';

export interface Difference {
  direction: Direction;
  /**
   * `term`: one term (see `ref`) was dropped or approximated; `threshold` / `compare`: the rule's
   * burst or comparison; `case`: values compare case-sensitively where the rule ignores case.
   */
  kind: 'term' | 'threshold' | 'compare' | 'case';
  ref?: TermRef;
  /** A sentence for the export's reader. */
  text: string;
}

/** One alternative of a term's value: an exact value (ignoring case) or a `*` glob. */
export type ValueTest =
  | { kind: 'exact'; value: string }
  /** Text between `*`s, ignoring case; never matches an empty value (as the engine's globs). */
  | { kind: 'glob'; parts: string[] }
  /** An IP range (CIDR); `text` also matches itself. */
  | { kind: 'cidr'; text: string };

/** A place in the CloudTrail record: JSON keys from its root. */
export type Location = readonly string[];

export type Expr =
  | { op: 'and' | 'or'; items: Expr[] }
  /**
   * Some value at `loc` passes some test (negate: no value at `loc` passes any; a missing location
   * passes a negated match). `ref` names the term it came from; `path`: a path term's (its value
   * may be of any JSON type), not a field's (CloudTrail writes those as strings or true/false).
   */
  | { op: 'match'; loc: Location; tests: ValueTest[]; negate: boolean; ref: TermRef; path?: boolean };

/** One query of the rule in the common form, with what its translation already lost. */
export interface QueryForm {
  expr: Expr;
  differences: Difference[];
  /** Terms left out (their differences say so), for targets that report per term. */
  dropped: TermRef[];
}

/** Flips a direction for a negated term: widening an excluded set narrows the result. */
export function flip(d: Direction, negate: boolean): Direction {
  if (!negate || d === 'both') return d;
  return d === 'more' ? 'fewer' : 'more';
}

/** Combines directions: `more` and `fewer` together are `both`. */
export function joinDirections(ds: readonly Direction[]): Direction | undefined {
  const more = ds.some((d) => d !== 'fewer');
  const fewer = ds.some((d) => d !== 'more');
  if (ds.length === 0) return undefined;
  return more && fewer ? 'both' : more ? 'more' : 'fewer';
}

/**
 * What CloudTrail lens knows of the shape of CloudTrail records along a path (lower-case dotted):
 * `array` holds a list, `maybe` a list or a single value (IAM policies, S3 ACL grants), `children`
 * are the leaves under an object that a term on the object itself means (a path term on an object
 * matches any value under it; AWS patterns compare leaves only). Keys are matched exactly by AWS.
 */
export interface Shape {
  array?: 'always' | 'maybe';
  /** Relative dotted paths of the leaves under this object; '' is the node itself (a string). */
  children?: readonly string[];
}

const SHAPES: ReadonlyMap<string, Shape> = new Map<string, Shape>([
  ['resources', { array: 'always' }],
  ['requestparameters.eventselectors', { array: 'always' }],
  ['requestparameters.eventselectors.excludemanagementeventsources', { array: 'always' }],
  ['requestparameters.eventselectors.dataresources', { array: 'always' }],
  ['requestparameters.eventselectors.dataresources.values', { array: 'always' }],
  ['requestparameters.advancedeventselectors', { array: 'always' }],
  ['requestparameters.bucketpolicy.statement', { array: 'maybe' }],
  ['requestparameters.bucketpolicy.statement.principal', { children: ['', 'AWS'] }],
  ['requestparameters.bucketpolicy.statement.principal.aws', { array: 'maybe' }],
  ['requestparameters.bucketpolicy.statement.principal.service', { array: 'maybe' }],
  ['requestparameters.bucketpolicy.statement.action', { array: 'maybe' }],
  ['requestparameters.accesscontrolpolicy.accesscontrollist.grant', { array: 'maybe' }],
  ['requestparameters.x-amz-acl', { array: 'maybe' }],
  ['requestparameters.valuestoadd', { array: 'always' }],
  ['requestparameters.valuestoremove', { array: 'always' }],
  [
    'requestparameters.launchpermission.add',
    { children: ['items.group', 'items.userId', 'items.organizationArn', 'items.organizationalUnitArn'] },
  ],
  ['requestparameters.launchpermission.add.items', { array: 'always' }],
  ['requestparameters.launchpermission.remove.items', { array: 'always' }],
  ['requestparameters.createvolumepermission.add', { children: ['items.group', 'items.userId'] }],
  ['requestparameters.createvolumepermission.add.items', { array: 'always' }],
  ['requestparameters.createvolumepermission.remove.items', { array: 'always' }],
  [
    'requestparameters.publicaccessblockconfiguration',
    { children: ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] },
  ],
  ['requestparameters.ippermissions.items', { array: 'always' }],
  ['requestparameters.ippermissions.items.ipranges.items', { array: 'always' }],
  ['requestparameters.instancesset.items', { array: 'always' }],
]);

/** The known shape at a location (undefined: a plain leaf, as far as is known). */
export function shapeAt(loc: Location): Shape | undefined {
  return SHAPES.get(loc.join('.').toLowerCase());
}

/** The leaf locations a term on `loc` means: `loc` itself, or the known leaves under it. */
export function leavesOf(loc: Location): Location[] {
  const children = shapeAt(loc)?.children;
  if (!children) return [loc];
  return children.map((c) => (c === '' ? loc : [...loc, ...c.split('.')]));
}

/** For each prefix of `loc` (1..n keys), its array shape: what target compilers need to index. */
export function arraysAlong(loc: Location): Array<Shape['array']> {
  return loc.map((_, i) => shapeAt(loc.slice(0, i + 1))?.array);
}

/** `true`/`false` as the engine reads them (ignoring case). */
export function booleanValue(v: string): boolean | undefined {
  const l = v.toLowerCase();
  return l === 'true' ? true : l === 'false' ? false : undefined;
}

/** A plain decimal number as JSON writes one (the engine compares its text, so `5` is "5"). */
export function numericValue(v: string): number | undefined {
  return /^-?(0|[1-9]\d{0,14})(\.\d{1,6})?$/.test(v) ? Number(v) : undefined;
}

/** Whether a value test, as the engine evaluates it, accepts the text `v`. */
export function testAccepts(t: ValueTest, v: string): boolean {
  const lv = v.toLowerCase();
  if (t.kind === 'exact') return lv === t.value.toLowerCase();
  if (t.kind === 'cidr') return lv === t.text.toLowerCase();
  if (v === '') return false;
  const parts = t.parts.map((p) => p.toLowerCase());
  if (parts.length === 1) return lv === parts[0];
  if (
    !lv.startsWith(parts[0]) ||
    !lv.endsWith(parts[parts.length - 1]) ||
    lv.length < parts[0].length + parts[parts.length - 1].length
  )
    return false;
  let at = parts[0].length;
  const end = lv.length - parts[parts.length - 1].length;
  for (let i = 1; i < parts.length - 1; i++) {
    const found = lv.indexOf(parts[i], at);
    if (found < 0 || found + parts[i].length > end) return false;
    at = found + parts[i].length;
  }
  return true;
}

/** The glob that means "any non-empty value" (`field:*`). */
export const ANY_VALUE: ValueTest = { kind: 'glob', parts: ['', ''] };

/** Whether a test is ANY_VALUE (every part empty). */
export function isAnyValue(t: ValueTest): boolean {
  return t.kind === 'glob' && t.parts.every((p) => p === '');
}

/** The term an expression came from (its first match). */
export function refOf(e: Expr): TermRef {
  return e.op === 'match' ? e.ref : refOf(e.items[0]);
}

/** Whether any match in the expression is negated. */
export function hasNegated(e: Expr): boolean {
  return e.op === 'match' ? e.negate : e.items.some(hasNegated);
}

/** Whether any match in the expression tests a JSON path (not an indexed field). */
export function isPath(e: Expr): boolean {
  return e.op === 'match' ? !!e.path : e.items.some(isPath);
}
