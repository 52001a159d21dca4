/**
 * The search language compiled to Athena SQL (Trino dialect, engine v3) over the CloudTrail table
 * of athenaTable.ts. Field, path and time terms become exact predicates where SQL can say exactly
 * what the local engine means; the rest (resources, free text over resources, paths into JSON text
 * columns, `json.`/`any:`) go out as a looser predicate that keeps every matching event and are
 * checked on the rows that come back (remoteFilter.ts). Terms nothing can send (`detection:`, a
 * field the table does not have) are named in `unsupported`. Time bounds also become predicates on
 * the day partition, so a query over one day reads that day's files.
 *
 * Free text looks, as a substring ignoring case, in ATHENA_TEXT_FIELDS (search.ts TEXT_FIELDS):
 * eventName, the principal's name and ARN, access key, source IP, error code, event source,
 * resources, region, account and user agent.
 */
import {
  type AthenaTableRef,
  CLOUDTRAIL_COLUMNS,
  formatDay,
  type HiveType,
  JSON_TEXT_COLUMNS,
  schemaLeaf,
} from '../aws/athenaTable';
import type { PartitionSelection } from '../aws/scanEstimate';
import type { IndexedField } from '../model/fields';
import { roleSessionsGlob } from '../model/principal';
import { AthenaColumns } from './athenaColumns';
import { javaRegex } from './javaRegex';
import type { FieldTerm, ParsedQuery, PathTerm, Term, TextTerm, ValuePattern } from './query';
import { rawPiece, remoteNotes, remoteTerms, type RemotePlan } from './remoteFilter';
import { TEXT_FIELDS } from './search';
import { alternativesSql, anyOf, caseExact, containsSql, globSql, sqlIdent, sqlString } from './sqlText';

/** The fields free text searches, remotely as locally. */
export const ATHENA_TEXT_FIELDS: readonly IndexedField[] = TEXT_FIELDS;

/** Most rows a query brings back by default (GetQueryResults pages of 1,000). */
export const DEFAULT_ATHENA_LIMIT = 1000;

const DAY = 86_400_000;

export interface AthenaQueryOptions {
  table: AthenaTableRef;
  /** A time window on top of the query's own time terms (epoch ms, [start, end)). */
  window?: { start?: number; end?: number };
  limit?: number;
  /**
   * Days after the range's end whose day partitions are read too (default 1): CloudTrail files
   * land in the folder of the day they are delivered, which may be later than their events.
   */
  lateDays?: number;
}

export interface CompiledAthenaQuery extends RemotePlan {
  sql: string;
  /** The WHERE conditions on partition columns (a subset of the SQL's), for display and the bench. */
  partitionPredicates: string[];
  /** The partition values the predicates keep (the cost estimate lists exactly these prefixes). */
  partitions: PartitionSelection;
  /** The columns selected, lower-case, as the result rows name them. */
  columns: string[];
  /** The limit asked for; the SQL asks one more row, to know when the result was cut. */
  limit: number;
  /** The time range the query covers, epoch ms. */
  range: { start?: number; end?: number };
}

/** A term's SQL: `sql` undefined means no condition; `exact` false means it keeps extra rows. */
interface Compiled {
  sql?: string;
  exact: boolean;
}

const typeOf = new Map<string, HiveType>(CLOUDTRAIL_COLUMNS.map(([n, t]) => [n.toLowerCase(), t]));
const canonical = new Map<string, string>(CLOUDTRAIL_COLUMNS.map(([n]) => [n.toLowerCase(), n]));

class Compiler {
  readonly cols: AthenaColumns;
  readonly unsupported: string[] = [];
  readonly notes: string[] = [];

  constructor(readonly table: AthenaTableRef) {
    this.cols = new AthenaColumns(table);
  }

  /** Text of the whole event as the table holds it, for looser filters: every column, objects as JSON. */
  private wholeEvent(): string[] {
    return CLOUDTRAIL_COLUMNS.filter(([n]) => this.cols.has([n])).map(([n, t]) =>
      t === 'string'
        ? `lower(${this.cols.text(n)})`
        : `lower(COALESCE(json_format(CAST(${sqlIdent(n.toLowerCase())} AS JSON)), ''))`,
    );
  }

  /** Rows whose text holds `piece` (lower-case) in one of `texts` (lower-case expressions). */
  private static holding(texts: readonly string[], piece: string): string {
    return anyOf(texts.map((t) => `strpos(${t}, ${sqlString(piece)}) > 0`));
  }

  /**
   * A looser filter for a positive term: rows whose text (`texts`) holds a piece of every
   * alternative; undefined (no condition) when some alternative has no usable piece.
   */
  private looser(
    texts: readonly string[],
    values: readonly string[],
    literal: boolean,
    patternCount: number,
  ): string | undefined {
    if (patternCount > 0) return undefined;
    const parts: string[] = [];
    for (const v of values) {
      const piece = v === '' ? undefined : rawPiece(v, !literal);
      if (!piece) return undefined;
      parts.push(Compiler.holding(texts, piece));
    }
    return anyOf(parts);
  }

