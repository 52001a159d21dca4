/**
 * Events rebuilt from Athena result rows (the columns compileAthena selects): objects come back as
 * JSON text (json_format(CAST(x AS JSON))), with Hive's lower-case field names, which get
 * CloudTrail's spellings back from the table schema; nulls the table filled in for absent fields
 * are dropped. The rebuilt event holds what the table holds: fields outside the schema are gone.
 */
import { CLOUDTRAIL_COLUMNS, type HiveType, JSON_TEXT_COLUMNS } from '../aws/athenaTable';
import { isObject } from '../model/json';
import { type CtRecord, normalizeEvent } from '../model/records';

/** One result row: lower-case column name → text (undefined for SQL NULL). */
export type AthenaRow = Readonly<Record<string, string | undefined>>;

const BOOLEAN_COLUMNS = new Set(['readOnly', 'managementEvent']);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * A value of type `t` with canonical names and no nulls; undefined when nothing is left. A struct
 * Athena rendered as an array (older engines cast rows to JSON arrays) is read by position.
 */
function reshape(v: unknown, t: HiveType, depth = 0): unknown {
  if (v === null || v === undefined || depth > 16) return undefined;
  if (t === 'string') return typeof v === 'object' ? JSON.stringify(v) : `${v as string}`;
  if ('array' in t) {
    if (!Array.isArray(v)) return undefined;
    return v.map((x) => reshape(x, t.array, depth + 1)).filter((x) => x !== undefined);
  }
  if ('map' in t) {
    if (!isObject(v)) return undefined;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v))
      if (x !== null)
        Object.defineProperty(out, k, {
          value: reshape(x, t.map[1], depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
    return out;
  }
  const out: Record<string, unknown> = {};
  const lower = isObject(v) ? new Map(Object.entries(v).map(([k, x]) => [k.toLowerCase(), x])) : undefined;
  t.struct.forEach(([name, ft], i) => {
    const raw: unknown = Array.isArray(v) ? v[i] : lower?.get(name.toLowerCase());
    const x = reshape(raw, ft, depth + 1);
    if (x !== undefined) out[name] = x;
  });
  return Object.keys(out).length ? out : undefined;
}

/** The CloudTrail event object a row describes. */
export function eventFromAthenaRow(row: AthenaRow): Record<string, unknown> {
  const ev: Record<string, unknown> = {};
  for (const [name, type] of CLOUDTRAIL_COLUMNS) {
    const text = row[name.toLowerCase()];
    if (text === undefined || text === null) continue;
    if (type !== 'string') {
      const v = reshape(parseJson(text), type);
      if (v !== undefined) ev[name] = v;
    } else if (JSON_TEXT_COLUMNS.has(name)) {
      const v = parseJson(text);
      ev[name] = typeof v === 'object' && v !== null ? v : text;
    } else if (BOOLEAN_COLUMNS.has(name) && (text === 'true' || text === 'false')) {
      ev[name] = text === 'true';
    } else {
      ev[name] = text;
    }
  }
  return ev;
}

/** The record of a row, as the log viewer opens local files. */
export function recordFromAthenaRow(row: AthenaRow): CtRecord {
  return normalizeEvent(eventFromAthenaRow(row));
}

/** Rows from GetQueryResults' `ResultSet.Rows` (`Data[].VarCharValue`), named by `columns`. */
export function rowsFromResultSet(
  rows: ReadonlyArray<{ Data?: ReadonlyArray<{ VarCharValue?: string }> }>,
  columns: readonly string[],
): AthenaRow[] {
  return rows.map((r) => {
    const out: Record<string, string | undefined> = {};
    columns.forEach((c, i) => {
      out[c] = r.Data?.[i]?.VarCharValue;
    });
    return out;
  });
}
