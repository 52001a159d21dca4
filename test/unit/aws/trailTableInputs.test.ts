/**
 * From a trail and its bucket's folders to the Athena table: the accounts, regions and
 * organization the DDL projects (and what happens when the bucket cannot be listed), the table
 * found again for an organization trail whose organization id is not known, and, end to end over
 * the real samples laid out as S3, the DDL made from the folders run on the fake Athena through
 * the real SDK, finding every event the local engine finds. Also CloudWatch Logs errors explained.
 */
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AthenaClient } from '@aws-sdk/client-athena';
import { AthenaApi } from '../../../src/awsSdk/athena';
import { LogsQueryError } from '../../../src/awsSdk/cloudWatchLogs';
import { runAthenaSearch } from '../../../src/awsSdk/remoteSearch';
import { cloudTrailTableDdl, trailLogsBase } from '../../../src/core/aws/athenaTable';
import { explainLogsError } from '../../../src/core/aws/logsErrors';
import {
  ddlHeader,
  findTableForTrail,
  logGroupRegion,
  organizationFolders,
  tableInputs,
  type TrailLike,
  trailAccount,
} from '../../../src/core/aws/trailTableInputs';
import { decodeLogBytes } from '../../../src/core/ingest/decode';
import { compileAthena } from '../../../src/core/query/athenaSql';
import { parseQuery } from '../../../src/core/query/query';
import { SearchEngine } from '../../../src/core/query/search';
import { EventStore } from '../../../src/core/store/store';
import { recordsFileText } from '../../../src/core/ui/remoteResults';
import { splitSqlStatements } from '../../../src/core/ui/sqlStatements';
import { type FakeAthena, startFakeAthena } from '../../support/fakeAthena';
import { buildSampleBucket, type SampleBucket } from '../../support/sampleBucket';

const OWN = '123456789012';
const ALL = ['us-east-1', 'us-west-2', 'eu-west-1'];
const trail = (over: Partial<TrailLike> = {}): TrailLike => ({
  Name: 'main',
  TrailARN: `arn:aws:cloudtrail:us-east-1:${OWN}:trail/main`,
  HomeRegion: 'us-east-1',
  S3BucketName: 'logs',
  S3KeyPrefix: '/ct/',
  IsMultiRegionTrail: true,
  IsOrganizationTrail: false,
  ...over,
});

