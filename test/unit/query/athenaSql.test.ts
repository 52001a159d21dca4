/**
 * The Athena and Logs Insights compilers on representative queries: pinned predicates, time as
 * partition predicates and query range, hostile values quoted (and run, in DuckDB, to prove the
 * quoting holds), terms no back end can send named with a reason, rows rebuilt into events.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cloudTrailTableDdl } from '../../../src/core/aws/athenaTable';
import { compileAthena } from '../../../src/core/query/athenaSql';
import { eventFromAthenaRow, recordFromAthenaRow } from '../../../src/core/query/athenaRows';
import { compileLogsInsights, regexEscape } from '../../../src/core/query/logsInsights';
import { parseQuery } from '../../../src/core/query/query';
import { AthenaDuck } from '../../support/athenaDuck';
import { runLogsQuery } from '../../support/fakeLogsInsights';
import { anEvent } from '../../builders/events';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const { table, ddl } = cloudTrailTableDdl({
  trailName: 'main',
  bucket: 'b',
  prefix: '',
  accounts: ['111122223333'],
  regions: ['eu-west-1'],
});
/** The column lowered as compileAthena lowers it (sqlText.ts lowerSql). */
const L = (x: string): string => `lower(replace(${x}, 'İ', 'i\u0307'))`;
const where = (q: string, opts = {}): string =>
  compileAthena(parseQuery(q, Date.UTC(2024, 2, 2)), { table, ...opts })
    .sql.split('\nWHERE ')[1]
    ?.split('\nORDER BY')[0] ?? '';

test('field terms compile to exact, case-insensitive SQL: equality, wildcards, lists, empty, negation', () => {
  assert.equal(where('eventName:StopLogging'), `${L(`COALESCE("eventname", '')`)} = 'stoplogging'`);
  assert.equal(
    where('eventName:Delete*,StopLogging'),
    `((COALESCE("eventname", '') <> '' AND ${L(`COALESCE("eventname", '')`)} LIKE 'delete%' ESCAPE '\\') OR ${L(`COALESCE("eventname", '')`)} = 'stoplogging')`,
  );
  assert.equal(
    where('-error:*'),
    `NOT (COALESCE("errorcode", '') <> '' AND ${L(`COALESCE("errorcode", '')`)} LIKE '%' ESCAPE '\\')`,
  );
  assert.equal(where('error:""'), `COALESCE("errorcode", '') = ''`);
  // LIKE metacharacters in a value are literal.
  assert.equal(
    where('userAgent:50%_off*'),
    `(COALESCE("useragent", '') <> '' AND ${L(`COALESCE("useragent", '')`)} LIKE '50\\%\\_off%' ESCAPE '\\')`,
  );
  assert.equal(
    where('account:111122223333'),
    `${L(`COALESCE(NULLIF(COALESCE("recipientaccountid", ''), ''), COALESCE("useridentity"."accountid", ''))`)} = '111122223333'`,
  );
  // The regex is rewritten for Joni (javaRegex.ts): ^ is \A, punctuation escaped; (?i) makes it a narrowing, re-checked.
  assert.equal(where('userAgent:/^aws-cli\\//i'), "regexp_like(COALESCE(\"useragent\", ''), '(?i)\\Aaws\\-cli\\/')");
  const ci = compileAthena(parseQuery('userAgent:/^aws-cli/i'), { table });
  assert.equal(ci.residual.length, 1, 'a case-insensitive regex is re-checked locally');
  assert.equal(
    compileAthena(parseQuery('userAgent:/^aws-cli\\d/'), { table }).residual.length,
    0,
    'a rewritten regex is exact',
  );
  assert.equal(
    compileAthena(parseQuery('-userAgent:/^aws/i'), { table }).sql.includes('regexp_like'),
    false,
    'a negated narrowing sends nothing',
  );
  assert.match(
    compileAthena(parseQuery('userAgent:/(?U)a+/'), { table }).unsupported[0],
    /^userAgent: the regular expression \/\(\?U\)a\+\/ uses the ungreedy flag U/,
  );
  assert.match(
    where('ip:10.0.0.0/8'),
    /contains\('10\.0\.0\.0\/8', try\(CAST\(COALESCE\("sourceipaddress", ''\) AS IPADDRESS\)\)\)/,
  );
});

test('an IAM role ARN also finds its sessions, as locally', () => {
  assert.match(
    where('principal:arn:aws:iam::111122223333:role/path/Admin'),
    /LIKE 'arn:aws:sts::111122223333:assumed-role\/admin\/%'/,
  );
});

