/**
 * The statements of a `.sql` document, for the "Run in Athena" CodeLens above each one: split at
 * semicolons outside strings, quoted identifiers and comments, read as Athena reads them. Athena
 * sends DML (SELECT, WITH, CTAS…) to Trino and the Hive DDL statements to Hive, whose lexers
 * differ on the one thing that matters here:
 * - Trino (SqlBase.g4): '…' with '' the only escape (a backslash is an ordinary character), "…"
 *   identifiers with "", `…` identifiers with ``, `--` to the end of the line (\r or \n), and
 *   non-nesting /* … *\/ comments;
 * - Hive (CREATE EXTERNAL TABLE, ALTER, MSCK, CREATE DATABASE/SCHEMA; Athena's DDL list): '…' and
 *   "…" strings with backslash escapes (`\'`, `\\`), `…` identifiers.
 * The dialect is chosen by the statement's first words, before any string, so a value inside a
 * compiled search (always a SELECT) can never switch it. Reading `\'` as an escape in a SELECT
 * would let a search value end the string early and start a second statement. What runs is a
 * statement without its leading comments (Athena's DDL parser refuses them) and without the
 * semicolon.
 */

export interface SqlStatement {
  /** Offset of the statement's first character that is not blank or comment (where the lens goes). */
  start: number;
  /** Offset just past its last character (before the semicolon, trailing blanks left out). */
  end: number;
  /** The text that runs: [start, end). */
  sql: string;
}

/** Statements Athena parses with Hive's DDL grammar (backslash escapes in strings). */
const HIVE_DDL = /^(?:CREATE\s+EXTERNAL\b|CREATE\s+(?:DATABASE|SCHEMA)\b|ALTER\s+(?:TABLE|DATABASE|SCHEMA)\b|MSCK\b)/i;

/** Where the comment at `i` ends (`--` stops before \r or \n, as Trino's SIMPLE_COMMENT), or -1 if none starts there. */
function commentEnd(text: string, i: number): number {
  if (text[i] === '-' && text[i + 1] === '-') {
    let j = i + 2;
    while (j < text.length && text[j] !== '\n' && text[j] !== '\r') j++;
    return j;
  }
  if (text[i] === '/' && text[i + 1] === '*') {
    const close = text.indexOf('*/', i + 2);
    return close < 0 ? text.length : close + 2;
  }
  return -1;
}

/** Just past the quoted run opening at `i` (to the end of the text when never closed). */
function quotedEnd(text: string, i: number, backslash: boolean): number {
  const q = text[i];
  let j = i + 1;
  while (j < text.length) {
    if (backslash && text[j] === '\\') j += 2;
    else if (text[j] === q && text[j + 1] === q) j += 2;
    else if (text[j] === q) return j + 1;
    else j++;
  }
  return text.length;
}

/** Splits `text` into statements; blank and comment-only pieces are left out. */
export function splitSqlStatements(text: string): SqlStatement[] {
  const out: SqlStatement[] = [];
  let first = -1;
  let last = -1;
  let hive = false;
  const flush = (): void => {
    if (first >= 0) out.push({ start: first, end: last, sql: text.slice(first, last) });
    first = last = -1;
  };
  const mark = (from: number, to: number): void => {
    if (first < 0) {
      first = from;
      hive = HIVE_DDL.test(text.slice(from, from + 40));
    }
    last = to;
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const comment = commentEnd(text, i);
    if (comment >= 0) {
      i = comment;
      continue;
    }
    if (c === ';') {
      flush();
      i++;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      const from = i;
      if (first < 0) mark(i, i + 1);
      i = quotedEnd(text, i, hive && c !== '`');
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
  const m = new RegExp(
    `^CREATE\\s+(?:EXTERNAL\\s+)?TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?${id}(?:\\s*\\.\\s*${id})?`,
    'i',
  ).exec(sql.trim());
  if (!m) return undefined;
  const a = (m[1] ?? m[2] ?? m[3]).toLowerCase();
  const b = m[4] ?? m[5] ?? m[6];
  return b === undefined ? { name: a } : { database: a, name: b.toLowerCase() };
}

/** Two SQL texts alike but for blanks and comments (an unedited generated statement). */
export function sameSql(a: string, b: string): boolean {
  const norm = (s: string): string =>
    splitSqlStatements(s)
      .map((x) => x.sql.replace(/\s+/g, ' '))
      .join(';');
  return norm(a) === norm(b);
}

/**
 * The `.sql` document shown before a run: comment lines (line breaks inside them become spaces, so
 * a query's text can never leave its comment), then each statement and its semicolon.
 */
export function sqlDocumentText(head: readonly string[], statements: readonly string[]): string {
  const lines = head.map((h) => `-- ${h.replace(/[\r\n]+/g, ' ')}`);
  return `${lines.join('\n')}\n\n${statements.map((s) => `${s};`).join('\n\n')}\n`;
}

/** The index of the generated statement `sql` is (unedited but for blanks and comments), or -1. */
export function generatedStatement(generated: readonly string[], sql: string): number {
  return generated.findIndex((g) => sameSql(g, sql));
}
