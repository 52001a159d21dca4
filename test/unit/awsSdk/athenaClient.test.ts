/**
 * The Athena adapter through the real SDK against fakeAthena: polling to the end with progress,
 * paging GetQueryResults (header row dropped once), the limit cutting a result with a message,
 * cancel (StopQueryExecution), timeout, throttling retried, and every failure explained with what
 * to do. Also the Logs Insights adapter's polling, and the cost formula.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AthenaQueryError } from '../../../src/awsSdk/athena';
import { runAthenaSearch } from '../../../src/awsSdk/remoteSearch';
import { athenaCostUsd, describeScan, explainAthenaError } from '../../../src/core/aws/athenaErrors';
import { compileAthena } from '../../../src/core/query/athenaSql';
import { parseQuery } from '../../../src/core/query/query';
import { compileLogsInsights } from '../../../src/core/query/logsInsights';
import { runLogsSearch } from '../../../src/awsSdk/remoteSearch';
import { type Backends, LOG_GROUP, startBackends } from '../../support/remoteBackends';

let b: Backends;
before(async () => {
  b = await startBackends({ invictusEvery: 5 });
});
after(async () => {
  await b?.close();
});

const ctx = {
  workGroup: 'primary',
  database: 'default',
  table: 'cloudtrail_main',
  region: 'us-east-1',
  logsLocation: 's3://trail-bucket/AWSLogs/',
};
const fast = { pollMs: 2, maxPollMs: 20 };
const target = { workGroup: 'primary', database: 'default' };

test('a query is polled to SUCCEEDED with progress, and its results paged (header dropped, every row once)', async () => {
  const c = compileAthena(parseQuery('eventSource:*'), { table: b.table, limit: 100_000 });
  b.athena.setRunMs(60);
  const states: string[] = [];
  const id = await b.athenaApi.start(c.sql, target);
  const done = await b.athenaApi.wait(id, { ...fast, onProgress: (p) => states.push(p.state) });
  b.athena.setRunMs(0);
  assert.equal(done.state, 'SUCCEEDED');
  assert.ok(states.filter((s) => s === 'RUNNING').length >= 2, `polled ${states.join(',')}`);
  assert.ok(done.scannedBytes > 0);
  const ids: string[] = [];
  let pages = 0;
  for await (const p of b.athenaApi.pages(id, 100)) {
    pages++;
    assert.deepEqual(p.columns, c.columns);
    ids.push(...p.rows.map((r) => r.eventid!));
  }
  assert.ok(pages >= 3, `${pages} pages`);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual(ids.sort(), b.local(parseQuery('eventSource:*')));
});

test('a result over the limit is cut, with a message saying so', async () => {
  const r = await runAthenaSearch(
    b.athenaApi,
    compileAthena(parseQuery(''), { table: b.table, limit: 50 }),
    target,
    fast,
  );
  assert.equal(r.records.length, 50);
  assert.match(r.cut!, /more than 50 events; the newest 50 were fetched/);
  const all = b.local(parseQuery(''));
  // The newest first, as the SQL orders them.
  const newest = [...b.bucket.records]
    .sort((x, y) => y.time - x.time)
    .slice(0, 50)
    .map((x) => x.time);
  assert.deepEqual(
    r.records.map((x) => x.time),
    newest,
  );
  assert.ok(all.length > 50);
  const small = await runAthenaSearch(
    b.athenaApi,
    compileAthena(parseQuery('error:*'), { table: b.table, limit: 500 }),
    target,
    fast,
  );
  assert.equal(small.cut, undefined);
});

test('cancelling stops the query in Athena and says so', async () => {
  b.athena.setRunMs(5_000);
  const ac = new AbortController();
  const id = await b.athenaApi.start(compileAthena(parseQuery(''), { table: b.table }).sql, target);
  setTimeout(() => ac.abort(), 50);
  const err = await b.athenaApi.wait(id, { ...fast, signal: ac.signal }).catch((e: unknown) => e);
  b.athena.setRunMs(0);
  assert.ok(err instanceof AthenaQueryError && err.kind === 'cancelled');
  assert.equal(b.athena.queries.find((q) => q.id === id)?.state, 'CANCELLED');
  assert.ok(b.athena.calls.includes('StopQueryExecution'));
  assert.match(explainAthenaError(err, ctx).title, /cancelled/);
});

test('a query past its timeout is stopped and explained', async () => {
  b.athena.setRunMs(5_000);
  const id = await b.athenaApi.start(compileAthena(parseQuery(''), { table: b.table }).sql, target);
  const err = await b.athenaApi.wait(id, { ...fast, timeoutMs: 60 }).catch((e: unknown) => e);
  b.athena.setRunMs(0);
  assert.ok(err instanceof AthenaQueryError && err.kind === 'timeout');
  assert.equal(b.athena.queries.find((q) => q.id === id)?.state, 'CANCELLED');
  assert.match(explainAthenaError(err, { ...ctx, timeoutSeconds: 0.06 }).detail, /Narrow the time range/);
});

test("throttling is retried by the SDK; FAILED queries carry Athena's reason", async () => {
  b.athena.failNext('GetQueryExecution', { code: 'TooManyRequestsException', message: 'Rate exceeded' }, 2);
  const ok = await runAthenaSearch(b.athenaApi, compileAthena(parseQuery('error:*'), { table: b.table }), target, fast);
  assert.equal(b.athena.calls.filter((c) => c === 'GetQueryExecution').length >= 3, true);
  assert.ok(ok.records.length > 0);
  b.athena.failNextQuery('HIVE_BAD_DATA: Error parsing field value for field 2');
  const err = await runAthenaSearch(b.athenaApi, compileAthena(parseQuery(''), { table: b.table }), target, fast).catch(
    (e: unknown) => e,
  );
  assert.ok(err instanceof AthenaQueryError && err.kind === 'failed');
  assert.match(explainAthenaError(err, ctx).detail, /HIVE_BAD_DATA.*not CloudTrail JSON/);
});

test('a missing table fails with what to do', async () => {
  const c = compileAthena(parseQuery(''), { table: { ...b.table, name: 'nope' } });
  const err = await runAthenaSearch(b.athenaApi, c, target, fast).catch((e: unknown) => e);
  const e = explainAthenaError(err, { ...ctx, table: 'nope' });
  assert.equal(e.title, 'Table not found');
  assert.match(e.detail, /default\.nope does not exist. Set up the Athena table/);
});

test('no result location, AccessDenied on Athena, Glue and S3: each names what is missing', async () => {
  const noOutput = await b.athenaApi
    .start('SELECT 1', { workGroup: 'primary', database: 'default' })
    .then(() => undefined);
  assert.equal(noOutput, undefined);
  b.athena.failNext('StartQueryExecution', {
    code: 'InvalidRequestException',
    message:
      'No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.',
  });
  const e1 = await b.athenaApi.start('SELECT 1', target).catch((e: unknown) => e);
  assert.match(explainAthenaError(e1, ctx).detail, /workgroup "primary" has no query result location/);
  b.athena.failNext('StartQueryExecution', {
    code: 'AccessDeniedException',
    message:
      'User: arn:aws:iam::1:user/x is not authorized to perform: athena:StartQueryExecution on resource: arn:aws:athena:us-east-1:1:workgroup/primary',
    status: 400,
  });
  const e2 = await b.athenaApi.start('SELECT 1', target).catch((e: unknown) => e);
  assert.match(explainAthenaError(e2, ctx).detail, /needs athena:StartQueryExecution/);
  const glue = explainAthenaError(
    new AthenaQueryError(
      'failed',
      'Insufficient permissions to execute the query. User: arn:aws:iam::1:user/x is not authorized to perform: glue:GetTable on resource: arn:aws:glue:us-east-1:1:table/default/t',
      'q',
      0,
    ),
    ctx,
  );
  assert.match(glue.detail, /needs glue:GetTable/);
  const s3 = explainAthenaError(
    new AthenaQueryError(
      'failed',
      'Permission denied on S3 path: s3://trail-bucket/AWSLogs/1/CloudTrail/us-east-1/2024/03/01/x.json.gz',
      'q',
      0,
    ),
    ctx,
  );
  assert.match(s3.detail, /s3:GetObject and s3:ListBucket on s3:\/\/trail-bucket\/AWSLogs\//);
  const out = explainAthenaError(
    new AthenaQueryError('failed', 'Access denied when writing output to url: s3://results/x.csv', 'q', 0),
    { ...ctx, outputLocation: 's3://results/' },
  );
  assert.match(out.detail, /s3:PutObject/);
  assert.equal(await b.athenaApi.workGroupOutput('primary'), 's3://athena-results/');
});

test('a workgroup with managed query results runs without any result location (#21)', async () => {
  assert.deepEqual(await b.athenaApi.workGroupResults('managed'), { location: undefined, managed: true });
  assert.deepEqual(await b.athenaApi.workGroupResults('primary'), { location: 's3://athena-results/', managed: false });
  const c = compileAthena(parseQuery('eventName:ConsoleLogin'), { table: b.table });
  const r = await runAthenaSearch(b.athenaApi, c, { ...target, workGroup: 'managed' }, fast);
  assert.ok(r.records.length > 0, 'the search ran and brought events back');
  const given = await b.athenaApi
    .start('SELECT 1', { ...target, workGroup: 'managed', outputLocation: 's3://mine/' })
    .catch((e: unknown) => e);
  assert.match(String((given as Error).message), /managed query results/);
});

test('the table is found again from ListTableMetadata', async () => {
  const { findTrailTable } = await import('../../../src/core/aws/athenaTable');
  const tables = await b.athenaApi.tables('default');
  const found = findTrailTable(tables, { bucket: b.bucket.bucket, prefix: '' }, 'default');
  assert.equal(found?.name, 'cloudtrail_main');
  assert.deepEqual(found?.partitions, b.table.partitions);
  // A query against the found table (with its metadata's columns) gives the same events.
  const q = parseQuery('principal:bert* after:2023-07-10T12:00Z');
  const r = await runAthenaSearch(b.athenaApi, compileAthena(q, { table: found }), target, fast);
  assert.deepEqual(r.records.map((x) => x.eventId).sort(), b.local(q));
});

test("a windowed query reads only its days, and data scanned is priced at Athena's rate", async () => {
  const day = compileAthena(parseQuery('after:2023-07-10 before:2023-07-11'), { table: b.table });
  const full = compileAthena(parseQuery('eventSource:*'), { table: b.table });
  const rDay = await runAthenaSearch(b.athenaApi, day, target, fast);
  const rFull = await runAthenaSearch(b.athenaApi, full, target, fast);
  const expected = b.bucket.files
    .filter((f) => f.day >= Date.UTC(2023, 6, 10) && f.day <= Date.UTC(2023, 6, 11))
    .reduce((n, f) => n + f.bytes, 0);
  assert.equal(rDay.scannedBytes, expected);
  assert.equal(
    rFull.scannedBytes,
    b.bucket.files.reduce((n, f) => n + f.bytes, 0),
  );
  assert.ok(rDay.scannedBytes < rFull.scannedBytes);
  assert.equal(athenaCostUsd(0), ((10 * 1024 * 1024) / 1024 ** 4) * 5);
  assert.equal(athenaCostUsd(1024 ** 4), 5);
  assert.equal(athenaCostUsd(1024 ** 4, false), 0);
  assert.match(describeScan(3 * 1024 * 1024 * 1024), /^3\.0 GB scanned \(about \$0\.01\)$/);
});

test('Logs Insights: polled until Complete, events rebuilt from @message, cut at the limit', async () => {
  const q = parseQuery('eventName:ListBuckets,GetCallerIdentity');
  const r = await runLogsSearch(
    b.logsApi,
    compileLogsInsights(q, { now: Date.UTC(2100, 0, 1) }),
    `arn:aws:logs:us-east-1:1:log-group:${LOG_GROUP}:*`,
    fast,
  );
  assert.deepEqual(r.records.map((x) => x.eventId).sort(), b.local(q));
  assert.equal(b.logs.queries.at(-1)?.logGroup, LOG_GROUP);
  const cut = await runLogsSearch(
    b.logsApi,
    compileLogsInsights(parseQuery(''), { limit: 10, now: Date.UTC(2100, 0, 1) }),
    LOG_GROUP,
    fast,
  );
  assert.equal(cut.records.length, 10);
  assert.match(cut.cut!, /more than 10/);
});
