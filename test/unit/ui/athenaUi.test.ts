/**
 * The pure logic behind the Athena and CloudWatch Logs commands: the window choices and titles,
 * the statements a `.sql` document's CodeLens runs (the generated DDL and SQL among them), the
 * refusal naming unsupported terms, and the result file the log viewer opens, read back by the
 * real decoder from the real samples.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { cloudTrailTableDdl } from '../../../src/core/aws/athenaTable';
import { decodeLogBytes } from '../../../src/core/ingest/decode';
import { compileAthena } from '../../../src/core/query/athenaSql';
import { compileLogsInsights } from '../../../src/core/query/logsInsights';
import { parseQuery } from '../../../src/core/query/query';
import {
  cutMessage,
  describeBytes,
  eventCount,
  parseProblemText,
  recordsFileText,
  refusalText,
  resultFileName,
} from '../../../src/core/ui/remoteResults';
import {
  customWindow,
  describeWindow,
  queryTimeRange,
  resultTitle,
  whenProblem,
  windowChoices,
} from '../../../src/core/ui/remoteWindow';
import {
  createdTable,
  hasEventColumns,
  sameSql,
  splitSqlStatements,
  statementAt,
  statementKind,
} from '../../../src/core/ui/sqlStatements';
import { CommandId } from '../../../src/common/commandIds';
import { samplesDir } from '../../builders/events';
import { repoRoot } from '../../support/repoRoot';

const NOW = Date.UTC(2025, 5, 15, 12, 0);
const DAY = 86_400_000;

describe('the time window of a remote search', () => {
  test("presets end now; the query's own range comes first when it has one, and then decides alone", () => {
    const plain = windowChoices(parseQuery('eventName:StopLogging', NOW), NOW, 'scans everything');
    assert.deepEqual(
      plain.map((c) => c.id),
      ['24h', '7d', '30d', 'all', 'custom'],
    );
    assert.deepEqual(plain[1].window, { start: NOW - 7 * DAY, end: NOW });
    assert.equal(plain[1].short, 'last 7 days');
    assert.equal(plain[1].description, '2025-06-08 12:00 → 2025-06-15 12:00 UTC');
    assert.deepEqual(plain[3].window, {}, 'all time adds no bound');
    assert.equal(plain[3].description, 'scans everything');
    assert.equal(plain[4].window, undefined, 'custom is typed');

    const ranged = windowChoices(
      parseQuery('eventName:StopLogging after:2024-03-01 before:2024-03-02T10:00Z after:2024-02-01', NOW),
      NOW,
      '',
    );
    assert.equal(ranged[0].id, 'query');
    assert.deepEqual(ranged[0].window, {}, "the compilers read the query's own time terms");
    assert.equal(ranged[0].description, '2024-03-01 → 2024-03-02 10:00 UTC', 'the intersection of the time terms');
    assert.equal(
      ranged.find((c) => c.id === 'all')!.short,
      '2024-03-01 → 2024-03-02 10:00 UTC',
      'all time is still bounded by the query',
    );
    assert.deepEqual(queryTimeRange(parseQuery('last:24h', NOW)), { start: NOW - DAY, end: undefined });
    assert.equal(queryTimeRange(parseQuery('x', NOW)), undefined);
  });

  test('a preset never widens the query: compileAthena and compileLogsInsights intersect it with the time terms', () => {
    const q = parseQuery('eventName:StopLogging after:2025-06-14', NOW);
    const week = windowChoices(q, NOW, '').find((c) => c.id === '7d')!.window!;
    const table = cloudTrailTableDdl({
      trailName: 't',
      bucket: 'b',
      prefix: '',
      accounts: ['111122223333'],
      regions: ['us-east-1'],
    }).table;
    assert.deepEqual(compileAthena(q, { table, window: week }).range, { start: Date.UTC(2025, 5, 14), end: NOW });
    const logs = compileLogsInsights(q, { window: week });
    assert.equal(logs.startTime, Date.UTC(2025, 5, 14) / 1000);
  });

  test('custom ranges: UTC dates or times, the end after the start, an empty end meaning now', () => {
    assert.deepEqual(customWindow('2024-03-01', '2024-03-02T10:00Z', NOW), {
      window: { start: Date.UTC(2024, 2, 1), end: Date.UTC(2024, 2, 2, 10) },
      short: '2024-03-01 → 2024-03-02 10:00 UTC',
    });
    assert.deepEqual(customWindow(' 2024-03-01 ', ' ', NOW), {
      window: { start: Date.UTC(2024, 2, 1), end: NOW },
      short: '2024-03-01 → 2025-06-15 12:00 UTC',
    });
    assert.match((customWindow('2024-03-02', '2024-03-01', NOW) as { error: string }).error, /end must come after/);
    assert.match((customWindow('yesterday', '', NOW) as { error: string }).error, /"yesterday" is not a time/);
    assert.match((customWindow('2024-03-01', '2024-13-01', NOW) as { error: string }).error, /not a time/);
    assert.equal(whenProblem('2024-03-01T10:00Z'), undefined);
    assert.ok(whenProblem('soon'));
  });

  test('titles name the back end, the query (cut when long) and the window', () => {
    assert.equal(
      resultTitle('Athena', 'eventName:StopLogging', 'last 7 days'),
      'Athena: eventName:StopLogging (last 7 days)',
    );
    assert.equal(resultTitle('CloudWatch Logs', '  ', 'all time'), 'CloudWatch Logs: every event (all time)');
    const long = resultTitle('Athena', `eventName:${'x'.repeat(200)}\n-error:*`, '');
    assert.equal(long, `Athena: eventName:${'x'.repeat(49)}…`);
    assert.equal(describeWindow({ start: Date.UTC(2024, 0, 1) }), 'since 2024-01-01 UTC');
    assert.equal(describeWindow({ end: Date.UTC(2024, 0, 1, 5, 30) }), 'until 2024-01-01 05:30 UTC');
    assert.equal(describeWindow({}), 'all time');
  });
});

describe('the statements of a .sql document', () => {
  test('split at semicolons outside strings, quoted names and comments; leading comments are not sent', () => {
    const text = [
      '-- a header; with a semicolon',
      "SELECT 'a;b', \"c;d\", `e;f` FROM t WHERE x = 'it''s; fine' /* ; */;",
      '',
      '/* block',
      '   ; */  SELECT 2',
      ';;  -- nothing here ;',
      "SELECT 'tail\\'; still' ",
    ].join('\n');
    const st = splitSqlStatements(text);
    // Trino has no backslash escapes: the string ends at the quote after the backslash.
    assert.deepEqual(
      st.map((s) => s.sql),
      ["SELECT 'a;b', \"c;d\", `e;f` FROM t WHERE x = 'it''s; fine'", 'SELECT 2', "SELECT 'tail\\'", "still' "],
    );
    for (const s of st) assert.equal(text.slice(s.start, s.end), s.sql);
    assert.equal(statementAt(st, 0), 0, 'a cursor on the header belongs to the first statement');
    assert.equal(statementAt(st, text.indexOf('SELECT 2') + 3), 1);
    assert.equal(statementAt(st, text.length), 3);
    assert.deepEqual(splitSqlStatements('  -- only a comment\n/* and this */ ;  '), []);
    assert.deepEqual(splitSqlStatements("SELECT 'never closed; "), [
      { start: 0, end: 22, sql: "SELECT 'never closed; " },
    ]);
  });

  test('the generated DDL document is one statement that creates the table; the generated SQL matches itself unedited', () => {
    const { ddl } = cloudTrailTableDdl({
      trailName: 'Main',
      bucket: 'logs',
      prefix: "odd'prefix",
      orgId: 'o-abcdef1234',
      accounts: ['111122223333', '444455556666'],
      regions: ['us-east-1'],
    });
    const doc = `-- Athena table for trail "Main"\n-- Review it.\n${ddl}\n`;
    const st = splitSqlStatements(doc);
    assert.equal(st.length, 1, 'the escaped quote in the prefix does not split it');
    assert.equal(st[0].sql, ddl);
    assert.equal(statementKind(st[0].sql), 'done');
    assert.deepEqual(createdTable(st[0].sql), { database: 'default', name: 'cloudtrail_main' });
    assert.deepEqual(createdTable('create external table if not exists Mine (x string)'), { name: 'mine' });
    assert.deepEqual(createdTable('CREATE TABLE "db1"."T2" AS SELECT 1'), { database: 'db1', name: 't2' });
    assert.equal(createdTable('SELECT 1'), undefined);

    const table = cloudTrailTableDdl({
      trailName: 'main',
      bucket: 'b',
      prefix: '',
      accounts: ['111122223333'],
      regions: ['us-east-1'],
    }).table;
    const sql = compileAthena(parseQuery("eventName:StopLogging ip:'10.0.0.1' after:2024-01-01"), { table }).sql;
    const shown = `-- header\n\n${sql};\n`;
    assert.equal(splitSqlStatements(shown)[0].sql, sql, 'the compiled SQL survives the split whole');
    assert.equal(statementKind(sql), 'rows');
    assert.ok(sameSql(sql, `  ${sql.replace(/\n/g, '\n    ')}  -- reformatted`));
    assert.ok(!sameSql(sql, sql.replace(/LIMIT \d+/, 'LIMIT 5')), 'an edit is a different statement');
    assert.notEqual(sql.replace(/LIMIT \d+/, 'LIMIT 5'), sql);
    assert.equal(statementKind('  (SELECT 1)'), 'rows');
    assert.equal(statementKind('with x as (select 1) select * from x'), 'rows');
    assert.equal(statementKind('DROP TABLE x'), 'done');
    assert.ok(hasEventColumns(compileAthena(parseQuery(''), { table }).columns));
    assert.ok(!hasEventColumns(['eventname', 'count']));
  });
});

