/**
 * The engine behind fakeAthena: Athena's CloudTrail tables emulated in DuckDB (@duckdb/node-api,
 * in-process) over a folder laid out like S3 (`<root>/<bucket>/<key>`).
 *
 * - CREATE EXTERNAL TABLE is parsed independently of the code that writes it: the column list
 *   (Hive types → DuckDB types), PARTITIONED BY, the SerDe and input format, LOCATION and the
 *   projection TBLPROPERTIES. Every partition column must be projected (enum values or a date
 *   format and range) and appear in storage.location.template; the files are found by walking the
 *   template over the folder, and loaded as the Hive JSON SerDe reads them (keys ignoring case, an
 *   object in a STRING column kept as its JSON text, a mismatched type NULL).
 * - SELECTs run in DuckDB after the dialect shim below (TRINO_SHIM), the only differences between
 *   the SQL Athena gets and the SQL DuckDB runs.
 * - Data scanned is what Athena would read: the bytes of the files in the partitions left once
 *   the WHERE clause's conjuncts over partition columns alone are applied (Athena's pruning).
 */
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * The Trino → DuckDB shim, all of it:
 * 1. json_format(json) → the JSON's text (DuckDB's CAST(x AS JSON) already names struct fields).
 * 2. regexp_like(s, p) → regexp_matches(s, p) (both find the pattern anywhere). DuckDB's engine
 *    is RE2, Trino's is Joni in Java syntax; the compiler sends patterns rewritten so that Joni
 *    reads them as RE2 does (javaRegex.ts, checked against a real Joni in javaRegex.test.ts), and
 *    those rewrites RE2 also reads the same way (\A, \z, ASCII classes, escaped punctuation), so
 *    the fake answers as Athena would. The rewrites RE2 cannot parse (the look-arounds of \b and
 *    of ^/$ under the m flag) make DuckDB fail the query: the fake refuses them rather than
 *    answering differently.
 * 3. from_iso8601_timestamp(s) → TIMESTAMPTZ, only for ISO text with a 'T' as Trino's parser wants
 *    (DuckDB's cast would also take '2024-01-01 10:00'), NULL otherwise: where Trino raises an
 *    error the compiler always wraps it in try(), which DuckDB has too.
 * 4. contains('<cidr>', try(CAST(x AS IPADDRESS))) → cidr_contains('<cidr>', x): IPv4 only (the
 *    textual rewrite below; DuckDB has no IP type without an extension). IPv6 ranges never match.
 * lower: DuckDB's (utf8proc) maps code point by code point, as Trino's (Java's
 * Character.toLowerCase) does: İ → i, Σ → σ (athenaCase.test.ts checks both).
 * Nothing else differs: strpos, LIKE … ESCAPE, COALESCE/NULLIF/CASE, ||, regexp_extract
 * (the compiler COALESCEs groups, since Trino answers NULL where DuckDB answers '').
 */
export const TRINO_SHIM = [
  `CREATE OR REPLACE MACRO json_format(j) AS CAST(j AS VARCHAR)`,
  `CREATE OR REPLACE MACRO regexp_like(s, p) AS regexp_matches(s, p)`,
  `CREATE OR REPLACE MACRO from_iso8601_timestamp(s) AS CASE WHEN regexp_matches(s, '^\\d{4}-\\d{2}-\\d{2}T') THEN TRY_CAST(s AS TIMESTAMPTZ) END`,
  `CREATE OR REPLACE MACRO ipv4_int(s) AS CASE WHEN regexp_matches(s, '^\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}$') AND list_bool_and(list_transform(string_split(s, '.'), o -> CAST(o AS INTEGER) <= 255)) THEN list_reduce(list_transform(string_split(s, '.'), o -> CAST(o AS BIGINT)), (a, b) -> a * 256 + b) END`,
  `CREATE OR REPLACE MACRO cidr_contains(c, s) AS CASE WHEN strpos(c, ':') > 0 THEN false ELSE (ipv4_int(s) // CAST(pow(2, 32 - CAST(split_part(c, '/', 2) AS INTEGER)) AS BIGINT)) = (ipv4_int(split_part(c, '/', 1)) // CAST(pow(2, 32 - CAST(split_part(c, '/', 2) AS INTEGER)) AS BIGINT)) END`,
];

/** Applies the textual part of the shim (4.) to a query. */
export function shimSql(sql: string): string {
  return sql.replace(/contains\(('[^']*\/\d+')/g, 'cidr_contains($1').replace(/ AS IPADDRESS\)/g, ' AS VARCHAR)');
}

/** A Hive type as DuckDB spells it. */
export function duckType(hive: string): string {
  let at = 0;
  const s = hive.replace(/\s+/g, ' ').trim();
  const skip = (): void => {
    while (s[at] === ' ') at++;
  };
  const word = (): string => {
    skip();
    const m = /^[A-Za-z_][\w]*/.exec(s.slice(at));
    if (!m) throw new Error(`Bad type at ${at}: ${s.slice(at, at + 20)}`);
    at += m[0].length;
    return m[0];
  };
  const expect = (c: string): void => {
    skip();
    if (s[at] !== c) throw new Error(`Expected "${c}" at ${at} in type: ${s.slice(at, at + 20)}`);
    at++;
  };
  const type = (): string => {
    const w = word().toLowerCase();
    if (w === 'string' || w === 'varchar') return 'VARCHAR';
    if (w === 'boolean') return 'BOOLEAN';
    if (w === 'bigint' || w === 'int') return 'BIGINT';
    if (w === 'array') {
      expect('<');
      const t = type();
      expect('>');
      return `${t}[]`;
    }
    if (w === 'map') {
      expect('<');
      const k = type();
      expect(',');
      const v = type();
      expect('>');
      return `MAP(${k}, ${v})`;
    }
    if (w === 'struct') {
      expect('<');
      const fields: string[] = [];
      for (;;) {
        const name = word().toLowerCase();
        expect(':');
        fields.push(`"${name}" ${type()}`);
        skip();
        if (s[at] === ',') at++;
        else break;
      }
      expect('>');
      return `STRUCT(${fields.join(', ')})`;
    }
    throw new Error(`Unknown Hive type ${w}`);
  };
  const t = type();
  skip();
  if (at !== s.length) throw new Error(`Trailing text in type: ${s.slice(at)}`);
  return t;
}

/** A parsed CREATE EXTERNAL TABLE. */
export interface ParsedDdl {
  database: string;
  table: string;
  columns: Array<{ name: string; hive: string; duck: string }>;
  partitions: string[];
  serde: string;
  inputFormat: string;
  location: string;
  properties: Record<string, string>;
}

/** Splits `text` at top-level commas (outside <>, () and quotes). */
function splitTop(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let cur = '';
  for (const c of text) {
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '`') quote = c;
    else if (c === '<' || c === '(') depth++;
    else if (c === '>' || c === ')') depth--;
    if (c === ',' && depth === 0 && !quote) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** The text inside the parenthesis opening at `open`. */
function group(text: string, open: number): { inner: string; end: number } {
  let depth = 0;
  let quote = '';
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return { inner: text.slice(open + 1, i), end: i + 1 };
  }
  throw new Error('Unbalanced parentheses in DDL');
}

const unquoteHive = (s: string): string =>
  s
    .trim()
    .replace(/^'(.*)'$/s, '$1')
    .replace(/\\(.)/g, '$1');
const unticked = (s: string): string => s.replace(/`/g, '');

/** Reads a CREATE EXTERNAL TABLE statement; throws a message like Athena's when it is malformed. */
export function parseDdl(sql: string, defaultDb: string): ParsedDdl {
  const head =
    /^\s*CREATE\s+EXTERNAL\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?((?:`[^`]+`|\w+)(?:\.(?:`[^`]+`|\w+))?)\s*\(/i.exec(sql);
  if (!head) throw new Error('line 1:1: mismatched input. Expecting: CREATE EXTERNAL TABLE');
  const names = head[1].split('.').map(unticked);
  const cols = group(sql, head[0].length - 1);
  const columns = splitTop(cols.inner).map((def) => {
    const m = /^`?(\w+)`?\s+([\s\S]+)$/.exec(def);
    if (!m) throw new Error(`Bad column definition: ${def}`);
    return { name: m[1].toLowerCase(), hive: m[2], duck: duckType(m[2]) };
  });
  const rest = sql.slice(cols.end);
  const part = /PARTITIONED\s+BY\s*\(/i.exec(rest);
  const partitions = part
    ? splitTop(group(rest, part.index + part[0].length - 1).inner).map((p) => unticked(p.split(/\s+/)[0]).toLowerCase())
    : [];
  const serde = /ROW\s+FORMAT\s+SERDE\s+'([^']+)'/i.exec(rest)?.[1] ?? '';
  const inputFormat = /STORED\s+AS\s+INPUTFORMAT\s+'([^']+)'/i.exec(rest)?.[1] ?? '';
  const location = unquoteHive(/LOCATION\s+('(?:[^'\\]|\\.)*')/i.exec(rest)?.[1] ?? "''");
  const props: Record<string, string> = {};
  const tp = /TBLPROPERTIES\s*\(/i.exec(rest);
  if (tp) {
    for (const kv of splitTop(group(rest, tp.index + tp[0].length - 1).inner)) {
      const m = /^('(?:[^'\\]|\\.)*')\s*=\s*('(?:[^'\\]|\\.)*')$/.exec(kv);
      if (!m) throw new Error(`Bad table property: ${kv}`);
      props[unquoteHive(m[1])] = unquoteHive(m[2]);
    }
  }
  return {
    database: names.length > 1 ? names[0] : defaultDb,
    table: names[names.length - 1].toLowerCase(),
    columns,
    partitions,
    serde,
    inputFormat,
    location,
    properties: props,
  };
}

/** Per partition (values joined by '|'): the files under it and their bytes. */
export interface PartitionFiles {
  values: Record<string, string>;
  files: string[];
  bytes: number;
}

/** What a projection allows for one partition column, and the template's placeholder text. */
function projectionCheck(d: ParsedDdl): void {
  const p = d.properties;
  if (!/JsonSerDe|CloudTrailSerde/.test(d.serde)) throw new Error(`SerDe ${d.serde} cannot read CloudTrail JSON`);
  if (!/CloudTrailInputFormat/.test(d.inputFormat))
    throw new Error(`Input format ${d.inputFormat} does not read CloudTrail's {"Records":[…]} files`);
  if (d.partitions.length === 0) return;
  if (p['projection.enabled'] !== 'true')
    throw new Error('Partitions without projection would need ALTER TABLE ADD PARTITION');
  const template = p['storage.location.template'] ?? '';
  if (!template.startsWith(d.location.replace(/\/+$/, '')))
    throw new Error('storage.location.template is not under LOCATION');
  for (const c of d.partitions) {
    const type = p[`projection.${c}.type`];
    if (type === 'enum' && !p[`projection.${c}.values`]) throw new Error(`projection.${c}.values is missing`);
    if (
      type === 'date' &&
      (!p[`projection.${c}.format`] || !/^[^,]+,\s*(NOW|[^,]+)$/.test(p[`projection.${c}.range`] ?? ''))
    )
      throw new Error(`projection.${c}.format/range is missing or malformed`);
    if (type !== 'enum' && type !== 'date')
      throw new Error(`projection.${c}.type "${type}" is not supported by this fake`);
    if (!template.includes(`\${${c}}`)) throw new Error(`storage.location.template does not use \${${c}}`);
  }
}

/** Local folder for an s3:// URL. */
function localPath(root: string, s3: string): string {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(s3);
  if (!m) throw new Error(`Not an S3 location: ${s3}`);
  return join(root, m[1], m[2]);
}

const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** The date a projection format reads in a folder path part (yyyy/MM/dd → 2023/07/10), or undefined. */
function dateValue(text: string, format: string): number | undefined {
  const re = new RegExp(
    `^${format
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replace('yyyy', '(\\d{4})')
      .replace('MM', '(\\d{2})')
      .replace('dd', '(\\d{2})')}$`,
  );
  const m = re.exec(text);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : undefined;
}

/** Every partition the projection allows that has files, walking the template over the folder. */
export function projectedPartitions(d: ParsedDdl, root: string): PartitionFiles[] {
  const template = d.partitions.length ? d.properties['storage.location.template'] : d.location;
  const segments = template
    .replace(/^s3:\/\/[^/]+\/?/, '')
    .split('/')
    .filter(Boolean);
  const bucketDir = localPath(root, template.replace(/^(s3:\/\/[^/]+).*$/, '$1/'));
  const out: PartitionFiles[] = [];
  const walk = (dir: string, i: number, values: Record<string, string>): void => {
    if (i === segments.length) {
      const files = allFiles(dir).filter((f) => /\.json(\.gz)?$/.test(f));
      if (files.length) out.push({ values, files, bytes: files.reduce((n, f) => n + statSync(f).size, 0) });
      return;
    }
    const seg = segments[i];
    const ph = /^\$\{(\w+)\}$/.exec(seg);
    if (!ph) {
      if (isDir(join(dir, seg))) walk(join(dir, seg), i + 1, values);
      return;
    }
    const col = ph[1].toLowerCase();
    const type = d.properties[`projection.${col}.type`];
    if (type === 'enum') {
      for (const v of d.properties[`projection.${col}.values`].split(',').map((x) => x.trim()))
        if (isDir(join(dir, v))) walk(join(dir, v), i + 1, { ...values, [col]: v });
      return;
    }
    // A date: its format may span folders (yyyy/MM/dd); match that many levels.
    const format = d.properties[`projection.${col}.format`];
    const depth = format.split('/').length;
    const [from] = d.properties[`projection.${col}.range`].split(',');
    const min = dateValue(from.trim(), format) ?? 0;
    const descend = (sub: string, parts: string[]): void => {
      if (parts.length === depth) {
        const text = parts.join('/');
        const t = dateValue(text, format);
        if (t !== undefined && t >= min && t <= Date.now()) walk(sub, i + 1, { ...values, [col]: text });
        return;
      }
      for (const e of readdirSync(sub).sort()) if (isDir(join(sub, e))) descend(join(sub, e), [...parts, e]);
    };
    descend(dir, []);
  };
  walk(bucketDir, 0, {});
  return out;
}

function allFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...allFiles(p));
    else out.push(p);
  }
  return out.sort();
}

/** A value as the Hive JSON SerDe reads it into a column of DuckDB type `t` (case-insensitive keys). */
function serde(v: unknown, t: string): unknown {
  if (v === null || v === undefined) return null;
  if (t === 'VARCHAR') return typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (t.endsWith('[]')) return Array.isArray(v) ? v.map((x) => serde(x, t.slice(0, -2))) : null;
  if (t.startsWith('MAP(')) {
    if (typeof v !== 'object' || Array.isArray(v)) return null;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, serde(x, 'VARCHAR')]));
  }
  if (t.startsWith('STRUCT(')) {
    if (typeof v !== 'object' || Array.isArray(v)) return null;
    const byLower = new Map(Object.entries(v).map(([k, x]) => [k.toLowerCase(), x]));
    const out: Record<string, unknown> = {};
    for (const [name, ft] of structFields(t)) out[name] = serde(byLower.get(name), ft);
    return out;
  }
  return v;
}