  private resourcesText(): string[] {
    return [
      this.cols.has(['resources']) ? `lower(COALESCE(json_format(CAST("resources" AS JSON)), ''))` : '',
      `lower(${this.cols.text('requestParameters')})`,
    ].filter(Boolean);
  }

  field(term: FieldTerm): Compiled {
    const exact: string[] = [];
    const loose: string[] = [];
    let unbounded = false;
    for (const f of term.fields) {
      const x = this.cols.field(f);
      if (x === undefined) {
        const l = this.looser(this.resourcesText(), term.values, !!term.literal, term.patterns?.length ?? 0);
        if (l === undefined) unbounded = true;
        else loose.push(l);
        continue;
      }
      exact.push(alternativesSql(x, term.values, !!term.literal, term.patterns));
      if (f === 'principalArn') {
        for (const v of term.values) {
          const glob = roleSessionsGlob(v.trim());
          if (glob) exact.push(globSql(x, glob.toLowerCase().split('*')));
        }
      }
    }
    return combine(exact, loose, unbounded, term.negate);
  }

  text(term: TextTerm): Compiled {
    const exact: string[] = [];
    let loose: string | undefined;
    let unbounded = false;
    for (const f of ATHENA_TEXT_FIELDS) {
      const x = this.cols.field(f);
      if (x === undefined) {
        const piece = rawPiece(term.text, false);
        if (piece) loose = Compiler.holding(this.resourcesText(), piece);
        else unbounded = true;
        continue;
      }
      exact.push(containsSql(x, term.text));
      const glob = f === 'principalArn' ? roleSessionsGlob(term.text.trim()) : undefined;
      if (glob) exact.push(globSql(x, glob.toLowerCase().split('*')));
    }
    return combine(exact, loose ? [loose] : [], unbounded, !!term.negate);
  }

  path(term: PathTerm): Compiled | undefined {
    const values = term.values;
    const patterns = term.patterns ?? [];
    const positive = !term.negate;
    if (term.segments.length === 0 || term.json) {
      // any: and json.<path>: read the event's JSON text, which only the rows coming back have.
      const l = positive ? this.looser(this.wholeEvent(), values, !!term.literal, patterns.length) : undefined;
      return { sql: l, exact: false };
    }
    const [root, ...rest] = term.segments;
    const col = root.toLowerCase();
    const type = typeOf.get(col);
    if (!type || !this.cols.has([col])) {
      this.unsupported.push(`${term.name}: the Athena table has no column ${root}.`);
      return undefined;
    }
    if (type === 'string' && !JSON_TEXT_COLUMNS.has(canonical.get(col)!)) {
      if (rest.length > 0) {
        // A scalar has nothing under it: only "empty" alternatives match.
        const sql = values.includes('') ? 'TRUE' : 'FALSE';
        return { sql: term.negate ? (sql === 'TRUE' ? 'FALSE' : 'TRUE') : sql, exact: true };
      }
      const sql = alternativesSql(this.cols.text(root), values, !!term.literal, patterns);
      return { sql: term.negate ? `NOT ${sql}` : sql, exact: true };
    }
    if (type === 'string') {
      // JSON text: the last key must be there for any non-empty match; a piece of the value too.
      if (!positive || values.includes('')) return { exact: false };
      const text = `lower(${this.cols.text(root)})`;
      const key = rest.length > 0 ? rawPiece(rest[rest.length - 1], false) : undefined;
      const keyCond =
        key && key === rest[rest.length - 1].toLowerCase()
          ? `strpos(${text}, ${sqlString(`"${key}"`)}) > 0`
          : undefined;
      const valueCond = this.looser([text], values, !!term.literal, patterns.length);
      const sql = [keyCond, valueCond].filter(Boolean).join(' AND ') || undefined;
      return { sql, exact: false };
    }
    const leaf = schemaLeaf(type, rest);
    if (leaf === 'missing') {
      this.unsupported.push(
        `${term.name}: the Athena table keeps only the fields CloudTrail documents under ${root}; ${term.segments.join('.')} is not one of them.`,
      );
      return undefined;
    }
    if (leaf) {
      const sql = alternativesSql(this.cols.text(root, ...leaf), values, !!term.literal, patterns);
      return { sql: term.negate ? `NOT ${sql}` : sql, exact: true };
    }
    // An object or array at the end: the scalars under it are checked on the rows that come back.
    const text = `lower(COALESCE(json_format(CAST(${sqlIdent(col)} AS JSON)), ''))`;
    return { sql: positive ? this.looser([text], values, !!term.literal, patterns.length) : undefined, exact: false };
  }
}

