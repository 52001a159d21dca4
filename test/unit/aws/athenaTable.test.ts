/**
 * The Athena table DDL for single-account, multi-region and organization trails: AWS's documented
 * shape and the projection properties, accepted by the fake (which parses the DDL on its own and
 * loads the sample bucket through it), and an existing table for the bucket found again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync, rmSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import {
  cloudTrailTableDdl,
  findTrailTable,
  type TableMetadataLike,
  tableNameFor,
} from '../../../src/core/aws/athenaTable';
import { AthenaDuck, parseDdl } from '../../support/athenaDuck';
import { buildSampleBucket } from '../../support/sampleBucket';

test("the DDL is AWS's CloudTrail table with account, region and day projected", () => {
  const { ddl, table } = cloudTrailTableDdl({
    trailName: 'Main Trail',
    bucket: 'logs-bucket',
    prefix: 'ct/',
    accounts: ['111122223333'],
    regions: ['eu-west-1'],
  });
  assert.equal(table.name, 'cloudtrail_main_trail');
  assert.match(ddl, /^CREATE EXTERNAL TABLE `default`.`cloudtrail_main_trail` \(/);
  assert.match(ddl, /useridentity STRUCT<\n\s+type: STRING,\n\s+principalid: STRING/);
  assert.match(ddl, /requestparameters STRING,\n\s+responseelements STRING,\n\s+additionaleventdata STRING/);
  assert.match(ddl, /resources ARRAY<STRUCT<\n\s+arn: STRING/);
  assert.match(
    ddl,
    /ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'\nSTORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'/,
  );
  assert.match(ddl, /LOCATION 's3:\/\/logs-bucket\/ct\/AWSLogs\/'/);
  const p = parseDdl(ddl, 'default').properties;
  assert.deepEqual(
    { ...p },
    {
      'projection.enabled': 'true',
      'projection.account.type': 'enum',
      'projection.account.values': '111122223333',
      'projection.region.type': 'enum',
      'projection.region.values': 'eu-west-1',
      'projection.timestamp.type': 'date',
      'projection.timestamp.format': 'yyyy/MM/dd',
      'projection.timestamp.range': '2013/11/01,NOW',
      'projection.timestamp.interval': '1',
      'projection.timestamp.interval.unit': 'DAYS',
      'storage.location.template': 's3://logs-bucket/ct/AWSLogs/${account}/CloudTrail/${region}/${timestamp}',
    },
  );
  assert.equal(tableNameFor('--'), 'cloudtrail_trail');
  assert.throws(
    () => cloudTrailTableDdl({ trailName: 't', bucket: 'b', prefix: '', accounts: ["1',x"], regions: ['eu-west-1'] }),
    /not a valid account/,
  );
});

test('multi-region and organization trails: every region and account, the organization in the template', () => {
  const { ddl } = cloudTrailTableDdl({
    trailName: 'org',
    bucket: 'b',
    prefix: '',
    orgId: 'o-abcdefghij',
    accounts: ['111122223333', '444455556666'],
    regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'],
    since: Date.UTC(2023, 0, 1),
  });
  const p = parseDdl(ddl, 'default').properties;
  assert.equal(p['projection.account.values'], '111122223333,444455556666');
  assert.equal(p['projection.region.values'], 'us-east-1,eu-west-1,ap-southeast-2');
  assert.equal(p['projection.timestamp.range'], '2023/01/01,NOW');
  assert.equal(
    p['storage.location.template'],
    's3://b/AWSLogs/o-abcdefghij/${account}/CloudTrail/${region}/${timestamp}',
  );
});

test("the fake accepts the DDL and loads exactly the bucket's events through it (plain and organization layouts)", async () => {
  for (const orgId of [undefined, 'o-abcdefghij']) {
    const b = buildSampleBucket({ orgId, prefix: 'ct', invictusEvery: 5 });
    try {
      const duck = await AthenaDuck.open(b.root);
      const { ddl } = cloudTrailTableDdl({
        trailName: 'main',
        bucket: b.bucket,
        prefix: b.prefix,
        orgId,
        accounts: b.accounts,
        regions: b.regions,
      });
      assert.equal(await duck.createTable(ddl, 'default'), b.records.length);
      const ids = await duck.select('SELECT eventid FROM "default"."cloudtrail_main" ORDER BY eventid', 'default');
      assert.deepEqual(
        ids.rows.map((r) => r[0]),
        b.records.map((r) => r.eventId).sort(),
      );
      // A table for only some accounts reads only theirs.
      const one = cloudTrailTableDdl({
        trailName: 'one',
        bucket: b.bucket,
        prefix: b.prefix,
        orgId,
        accounts: ['218007301253'],
        regions: b.regions,
      });
      const inFiles = b.files
        .filter((f) => f.account === '218007301253')
        .reduce(
          (n, f) =>
            n + (JSON.parse(gunzipSync(readFileSync(f.path)).toString()) as { Records: unknown[] }).Records.length,
          0,
        );
      assert.ok(inFiles > 0 && inFiles < b.records.length);
      assert.equal(await duck.createTable(one.ddl, 'default'), inFiles);
      await duck.close();
    } finally {
      rmSync(b.root, { recursive: true, force: true });
    }
  }
});

test('a DDL the fake (like Athena) cannot use is refused', async () => {
  const { ddl } = cloudTrailTableDdl({
    trailName: 'main',
    bucket: 'b',
    prefix: '',
    accounts: ['111122223333'],
    regions: ['eu-west-1'],
  });
  const duck = await AthenaDuck.open('/nonexistent');
  await assert.rejects(
    duck.createTable(ddl.replace(/'projection.region.type'='enum',\n/, ''), 'default'),
    /projection.region.type/,
  );
  await assert.rejects(duck.createTable(ddl.replace('${region}/', 'x/'), 'default'), /does not use \$\{region\}/);
  await assert.rejects(
    duck.createTable(
      ddl.replace('org.apache.hive.hcatalog.data.JsonSerDe', 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe'),
      'default',
    ),
    /cannot read CloudTrail JSON/,
  );
  await duck.close();
});

test('an existing table over the bucket is found, whatever its partitions are called; others are not', () => {
  const loc = { bucket: 'b', prefix: 'ct', orgId: 'o-abcdefghij' };
  const cols = [
    { Name: 'eventname', Type: 'string' },
    { Name: 'eventtime', Type: 'string' },
    { Name: 'eventid', Type: 'string' },
    { Name: 'useridentity', Type: 'struct<type:string,arn:string>' },
  ];
  const tables: TableMetadataLike[] = [
    {
      Name: 'other_bucket',
      Columns: cols,
      PartitionKeys: [{ Name: 'd' }],
      Parameters: {
        'projection.enabled': 'true',
        'storage.location.template': 's3://x/AWSLogs/o-abcdefghij/${a}/CloudTrail/${r}/${d}',
      },
    },
    { Name: 'no_pruning', Columns: cols, Parameters: { location: 's3://b/ct/AWSLogs/o-abcdefghij/' } },
    {
      Name: 'theirs',
      Columns: cols,
      PartitionKeys: [{ Name: 'acct' }, { Name: 'rgn' }, { Name: 'day' }],
      Parameters: {
        'projection.enabled': 'true',
        'projection.day.type': 'date',
        'projection.day.format': 'yyyy/MM/dd',
        'storage.location.template': 's3://b/ct/AWSLogs/o-abcdefghij/${acct}/CloudTrail/${rgn}/${day}',
      },
    },
    { Name: 'not_cloudtrail', Columns: [{ Name: 'x' }], Parameters: { location: 's3://b/ct/AWSLogs/o-abcdefghij/' } },
  ];
  const found = findTrailTable(tables, loc, 'db');
  assert.equal(found?.name, 'theirs');
  assert.deepEqual(found?.partitions, { account: 'acct', region: 'rgn', day: { column: 'day', format: 'yyyy/MM/dd' } });
  assert.equal(findTrailTable(tables.slice(0, 2), loc, 'db')?.name, 'no_pruning');
  assert.equal(findTrailTable(tables, { bucket: 'b', prefix: 'ct' }, 'db'), undefined);
});