const fieldCache = new Map<string, Array<[string, string]>>();
/** The fields of a DuckDB STRUCT(...) type text. */
function structFields(t: string): Array<[string, string]> {
  let f = fieldCache.get(t);
  if (!f) {
    f = splitTop(t.slice('STRUCT('.length, -1)).map((def) => {
      const m = /^"([^"]+)"\s+([\s\S]+)$/.exec(def)!;
      return [m[1], m[2]] as [string, string];
    });
    fieldCache.set(t, f);
  }
  return f;
}

/** A DuckDB database holding CloudTrail tables made from DDL over a local S3 layout. */
export class AthenaDuck {
  private readonly tables = new Map<string, { ddl: ParsedDdl; partitions: PartitionFiles[] }>();
  private readonly tmp = mkdtempSync(join(tmpdir(), 'fake-athena-'));

  private constructor(
    private readonly conn: DuckDBConnection,
    readonly root: string,
  ) {}

  static async open(root: string): Promise<AthenaDuck> {
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    for (const m of TRINO_SHIM) await conn.run(m);
    return new AthenaDuck(conn, root);
  }

  /**
   * Runs a CREATE EXTERNAL TABLE: checks it, finds its files, loads their events. Returns the
   * events loaded. `events: false` only finds the partitions and files (for `scanned` over a
   * corpus too large to load).
   */
  async createTable(sql: string, defaultDb: string, opts: { events?: boolean } = {}): Promise<number> {
    const ddl = parseDdl(sql, defaultDb);
    projectionCheck(ddl);
    const partitions = projectedPartitions(ddl, this.root);
    const lines: string[] = [];
    for (const p of opts.events === false ? [] : partitions) {
      for (const f of p.files) {
        const bytes = readFileSync(f);
        const text = (f.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
        const records = (JSON.parse(text) as { Records?: unknown[] }).Records ?? [];
        for (const ev of records) {
          const byLower = new Map(Object.entries(ev ?? {}).map(([k, x]) => [k.toLowerCase(), x]));
          const row: Record<string, unknown> = {};
          for (const c of ddl.columns) row[c.name] = serde(byLower.get(c.name), c.duck);
          for (const k of ddl.partitions) row[k] = p.values[k] ?? null;
          lines.push(JSON.stringify(row));
        }
      }
    }
    const file = join(this.tmp, `${ddl.database}.${ddl.table}.ndjson`);
    writeFileSync(file, lines.join('\n'));
    const columns = [
      ...ddl.columns.map((c) => `'${c.name}': '${c.duck.replace(/'/g, "''")}'`),
      ...ddl.partitions.map((k) => `'${k}': 'VARCHAR'`),
    ].join(', ');
    const name = `"${ddl.database}"."${ddl.table}"`;
    await this.conn.run(`CREATE SCHEMA IF NOT EXISTS "${ddl.database}"`);
    await this.conn.run(
      lines.length
        ? `CREATE OR REPLACE TABLE ${name} AS SELECT * FROM read_json('${file}', format = 'newline_delimited', columns = {${columns}})`
        : `CREATE OR REPLACE TABLE ${name} (${[...ddl.columns.map((c) => `"${c.name}" ${c.duck}`), ...ddl.partitions.map((k) => `"${k}" VARCHAR`)].join(', ')})`,
    );
    this.tables.set(`${ddl.database}.${ddl.table}`, { ddl, partitions });
    return lines.length;
  }

  /** The table's parsed DDL, for GetTableMetadata. */
  table(database: string, name: string): ParsedDdl | undefined {
    return this.tables.get(`${database}.${name.toLowerCase()}`)?.ddl;
  }

  allTables(database: string): ParsedDdl[] {
    return [...this.tables.values()].map((t) => t.ddl).filter((d) => d.database === database);
  }

  /**
   * The partitions a SELECT reads: those passing the WHERE conjuncts that name only partition
   * columns of the table in its FROM.
   */
  async scanned(
    sql: string,
    defaultDb: string,
  ): Promise<{ files: number; bytes: number; totalFiles: number; totalBytes: number }> {
    const from = /\bFROM\s+(?:"([^"]+)"\.)?"([^"]+)"/i.exec(sql);
    const t = from ? this.tables.get(`${from[1] ?? defaultDb}.${from[2].toLowerCase()}`) : undefined;
    if (!t) return { files: 0, bytes: 0, totalFiles: 0, totalBytes: 0 };
    const totalFiles = t.partitions.reduce((n, p) => n + p.files.length, 0);
    const totalBytes = t.partitions.reduce((n, p) => n + p.bytes, 0);
    const where = /\bWHERE\b([\s\S]*?)(?:\bORDER\s+BY\b|\bLIMIT\b|$)/i.exec(sql)?.[1] ?? '';
    const partCols = new Set(t.ddl.partitions);
    const conjuncts = splitAnd(where).filter((c) => {
      const names = [...c.replace(/'(?:[^']|'')*'/g, "''").matchAll(/"([^"]+)"/g)].map((m) => m[1].toLowerCase());
      return names.length > 0 && names.every((n) => partCols.has(n));
    });
    if (conjuncts.length === 0 || t.partitions.length === 0)
      return { files: totalFiles, bytes: totalBytes, totalFiles, totalBytes };
    // One query over every partition's values: the conjuncts keep those Athena would read.
    const q = (v: string): string => `'${v.replace(/'/g, "''")}'`;
    const values = t.partitions
      .map((p, i) => `(${i}, ${t.ddl.partitions.map((k) => q(p.values[k] ?? '')).join(', ')})`)
      .join(', ');
    const r = await this.conn.runAndReadAll(
      `SELECT i FROM (VALUES ${values}) AS p(i, ${t.ddl.partitions.map((k) => `"${k}"`).join(', ')}) WHERE ${conjuncts.join(' AND ')}`,
    );
    let files = 0;
    let bytes = 0;
    for (const [i] of r.getRows()) {
      files += t.partitions[Number(i)].files.length;
      bytes += t.partitions[Number(i)].bytes;
    }
    return { files, bytes, totalFiles, totalBytes };
  }

  /** Runs a SELECT (shimmed); values as Athena's VarCharValue text, null for NULL. */
  async select(sql: string, defaultDb: string): Promise<{ columns: string[]; rows: Array<Array<string | null>> }> {
    await this.conn.run(`USE "${defaultDb}"`).catch(() => undefined);
    const reader = await this.conn.runAndReadAll(shimSql(sql));
    const columns = reader.columnNames();
    const rows = reader
      .getRowsJson()
      .map((r) => r.map((v) => (v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v))));
    return { columns, rows };
  }

  async close(): Promise<void> {
    this.conn.closeSync();
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

/** Top-level AND conjuncts of a WHERE clause (outside parentheses and quotes). */
function splitAnd(where: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < where.length; i++) {
    const c = where[i];
    if (quote) {
      if (c === quote) quote = '';
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && /^\sAND\s/i.test(where.slice(i, i + 5))) {
      out.push(where.slice(start, i).trim());
      start = i + 4;
    }
  }
  out.push(where.slice(start).trim());
  return out.filter(Boolean);
}
