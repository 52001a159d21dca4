/**
 * The statements of a `.sql` document, for the "Run in Athena" CodeLens above each one: split at
 * semicolons outside strings ('…', with '' and Hive's \' escapes), quoted identifiers ("…", `…`)
 * and comments (-- to the end of the line, /* … *\/). What runs is a statement without its leading
 * comments (Athena's DDL parser refuses them) and without the semicolon.
 */

export interface SqlStatement {
  /** Offset of the statement's first character that is not blank or comment (where the lens goes). */
  start: number;
  /** Offset just past its last character (before the semicolon, trailing blanks left out). */
  end: number;
  /** The text that runs: [start, end). */
  sql: string;
}

/** Splits `text` into statements; blank and comment-only pieces are left out. */
export function splitSqlStatements(text: string): SqlStatement[] {
  const out: SqlStatement[] = [];
  let first = -1;
  let last = -1;
  const flush = (): void => {
    if (first >= 0) out.push({ start: first, end: last, sql: text.slice(first, last) });
    first = last = -1;
  };
  const mark = (from: number, to: number): void => {
    if (first < 0) first = from;
    last = to;
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '-' && text[i + 1] === '-') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 2;
      continue;
    }
    if (c === ';') {
      flush();
      i++;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      const from = i;
      i++;
      while (i < text.length) {
        if (c === "'" && text[i] === '\\') i += 2;
        else if (text[i] === c && text[i + 1] === c) i += 2;
        else if (text[i] === c) break;
        else i++;
      }
      i = Math.min(i + 1, text.length);
      mark(from, i);
      continue;
    }
    if (!/\s/.test(c)) mark(i, i + 1);
    i++;
  }
  flush();
  return out;
}

/** The statement holding `offset` (a cursor), or the nearest one before it. */
export function statementAt(statements: readonly SqlStatement[], offset: number): number {
  let best = -1;
  for (let i = 0; i < statements.length; i++) if (statements[i].start <= offset) best = i;
  return best < 0 && statements.length ? 0 : best;
}

/** 'rows' for statements that answer with rows (SELECT, WITH, SHOW, DESCRIBE…); 'done' for the rest (DDL). */
export function statementKind(sql: string): 'rows' | 'done' {
  const word = /^[\s(]*([A-Za-z]+)/.exec(sql)?.[1]?.toUpperCase() ?? '';
  return ['SELECT', 'WITH', 'VALUES', 'SHOW', 'DESCRIBE', 'EXPLAIN', 'TABLE'].includes(word) ? 'rows' : 'done';
}

/** Whether result columns describe CloudTrail events (they can open in a log viewer). */
export function hasEventColumns(columns: readonly string[]): boolean {
  const c = new Set(columns.map((x) => x.toLowerCase()));
  return ['eventid', 'eventtime', 'eventname'].every((x) => c.has(x));
}

/** `db`.`table` or db.table of a CREATE [EXTERNAL] TABLE statement, lower-case; undefined otherwise. */
export function createdTable(sql: string): { database?: string; name: string } | undefined {
  const id = '(?:`([^`]+)`|"([^"]+)"|([A-Za-z0-9_]+))';
  const m = new RegExp(`^CREATE\\s+(?:EXTERNAL\\s+)?TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?${id}(?:\\s*\\.\\s*${id})?`, 'i').exec(sql.trim());
  if (!m) return undefined;
  const a = (m[1] ?? m[2] ?? m[3]).toLowerCase();
  const b = m[4] ?? m[5] ?? m[6];
  return b === undefined ? { name: a } : { database: a, name: b.toLowerCase() };
}

/** Two SQL texts alike but for blanks and comments (an unedited generated statement). */
export function sameSql(a: string, b: string): boolean {
  const norm = (s: string): string => splitSqlStatements(s).map((x) => x.sql.replace(/\s+/g, ' ')).join(';');
  return norm(a) === norm(b);
}