test('time terms become day-partition predicates (one day more at the end, for late delivery) and exact time bounds', () => {
  const c = compileAthena(parseQuery('after:2024-03-01 before:2024-03-02 eventName:x'), { table });
  assert.deepEqual(c.partitionPredicates, [`"timestamp" >= '2024/03/01'`, `"timestamp" <= '2024/03/02'`]);
  assert.match(
    c.sql,
    /try\(from_iso8601_timestamp\("eventtime"\)\) >= from_iso8601_timestamp\('2024-03-01T00:00:00.000Z'\)/,
  );
  assert.match(c.sql, /< from_iso8601_timestamp\('2024-03-02T00:00:00.000Z'\)/);
  assert.match(c.sql, /LIMIT 1001$/);
  // A window from the caller narrows further; no time at all reads every day.
  assert.deepEqual(
    compileAthena(parseQuery('after:2024-03-01'), {
      table,
      window: { start: Date.UTC(2024, 2, 5), end: Date.UTC(2024, 2, 6) },
    }).partitionPredicates,
    [`"timestamp" >= '2024/03/05'`, `"timestamp" <= '2024/03/06'`],
  );
  assert.deepEqual(compileAthena(parseQuery('eventName:x'), { table }).partitionPredicates, []);
  const l = compileLogsInsights(parseQuery('after:2024-03-01 before:2024-03-02'));
  assert.deepEqual([l.startTime, l.endTime], [Date.UTC(2024, 2, 1) / 1000, Date.UTC(2024, 2, 2) / 1000]);
});

test('selects every column needed to rebuild the event, objects as JSON text', () => {
  const c = compileAthena(parseQuery(''), { table });
  assert.ok(
    c.columns.includes('useridentity') && c.columns.includes('requestparameters') && c.columns.includes('tlsdetails'),
  );
  assert.match(c.sql, /json_format\(CAST\("useridentity" AS JSON\)\) AS "useridentity"/);
  assert.match(c.sql, /^SELECT "eventversion",/);
});

test('terms no back end can send are named with the reason, never dropped', () => {
  const c = compileAthena(
    parseQuery('detection:cis-4.3 userIdentity.madeUp:x insightDetails.state:Start eventName:x'),
    { table },
  );
  assert.equal(c.unsupported.length, 3);
  assert.match(c.unsupported[0], /^detection:.*investigation/);
  assert.match(c.unsupported[1], /^userIdentity\.madeUp: .*not one of them/);
  assert.match(c.unsupported[2], /^insightDetails\.state: the Athena table has no column insightDetails/);
  assert.match(compileLogsInsights(parseQuery('detection:x')).unsupported[0], /^detection:/);
  // Terms only narrowed remotely are listed as checked here.
  const r = compileAthena(parseQuery('resource:arn:aws:s3:::bucket requestParameters.userName:bob bert'), { table });
  assert.deepEqual(
    r.residual.map((t) => t.kind),
    ['field', 'path', 'text'],
  );
  assert.match(r.notes.join(' '), /substring \(no typo tolerance\)/);
});