describe('refusals and result files', () => {
  test('every unsupported term is named with its reason, before anything runs', () => {
    const table = cloudTrailTableDdl({
      trailName: 'main',
      bucket: 'b',
      prefix: '',
      accounts: ['111122223333'],
      regions: ['us-east-1'],
    }).table;
    const c = compileAthena(parseQuery('detection:aws_cloudtrail_disable_logging eventName:StopLogging'), { table });
    assert.equal(c.unsupported.length, 1);
    const text = refusalText('Athena', c.unsupported);
    assert.match(
      text,
      /^Not run in Athena: one term of the query cannot be sent\. • detection: detection results exist only in the investigation/,
    );
    assert.match(text, /Remove it and run again/);
    assert.match(
      refusalText('CloudWatch Logs', ['a: x.', 'b: y.']),
      /^Not run in CloudWatch Logs: 2 terms .* • a: x\. • b: y\. Remove them/,
    );
    // A term the parser could not read would be left out, widening the search: refused too.
    const bad = parseQuery('evntName:StopLogging eventName:DeleteTrail');
    assert.ok(bad.errors.length > 0);
    assert.match(
      parseProblemText('Athena', bad.errors),
      /^Not run in Athena: the query has a problem, and the terms involved would be left out\. • Unknown field "evntName"/,
    );
  });

  test('the result file is a CloudTrail log the decoder reads back event for event (real samples)', () => {
    const bytes = readFileSync(join(samplesDir(), 'invictus-ir_aws_dataset_gzipped-by-us', readdirFirst()));
    const decoded = decodeLogBytes(bytes);
    assert.equal(decoded.kind, 'events');
    if (decoded.kind !== 'events') return;
    const text = recordsFileText(decoded.records);
    const again = decodeLogBytes(new TextEncoder().encode(text));
    assert.equal(again.kind, 'events');
    if (again.kind !== 'events') return;
    assert.equal(again.records.length, decoded.records.length);
    assert.deepEqual(
      again.records.map((r) => r.eventId),
      decoded.records.map((r) => r.eventId),
    );
    assert.deepEqual(
      again.records.map((r) => JSON.parse(r.raw)),
      decoded.records.map((r) => JSON.parse(r.raw)),
    );
    const empty = decodeLogBytes(new TextEncoder().encode(recordsFileText([])));
    assert.ok(empty.kind === 'events' && empty.records.length === 0);
  });

  test('cut messages name the limit and its setting; sizes, counts and file names', () => {
    assert.equal(
      cutMessage('Athena found more than 10 events.', 10_000, 'cloudtrailLens.athena.maxResults'),
      'Athena found more than 10 events. The limit is 10,000 (setting cloudtrailLens.athena.maxResults).',
    );
    assert.equal(describeBytes(512), '512 bytes');
    assert.equal(describeBytes(5 * 1024 * 1024 + 1), '5.0 MB');
    assert.equal(describeBytes(300 * 1024 ** 3), '300 GB');
    assert.equal(eventCount(0), 'no events');
    assert.equal(eventCount(1), '1 event');
    assert.equal(eventCount(12_345), '12,345 events');
    assert.equal(resultFileName('3f2a-..//x'), '3f2a-____x.json');
    assert.equal(resultFileName(''), 'query.json');
  });
});

