/**
 * The `.sql` document of generated searches splits as Athena's Trino lexer reads it: for random
 * searches of every term kind (fields, paths, free text, quoted literals, globs, regexes, CIDR
 * ranges, comma lists, negation, time bounds) whose values carry quotes, backslashes, semicolons,
 * comment openers and line breaks, a document of 1–5 searches splits into exactly the compiled
 * statements, each recognised as the search it came from (so the CodeLens runs that search, with
 * its local re-check), and no value ever makes a statement of its own.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rng } from '../../../bench/corpus';
import { cloudTrailTableDdl } from '../../../src/core/aws/athenaTable';
import { compileAthena } from '../../../src/core/query/athenaSql';
import { parseQuery } from '../../../src/core/query/query';
import {
  generatedStatement,
  splitSqlStatements,
  sqlDocumentText,
  statementKind,
} from '../../../src/core/ui/sqlStatements';

const table = cloudTrailTableDdl({
  trailName: 'main',
  bucket: 'b',
  prefix: '',
  accounts: ['111122223333'],
  regions: ['us-east-1'],
}).table;
const HOSTILE = [
  "\\'",
  '\\\\',
  "';",
  '/*',
  '*/',
  '--',
  '\n',
  '\r',
  "x\\'; drop table cloudtrail_main; /*",
  "''",
  '"',
  '`',
  ';',
  '\\',
  'é',
  'İ',
];
const PLAIN = [
  'Delete',
  'Create',
  'StopLogging',
  'alice',
  'iam.amazonaws.com',
  '10.0.0.1',
  'us-east-1',
  'AccessDenied',
];
const FIELDS = [
  'eventName',
  'eventSource',
  'principal',
  'accessKey',
  'ip',
  'region',
  'account',
  'error',
  'type',
  'userAgent',
  'resource',
  'eventType',
  'eventCategory',
  'readOnly',
];
const PATHS = [
  'requestParameters.userName',
  'errorMessage',
  'userIdentity.sessionContext.sessionIssuer.userName',
  'recipientAccountId',
  'resources.ARN',
];

/** A value quoted for the search box: backslash and double quote escaped. */
const quoted = (v: string): string => `"${v.replace(/[\\"]/g, '\\$&')}"`;

function search(next: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const raw = (): string => {
    const parts = Array.from({ length: 1 + Math.floor(next() * 3) }, () =>
      next() < 0.6 ? pick(HOSTILE) : pick(PLAIN),
    );
    return parts.join('');
  };
  const value = (): string => {
    const r = next();
    if (r < 0.3) return quoted(raw());
    if (r < 0.45) return `${quoted(raw())}*`.replace(/"\*$/, '*"');
    if (r < 0.55) return `${pick(PLAIN)}*`;
    if (r < 0.65) return `/${raw().replace(/\//g, '\\/').replace(/\n|\r/g, 'n')}/${next() < 0.5 ? 'i' : ''}`;
    if (r < 0.72) return '10.0.0.0/8';
    if (r < 0.8) return `${pick(PLAIN)},${quoted(raw())}`;
    if (r < 0.85) return '""';
    return pick(PLAIN);
  };
  const clause = (): string => {
    const neg = next() < 0.2 ? '-' : '';
    const r = next();
    if (r < 0.15) return `${neg}${quoted(raw())}`;
    if (r < 0.25) return pick(['after:2024-03-01', 'before:2024-03-02T10:00Z', 'last:24h']);
    if (r < 0.45) return `${neg}${pick(PATHS)}:${value()}`;
    return `${neg}${pick(FIELDS)}:${value()}`;
  };
  return Array.from({ length: 1 + Math.floor(next() * 4) }, clause).join(' ');
}

describe('the .sql document of generated searches', () => {
  test('1–5 random searches with hostile values split into exactly their statements, each recognised as its search', () => {
    const next = rng(21);
    let hostileSeen = 0;
    for (let round = 0; round < 400; round++) {
      const searches = Array.from({ length: 1 + Math.floor(next() * 5) }, () => search(next));
      const sqls = searches.map((q) => compileAthena(parseQuery(q), { table }).sql);
      const doc = sqlDocumentText(
        [`Athena SQL for ${searches.length} searches: ${searches.join(' | ')}`, 'Runs somewhere.'],
        sqls,
      );
      const st = splitSqlStatements(doc);
      assert.equal(
        st.length,
        sqls.length,
        `searches ${JSON.stringify(searches)} made ${st.length} statements:\n${st.map((s) => s.sql).join('\n---\n')}`,
      );
      st.forEach((s, i) => {
        assert.equal(s.sql, sqls[i], `statement ${i} is the compiled SQL of ${searches[i]}`);
        assert.equal(
          generatedStatement(sqls, s.sql),
          sqls.indexOf(sqls[i]),
          `statement ${i} is recognised as ${searches[i]}`,
        );
        assert.equal(statementKind(s.sql), 'rows');
      });
      if (/\\'|';|\/\*/.test(doc)) hostileSeen++;
    }
    assert.ok(hostileSeen > 100, 'the generator does produce hostile text');
  });

  test("the issue's cases: two wildcard searches, and a value that tried to add a DROP", () => {
    const two = ['eventName:Delete*', 'eventName:Create*'].map((q) => compileAthena(parseQuery(q), { table }).sql);
    assert.ok(
      two.every((s) => s.includes("ESCAPE '\\'")),
      'the LIKE escape is a lone backslash in a Trino string',
    );
    const st = splitSqlStatements(sqlDocumentText(['two searches'], two));
    assert.deepEqual(
      st.map((s) => generatedStatement(two, s.sql)),
      [0, 1],
    );

    const evil = compileAthena(parseQuery(`userAgent:${quoted("x\\'; drop table cloudtrail_main; /*")}`), {
      table,
    }).sql;
    const one = splitSqlStatements(
      sqlDocumentText(['userAgent:"x\\\\\'; drop table cloudtrail_main; /*"\n; drop table x'], [evil]),
    );
    assert.equal(one.length, 1, 'the value stays inside its string');
    assert.equal(one[0].sql, evil);
    assert.ok(!one.some((s) => /^drop/i.test(s.sql)));
  });

  test("Hive DDL statements keep Hive's backslash escapes; the next statement is read as Trino again", () => {
    const { ddl } = cloudTrailTableDdl({
      trailName: 'Main',
      bucket: 'logs',
      prefix: "odd'pre\\fix;",
      accounts: ['111122223333'],
      regions: ['us-east-1'],
    });
    const sel = "SELECT 'a\\'; SELECT 2";
    const st = splitSqlStatements(`${ddl};\n${sel}`);
    assert.deepEqual(
      st.map((s) => s.sql),
      [ddl, "SELECT 'a\\'", 'SELECT 2'],
    );
    assert.equal(
      splitSqlStatements('-- c\r SELECT 1; -- d\rSELECT 2').length,
      2,
      'a -- comment ends at a carriage return, as in Trino',
    );
    assert.deepEqual(
      splitSqlStatements('SELECT "a"";b", `c``;d`').map((s) => s.sql),
      ['SELECT "a"";b", `c``;d`'],
    );
  });
});