/**
 * A term's SQL from the exact parts (ORed) and looser parts (each keeping extra rows). Negated:
 * NOT of the exact parts only, which still keeps every row the term keeps.
 */
function combine(exact: string[], loose: string[], unbounded: boolean, negate: boolean): Compiled {
  const isExact = loose.length === 0 && !unbounded;
  if (negate) return { sql: exact.length ? `NOT ${anyOf(exact)}` : undefined, exact: isExact };
  if (unbounded) return { exact: false };
  return { sql: anyOf([...exact, ...loose]), exact: isExact };
}

/** Select list: strings as they are, objects as JSON text (exact, unlike Athena's row rendering). */
function selectList(cols: AthenaColumns): { select: string[]; columns: string[] } {
  const select: string[] = [];
  const columns: string[] = [];
  for (const [name, type] of CLOUDTRAIL_COLUMNS) {
    if (!cols.has([name])) continue;
    const id = sqlIdent(name.toLowerCase());
    select.push(type === 'string' ? id : `json_format(CAST(${id} AS JSON)) AS ${id}`);
    columns.push(name.toLowerCase());
  }
  return { select, columns };
}

/**
 * Predicates on the account and region partitions from the terms that name them exactly: in the
 * key layout CloudTrail delivers, the region folder is the event's awsRegion and the account
 * folder its recipientAccountId. Only positive terms of plain values prune (a glob, regex or
 * negation reads every folder); `account:` cannot, since it falls back to userIdentity.accountId.
 * The notes say which terms pruned.
 */
function folderPredicates(
  c: Compiler,
  table: AthenaTableRef,
  terms: ReadonlyArray<FieldTerm | PathTerm | TextTerm>,
  sel: PartitionSelection,
): string[] {
  const out: string[] = [];
  const pruned: string[] = [];
  for (const t of terms) {
    const target =
      t.kind === 'field' && t.fields.length === 1 && t.fields[0] === 'awsRegion'
        ? table.partitions.region
        : t.kind === 'path' && !t.json && t.segments.length === 1 && t.segments[0].toLowerCase() === 'awsregion'
          ? table.partitions.region
          : t.kind === 'path' &&
              !t.json &&
              t.segments.length === 1 &&
              t.segments[0].toLowerCase() === 'recipientaccountid'
            ? table.partitions.account
            : undefined;
    if (t.kind === 'field' && t.fields.includes('account') && !t.negate && table.partitions.account)
      c.notes.push(
        `${t.name}: does not prune the account partition (it also matches userIdentity.accountId); recipientAccountId: does.`,
      );
    if (!target || (t.kind !== 'field' && t.kind !== 'path') || t.negate || (t.patterns?.length ?? 0) > 0) continue;
    const values = t.values.map((v) => v.trim());
    if (!values.length || values.some((v) => v === '' || (!t.literal && v.includes('*')) || !/^[A-Za-z0-9-]+$/.test(v)))
      continue;
    const kept = [...new Set(values.map((v) => v.toLowerCase()))];
    out.push(`${sqlIdent(target)} IN (${kept.map(sqlString).join(', ')})`);
    // Two terms on one partition: both predicates hold, so the values kept are their intersection.
    const side = target === table.partitions.region ? 'regions' : 'accounts';
    const before = sel[side];
    sel[side] = before ? before.filter((v) => kept.includes(v)) : kept;
    pruned.push(`${t.name} (${target})`);
  }
  if (pruned.length) c.notes.push(`Partitions pruned by ${pruned.join(', ')}.`);
  return out;
}