describe("the table's inputs from a trail and its bucket", () => {
  test("accounts and regions are the folders found, with the trail's own account; odd folders are left out", () => {
    const r = tableInputs(
      trail(),
      {
        accounts: ['999988887777', 'not-an-account', OWN],
        regions: ['eu-west-1', 'us-east-1', 'CloudTrail-Digest', 'x'],
      },
      undefined,
      ALL,
    );
    assert.ok('source' in r);
    assert.deepEqual(r.source.accounts, [OWN, '999988887777']);
    assert.deepEqual(r.source.regions, ['eu-west-1', 'us-east-1']);
    assert.equal(r.source.prefix, 'ct', 'the prefix without slashes');
    assert.equal(r.source.orgId, undefined);
    assert.match(r.notes[0], /folders found in the bucket \(2 account folders, 2 region folders\)/);
  });

  test('when the bucket cannot be listed: the own account, and every region of a multi-region trail (or the home one)', () => {
    const multi = tableInputs(trail(), { problem: 'AccessDenied: Access Denied' }, undefined, ALL);
    assert.ok('source' in multi);
    assert.deepEqual(multi.source.accounts, [OWN]);
    assert.deepEqual(multi.source.regions, ALL);
    assert.match(
      multi.notes[0],
      /could not be read \(AccessDenied: Access Denied\): the table covers account 123456789012 and 3 regions\. Edit projection/,
    );
    const single = tableInputs(trail({ IsMultiRegionTrail: false, HomeRegion: 'eu-west-1' }), {}, undefined, ALL);
    assert.ok('source' in single);
    assert.deepEqual(single.source.regions, ['eu-west-1']);
  });

  test('an organization trail needs its organization folder; without a bucket nothing is made', () => {
    const org = trail({ IsOrganizationTrail: true });
    const none = tableInputs(org, { orgs: [], problem: 'AccessDenied: no' }, undefined, ALL);
    assert.ok('error' in none);
    assert.match(
      none.error,
      /organization trail, but no organization folder \(AWSLogs\/o-…\/\) was found in s3:\/\/logs\/\/ct\/ \(AccessDenied: no\).*s3:ListBucket/,
    );
    const ok = tableInputs(
      org,
      { orgs: ['o-abcdef1234'], accounts: ['111122223333'], regions: ['us-east-1'] },
      'o-abcdef1234',
      ALL,
    );
    assert.ok('source' in ok);
    assert.equal(trailLogsBase(ok.source), 's3://logs/ct/AWSLogs/o-abcdef1234/');
    assert.ok('error' in tableInputs(trail({ S3BucketName: undefined }), {}, undefined, ALL));
    assert.ok(
      'error' in tableInputs(trail({ TrailARN: 'main' }), { accounts: [], regions: [] }, undefined, ALL),
      'no account known',
    );
    assert.deepEqual(organizationFolders(['o-abcdef1234', 'o-short', '123456789012', 'O-ABCDEF1234']), [
      'o-abcdef1234',
    ]);
  });

  test("ARNs: the trail's account, the log group's region", () => {
    assert.equal(trailAccount(`arn:aws:cloudtrail:us-east-1:${OWN}:trail/main`), OWN);
    assert.equal(trailAccount('main'), undefined);
    assert.equal(logGroupRegion(`arn:aws:logs:eu-west-1:${OWN}:log-group:aws-cloudtrail-logs:*`), 'eu-west-1');
    assert.equal(logGroupRegion(`arn:aws-us-gov:logs:us-gov-west-1:${OWN}:log-group:x`), 'us-gov-west-1');
    assert.equal(logGroupRegion('aws-cloudtrail-logs'), undefined);
  });

  test('the header is comments only, whatever the trail is named: the statement runs without it', () => {
    const r = tableInputs(
      trail({ Name: 'evil\nDROP TABLE x; --' }),
      { accounts: [OWN], regions: ['us-east-1'] },
      undefined,
      ALL,
    );
    assert.ok('source' in r);
    const { ddl } = cloudTrailTableDdl(r.source);
    const doc = `${ddlHeader(r.source, [...r.notes, 'a note\r\nSELECT 1;'], trailLogsBase(r.source))}\n${ddl}\n`;
    const st = splitSqlStatements(doc);
    assert.equal(st.length, 1);
    assert.equal(st[0].sql, ddl);
    for (const line of doc.slice(0, doc.indexOf('CREATE')).trimEnd().split('\n')) assert.match(line, /^-- /);
  });
});

