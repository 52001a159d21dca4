/**
 * Bench figures for the remote back ends (issue #15), for bench.ts to call: how long compiling a
 * query to Athena SQL and to Logs Insights takes, and what partition pruning saves — the files and
 * bytes a one-day query reads against a full scan, measured by the fake Athena's DuckDB engine
 * over the sample bucket (the same pruning rule Athena applies: conjuncts over partition columns).
 */
import { readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { cloudTrailTableDdl } from '../src/core/aws/athenaTable';
import { compileAthena } from '../src/core/query/athenaSql';
import { compileLogsInsights } from '../src/core/query/logsInsights';
import { parseQuery } from '../src/core/query/query';
import { buildSampleBucket } from '../test/support/sampleBucket';
import { estimateBench } from './estimateBench';

const QUERIES = [
  'eventName:StopLogging,DeleteTrail,UpdateTrail',
  'principal:bert-jan error:AccessDenied,*Unauthorized* after:2023-07-10T12:00Z',
  '-userAgent:*console* resource:*secret* requestParameters.userName:*',
  'bert-jan -eventSource:s3.amazonaws.com ip:10.0.0.0/8',
];

type Report = (name: string, value: number | string, unit?: string) => void;

/**
 * Pruning over the bench corpus (21 days of 12 accounts in 5 regions, laid out as S3): the files
 * and bytes a one-day query reads against a full scan (the compiler adds a day for late delivery).
 * Only its partitions are listed, none of its events loaded. Account and region terms do not
 * prune: a file's folder account need not be its events' recipientAccountId.
 */
async function corpusPruning(dir: string, report: Report): Promise<void> {
  const logs = join(dir, 'AWSLogs');
  const accounts = readdirSync(logs)
    .filter((a) => /^\d{12}$/.test(a))
    .sort();
  const regions = [...new Set(accounts.flatMap((a) => readdirSync(join(logs, a, 'CloudTrail'))))].sort();
  const { ddl, table } = cloudTrailTableDdl({
    trailName: 'corpus',
    bucket: basename(dir),
    prefix: '',
    accounts,
    regions,
  });
  // The corpus folder plays the bucket: the fake reads s3://<bucket>/… under its parent.
  const { AthenaDuck } = await import('../test/support/athenaDuck');
  const duck = await AthenaDuck.open(dirname(dir));
  await duck.createTable(ddl, 'default', { events: false });
  const run = (q: string): Promise<{ files: number; bytes: number }> =>
    duck.scanned(compileAthena(parseQuery(q), { table }).sql, 'default');
  const full = await run('eventName:*');
  const day = await run('after:2024-03-10 before:2024-03-11');
  report('remote_corpus_full_files', full.files, 'files');
  report('remote_corpus_one_day_files', day.files, 'files');
  report('remote_corpus_one_day_share', (100 * day.bytes) / Math.max(1, full.bytes), '% of a full scan');
  await duck.close();
}

/** Reports `remote_*` lines through `report(name, value, unit)`; `corpus`, the bench corpus's folder, adds its pruning. */
export async function remoteBench(report: Report, corpus?: string): Promise<void> {
  const b = buildSampleBucket();
  try {
    const { ddl, table } = cloudTrailTableDdl({
      trailName: 'bench',
      bucket: b.bucket,
      prefix: b.prefix,
      accounts: b.accounts,
      regions: b.regions,
    });
    const rounds = 2000;
    let t = performance.now();
    for (let i = 0; i < rounds; i++) compileAthena(parseQuery(QUERIES[i % QUERIES.length]), { table });
    report('remote_compile_athena', ((performance.now() - t) * 1000) / rounds, 'µs/query');
    t = performance.now();
    for (let i = 0; i < rounds; i++) compileLogsInsights(parseQuery(QUERIES[i % QUERIES.length]));
    report('remote_compile_logs_insights', ((performance.now() - t) * 1000) / rounds, 'µs/query');
    // Loaded here, not at the bench's start: DuckDB's native library would count in the load's peak RSS.
    const { AthenaDuck } = await import('../test/support/athenaDuck');
    const duck = await AthenaDuck.open(b.root);
    await duck.createTable(ddl, 'default');
    const day = await duck.scanned(
      compileAthena(parseQuery('after:2023-07-10 before:2023-07-11'), { table }).sql,
      'default',
    );
    const full = await duck.scanned(compileAthena(parseQuery('eventName:*'), { table }).sql, 'default');
    report('remote_scan_full_files', full.files, 'files');
    report('remote_scan_full_bytes', full.bytes, 'bytes');
    report('remote_scan_one_day_files', day.files, 'files');
    report('remote_scan_one_day_bytes', day.bytes, 'bytes');
    report('remote_scan_one_day_share', (100 * day.bytes) / Math.max(1, full.bytes), '% of a full scan');
    await duck.close();
    if (corpus) await corpusPruning(corpus, report);
    await estimateBench(report);
  } finally {
    rmSync(b.root, { recursive: true, force: true });
  }
}