/** The day partition's predicates for [start, end), `lateDays` more at the end for late delivery. */
function dayPredicates(
  table: AthenaTableRef,
  start: number | undefined,
  end: number | undefined,
  lateDays: number,
  sel: PartitionSelection,
): string[] {
  const day = table.partitions.day;
  if (!day || (start === undefined && end === undefined)) return [];
  // Only a format ordered as its text (yyyy, then MM, then dd) compares as strings.
  const ordered = /^yyyy[^yMd]*MM[^yMd]*dd$/.test(day.format);
  const col = sqlIdent(day.column);
  const first = start === undefined ? undefined : Math.floor(start / DAY) * DAY;
  const last = end === undefined ? undefined : Math.floor((end - 1) / DAY) * DAY + lateDays * DAY;
  if (ordered) {
    sel.firstDay = first;
    sel.lastDay = last;
    return [
      first !== undefined ? `${col} >= ${sqlString(formatDay(first, day.format))}` : '',
      last !== undefined ? `${col} <= ${sqlString(formatDay(last, day.format))}` : '',
    ].filter(Boolean);
  }
  if (first === undefined || last === undefined || (last - first) / DAY > 366) return [];
  const days: string[] = [];
  for (let d = first; d <= last; d += DAY) days.push(sqlString(formatDay(d, day.format)));
  sel.firstDay = first;
  sel.lastDay = last;
  return [`${col} IN (${days.join(', ')})`];
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Compiles a parsed query for Athena. Never throws; what cannot be sent is in `unsupported`. */
export function compileAthena(parsed: ParsedQuery, opts: AthenaQueryOptions): CompiledAthenaQuery {
  const c = new Compiler(opts.table);
  const where: string[] = [];
  const residual: Term[] = [];
  const { start, end, terms, unsupported } = remoteTerms(parsed, opts.window);
  c.unsupported.push(...unsupported);
  for (const term of terms) {
    const regex = term.kind === 'field' || term.kind === 'path' ? regexFit(term.patterns ?? []) : { exact: true };
    const cased =
      term.kind === 'text'
        ? caseExact([term.text])
        : term.kind === 'field' || term.kind === 'path'
          ? caseExact(term.values, term.patterns)
          : true;
    if ('error' in regex) {
      c.unsupported.push(`${(term as FieldTerm | PathTerm).name}: ${regex.error}.`);
      continue;
    }
    const r =
      term.kind === 'field'
        ? c.field(term)
        : term.kind === 'text'
          ? c.text(term)
          : term.kind === 'path'
            ? c.path(term)
            : unknownTerm(c, term);
    if (!r) continue;
    // A narrowing (regex or non-ASCII case) keeps extra rows: a positive term is re-checked, a negated one cannot narrow.
    const fits = regex.exact && cased;
    if (!fits && term.negate) {
      residual.push(term);
      continue;
    }
    if (r.sql) where.push(r.sql);
    if (!r.exact || !fits) residual.push(term);
  }
  const lateDays = Math.max(0, Math.floor(opts.lateDays ?? 1));
  const partitions: PartitionSelection = {};
  const partitionPredicates = [
    ...dayPredicates(opts.table, start, end, lateDays, partitions),
    ...folderPredicates(c, opts.table, terms, partitions),
  ];
  if (end !== undefined && opts.table.partitions.day)
    c.notes.push(
      `Day partitions are read up to ${lateDays} day${lateDays === 1 ? '' : 's'} past the range's end: an event is found if CloudTrail delivered its file within ${lateDays === 0 ? 'the same day' : `${lateDays} day${lateDays === 1 ? '' : 's'}`} of the range's end (setting cloudtrailLens.athena.lateDeliveryDays).`,
    );
  const timeCol = `try(from_iso8601_timestamp(${sqlIdent('eventtime')}))`;
  if (start !== undefined) where.push(`${timeCol} >= from_iso8601_timestamp(${sqlString(iso(start))})`);
  if (end !== undefined) where.push(`${timeCol} < from_iso8601_timestamp(${sqlString(iso(end))})`);
  if (start !== undefined && end !== undefined && end <= start)
    c.notes.push('The time range is empty: after: is not before before:.');
  c.notes.push(...remoteNotes(parsed, residual, 'Athena', 'row limit'));
  const limit = Math.max(1, Math.floor(opts.limit ?? DEFAULT_ATHENA_LIMIT));
  const { select, columns } = selectList(c.cols);
  const conditions = [...partitionPredicates, ...where];
  const sql = [
    `SELECT ${select.join(',\n       ')}`,
    `FROM ${sqlIdent(opts.table.database)}.${sqlIdent(opts.table.name)}`,
    conditions.length ? `WHERE ${conditions.join('\n  AND ')}` : '',
    `ORDER BY ${sqlIdent('eventtime')} DESC`,
    `LIMIT ${limit + 1}`,
  ]
    .filter(Boolean)
    .join('\n');
  return {
    sql,
    partitionPredicates,
    partitions,
    columns,
    limit,
    range: { start, end },
    unsupported: c.unsupported,
    residual,
    notes: c.notes,
  };
}

/** Whether a term's regexes say on Athena exactly what they say locally (javaRegex.ts), or which one cannot be sent. */
function regexFit(patterns: readonly ValuePattern[]): { exact: boolean } | { error: string } {
  let exact = true;
  for (const p of patterns) {
    if (p.kind !== 'regex') continue;
    const j = javaRegex(p.source, p.flags);
    if ('error' in j) return { error: `the regular expression /${p.source}/${p.flags} ${j.error}` };
    exact &&= j.exact;
  }
  return { exact };
}

/** A term kind this compiler does not know (added to the language later): named, never dropped. */
function unknownTerm(c: Compiler, term: never): undefined {
  const t = term as { kind?: string; name?: string };
  c.unsupported.push(`${t.name ?? t.kind ?? 'term'}: this kind of term is not compiled for Athena yet.`);
  return undefined;
}