describe("the table made from a sample bucket's folders, on the fake Athena", () => {
  let bucket: SampleBucket;
  let athena: FakeAthena;
  let api: AthenaApi;
  const credentials = { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake' };
  const folders = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);

  before(async () => {
    bucket = buildSampleBucket({ prefix: 'ct', orgId: 'o-sample12345', invictusEvery: 4 });
    athena = await startFakeAthena({ s3Root: bucket.root, runMs: 0 });
    api = new AthenaApi(
      {
        profile: 'test',
        region: 'us-east-1',
        credentials: async () => credentials,
        endpoint: athena.url,
        timeoutMs: 10_000,
      },
      new AthenaClient({ region: 'us-east-1', endpoint: athena.url, credentials, maxAttempts: 2 }),
    );
  });
  after(async () => {
    api?.dispose();
    await athena?.close();
    if (bucket) rmSync(bucket.root, { recursive: true, force: true });
  });

  test('folders → DDL → CREATE through the SDK → found again without the org id → every event the local engine finds', async () => {
    const org = trail({ Name: 'org-main', S3BucketName: bucket.bucket, S3KeyPrefix: 'ct', IsOrganizationTrail: true });
    const awsLogs = join(bucket.root, bucket.bucket, 'ct', 'AWSLogs');
    const orgs = organizationFolders(folders(awsLogs));
    assert.deepEqual(orgs, ['o-sample12345']);
    const accounts = folders(join(awsLogs, orgs[0]));
    const regions = [...new Set(accounts.flatMap((a) => folders(join(awsLogs, orgs[0], a, 'CloudTrail'))))];
    const inputs = tableInputs(org, { orgs, accounts, regions }, orgs[0], ALL);
    assert.ok('source' in inputs);
    assert.deepEqual(inputs.source.accounts, [...new Set([...bucket.accounts, OWN])].sort());
    assert.deepEqual(inputs.source.regions, bucket.regions);

    const { ddl, table } = cloudTrailTableDdl(inputs.source, 'default');
    const doc = `${ddlHeader(inputs.source, inputs.notes, trailLogsBase(inputs.source))}\n${ddl}\n`;
    const id = await api.start(splitSqlStatements(doc)[0].sql, { workGroup: 'primary', database: 'default' });
    await api.wait(id, { pollMs: 2 });

    // Found among the database's tables though the caller does not know the organization id.
    const found = findTableForTrail(await api.tables('default'), org, 'default');
    assert.equal(found?.name, table.name);
    assert.deepEqual(found?.partitions, table.partitions);
    assert.equal(
      findTableForTrail(await api.tables('default'), { ...org, S3KeyPrefix: 'other' }, 'default'),
      undefined,
      'another prefix is another trail',
    );
    assert.equal(
      findTableForTrail(await api.tables('default'), { ...org, IsOrganizationTrail: false }, 'default'),
      undefined,
      'a trail outside the organization folder',
    );

    const store = new EventStore();
    for (const r of bucket.records) store.add(r, 0);
    const engine = new SearchEngine(store);
    for (const q of ['eventName:AssumeRole,GetCallerIdentity', 'error:AccessDenied', '']) {
      const r = await runAthenaSearch(
        api,
        compileAthena(parseQuery(q), { table: found, limit: 100_000 }),
        { workGroup: 'primary', database: 'default' },
        { pollMs: 2, maxPollMs: 10 },
      );
      const local = [...engine.search(parseQuery(q), 'newest').rows]
        .map((row) => JSON.parse(store.raw(row)).eventID as string)
        .sort();
      assert.ok(local.length > 0, q);
      assert.deepEqual(r.records.map((x) => x.eventId).sort(), local, q);
      // The result file the log viewer opens holds the same events.
      const back = decodeLogBytes(new TextEncoder().encode(recordsFileText(r.records)));
      assert.ok(back.kind === 'events');
      assert.deepEqual(back.records.map((x) => x.eventId).sort(), local, `${q} (file)`);
    }
  });
});

test('CloudWatch Logs failures say what to do', () => {
  const ctx = { logGroup: 'arn:aws:logs:us-east-1:1:log-group:ct:*', region: 'us-east-1', timeoutSeconds: 600 };
  assert.equal(explainLogsError(new LogsQueryError('cancelled', 'Cancelled.', 'q'), ctx).title, 'Query cancelled');
  assert.match(explainLogsError(new LogsQueryError('timeout', 'x', 'q'), ctx).detail, /longer than 600 s/);
  assert.match(
    explainLogsError(
      Object.assign(
        new Error('User: arn:aws:iam::1:user/a is not authorized to perform: logs:StartQuery on resource: x'),
        { name: 'AccessDeniedException' },
      ),
      ctx,
    ).detail,
    /needs logs:StartQuery on the log group/,
  );
  assert.match(
    explainLogsError(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }), ctx).detail,
    /needs logs:StartQuery, logs:GetQueryResults and logs:StopQuery/,
  );
  assert.equal(
    explainLogsError(
      Object.assign(new Error("Log group 'ct' does not exist"), { name: 'ResourceNotFoundException' }),
      ctx,
    ).title,
    'Log group not found',
  );
  assert.equal(
    explainLogsError(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }), ctx).action,
    'retry',
  );
  assert.equal(
    explainLogsError(Object.assign(new Error('too many'), { name: 'LimitExceededException' }), ctx).title,
    'Too many queries',
  );
  assert.match(
    explainLogsError(Object.assign(new Error('bad'), { name: 'MalformedQueryException' }), ctx).detail,
    /did not accept the compiled query: bad/,
  );
  assert.equal(explainLogsError('boom', ctx).detail, 'boom');
});