test('hostile values stay values: quotes, comments, backslashes and newlines in SQL and Logs Insights', async () => {
  const evil = `x' OR 1=1; DROP TABLE t; --"\\`;
  const c = compileAthena(parseQuery(`principal:"${evil.replace(/[\\"]/g, '\\$&')}"`), { table });
  assert.ok(c.sql.includes(`'x'' or 1=1; drop table t; --"\\'`), c.sql);
  const l = compileLogsInsights(parseQuery(`userAgent:"${evil.replace(/[\\"]/g, '\\$&')}"`));
  assert.ok(l.queryString.includes(regexEscape(evil)));
  assert.equal(regexEscape('a/b|c#\né'), 'a\\/b\\|c\\#\\x0aé', 'no \\x{…}: the documented grammar has none');
  // Run both for real over one event whose user agent is that value, and one that is not.
  const root = mkdtempSync(join(tmpdir(), 'hostile-'));
  try {
    const dir = join(root, 'b', 'AWSLogs', '111122223333', 'CloudTrail', 'eu-west-1', '2024', '03', '01');
    mkdirSync(dir, { recursive: true });
    const events = [
      anEvent({ userAgent: evil, eventTime: '2024-03-01T10:00:00Z' }),
      anEvent({ userAgent: 'x', eventTime: '2024-03-01T10:01:00Z' }),
    ];
    writeFileSync(
      join(dir, '111122223333_CloudTrail_eu-west-1_20240301T1005Z_abc.json.gz'),
      gzipSync(JSON.stringify({ Records: events })),
    );
    const duck = await AthenaDuck.open(root);
    await duck.createTable(ddl, 'default');
    const sql = compileAthena(parseQuery(`userAgent:"${evil.replace(/[\\"]/g, '\\$&')}"`), { table }).sql;
    const got = await duck.select(sql, 'default');
    assert.equal(got.rows.length, 1);
    assert.equal(got.rows[0][got.columns.indexOf('useragent')], evil);
    await duck.close();
    const logs = runLogsQuery(
      l.queryString,
      events.map((e) => ({
        message: JSON.stringify(e),
        timestamp: Date.parse(String(e.eventTime)),
        fields: new Map([['userAgent', String(e.userAgent)]]),
      })),
      0,
      2e9,
    );
    assert.equal(logs.length, 1);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a result row rebuilds the event: struct names recased, JSON text columns parsed, nulls dropped', () => {
  const row = {
    eventversion: '1.08',
    useridentity: JSON.stringify({
      type: 'AssumedRole',
      principalid: 'AROA:s',
      arn: 'arn:aws:sts::1:assumed-role/R/s',
      accountid: '1',
      username: null,
      sessioncontext: { sessionissuer: { username: 'R', type: 'Role' }, attributes: { mfaauthenticated: 'false' } },
    }),
    eventtime: '2024-03-01T10:00:00Z',
    eventname: 'GetObject',
    readonly: 'true',
    requestparameters: '{"bucketName":"b","key":"k"}',
    resources: JSON.stringify([{ arn: 'arn:aws:s3:::b', accountid: '1', type: 'AWS::S3::Bucket' }]),
    eventid: 'e-1',
  };
  const ev = eventFromAthenaRow(row);
  assert.deepEqual(ev.userIdentity, {
    type: 'AssumedRole',
    principalId: 'AROA:s',
    arn: 'arn:aws:sts::1:assumed-role/R/s',
    accountId: '1',
    sessionContext: { attributes: { mfaAuthenticated: 'false' }, sessionIssuer: { type: 'Role', userName: 'R' } },
  });
  assert.deepEqual(ev.requestParameters, { bucketName: 'b', key: 'k' });
  assert.equal(ev.readOnly, true);
  const rec = recordFromAthenaRow(row);
  assert.equal(rec.principal, 'R/s');
  assert.deepEqual(rec.resources, ['arn:aws:s3:::b', 'b', 'k']);
  // Older engines render a row as a JSON array: read by position.
  assert.equal(
    eventFromAthenaRow({ useridentity: JSON.stringify(['IAMUser', 'AIDA', 'arn:aws:iam::1:user/bob']) })
      .userIdentity instanceof Object,
    true,
  );
});

describe('partition pruning (#21)', () => {
  const now = Date.UTC(2024, 2, 2);
  test('region: and recipientAccountId: prune their folders; account: and negations cannot; the notes say which pruned', () => {
    const c = compileAthena(
      parseQuery('region:us-east-1,EU-west-1 recipientAccountId:111122223333 after:2024-03-01 before:2024-03-02', now),
      { table },
    );
    assert.deepEqual(c.partitionPredicates, [
      `"timestamp" >= '2024/03/01'`,
      `"timestamp" <= '2024/03/02'`,
      `"region" IN ('us-east-1', 'eu-west-1')`,
      `"account" IN ('111122223333')`,
    ]);
    assert.ok(c.sql.includes(`"region" IN ('us-east-1', 'eu-west-1')`));
    assert.ok(
      c.notes.some((n) => n === 'Partitions pruned by region (region), recipientAccountId (account).'),
      c.notes.join(' '),
    );
    const acct = compileAthena(parseQuery('account:111122223333 -region:us-east-1 region:us-*', now), { table });
    assert.deepEqual(acct.partitionPredicates, []);
    assert.ok(acct.notes.some((n) => /account: does not prune the account partition/.test(n)));
  });

  test('the late-delivery days are an option, and the notes say how late an event may be delivered and still be found', () => {
    const q = parseQuery('eventName:StopLogging after:2024-03-01 before:2024-03-02', now);
    assert.deepEqual(compileAthena(q, { table, lateDays: 3 }).partitionPredicates, [
      `"timestamp" >= '2024/03/01'`,
      `"timestamp" <= '2024/03/04'`,
    ]);
    assert.deepEqual(compileAthena(q, { table, lateDays: 0 }).partitionPredicates, [
      `"timestamp" >= '2024/03/01'`,
      `"timestamp" <= '2024/03/01'`,
    ]);
    assert.ok(
      compileAthena(q, { table, lateDays: 3 }).notes.some((n) =>
        /delivered its file within 3 days of the range's end/.test(n),
      ),
    );
  });
});

test('Logs Insights: documented forms only (toMillis(@timestamp), no \\x{…} in regexes)', () => {
  const q = compileLogsInsights(
    parseQuery('userAgent:/\\x{41}\\x{2f}b/ after:2024-03-01', Date.UTC(2024, 2, 2)),
    {},
  ).queryString;
  assert.match(q, /toMillis\(@timestamp\) >= 1709251200000/);
  assert.ok(!q.includes('\\x{'), q);
  assert.match(q, /A\\\/b/);
});