/** The first sample log file of the invictus set (a real trail's file). */
function readdirFirst(): string {
  const list = readFileSync(join(samplesDir(), 'FILES.tsv'), 'utf8')
    .split('\n')
    .map((l) => l.split('\t')[0]);
  const hit = list.find((p) => p.startsWith('invictus-ir_aws_dataset_gzipped-by-us/') && p.endsWith('.json.gz'));
  assert.ok(hit, 'a gzipped invictus sample');
  return hit.slice('invictus-ir_aws_dataset_gzipped-by-us/'.length);
}

test('package.json contributes the commands, menus and settings, the endpoints restricted in untrusted workspaces', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8'));
  const commands = new Map<string, { title: string; category: string }>(
    pkg.contributes.commands.map((c: { command: string; title: string; category: string }) => [c.command, c]),
  );
  for (const id of [
    CommandId.SetUpAthenaTable,
    CommandId.RunInAthena,
    CommandId.RunDetectionInAthena,
    CommandId.SearchCloudWatchLogs,
    CommandId.RunSqlInAthena,
    CommandId.SearchRemotely,
  ]) {
    assert.equal(commands.get(id)?.category, 'CloudTrail', id);
  }
  const item = pkg.contributes.menus['view/item/context'] as Array<{ command: string; when: string }>;
  const when = (id: string): RegExp =>
    new RegExp(/viewItem =~ \/(.*)\/$/.exec(item.find((m) => m.command === id)!.when)![1]);
  for (const id of [
    CommandId.SetUpAthenaTable,
    CommandId.RunInAthena,
    CommandId.RunDetectionInAthena,
    CommandId.OpenTrailLogsFromS3,
    CommandId.ValidateIntegrity,
  ]) {
    for (const v of [
      'cloudtrailLens:trail',
      'cloudtrailLens:trail:shadow',
      'cloudtrailLens:trail:logs',
      'cloudtrailLens:trail:shadow:logs',
    ])
      assert.match(v, when(id), `${id} on ${v}`);
  }
  assert.match('cloudtrailLens:trail:logs', when(CommandId.SearchCloudWatchLogs));
  assert.match('cloudtrailLens:trail:shadow:logs', when(CommandId.SearchCloudWatchLogs));
  assert.doesNotMatch('cloudtrailLens:trail', when(CommandId.SearchCloudWatchLogs), 'only trails with a log group');
  assert.equal(
    pkg.contributes.menus.commandPalette.find(
      (m: { command: string }) => m.command === String(CommandId.SearchRemotely),
    )?.when,
    'false',
  );
  const props = pkg.contributes.configuration.properties;
  assert.equal(props['cloudtrailLens.athena.workGroup'].default, 'primary');
  assert.equal(props['cloudtrailLens.athena.database'].default, 'default');
  assert.equal(props['cloudtrailLens.athena.maxResults'].default, 10000);
  for (const k of ['cloudtrailLens.athenaEndpoint', 'cloudtrailLens.logsEndpoint']) {
    assert.equal(props[k].default, '');
    assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(k), `${k} restricted`);
  }
});
