/**
 * The three back ends over one sample bucket, for tests and the bench: the local engine (an
 * EventStore of the bucket's records), Athena (fakeAthena over the bucket, table created from our
 * DDL through the real SDK) and Logs Insights (fakeLogsInsights, one log group of the events).
 * Each answers a parsed query with the eventIDs it finds.
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { rmSync } from 'node:fs';
import { AthenaApi } from '../../src/awsSdk/athena';
import { CloudWatchLogsApi } from '../../src/awsSdk/cloudWatchLogs';
import { runAthenaSearch, runLogsSearch } from '../../src/awsSdk/remoteSearch';
import { type AthenaTableRef, cloudTrailTableDdl } from '../../src/core/aws/athenaTable';
import { compileAthena } from '../../src/core/query/athenaSql';
import { compileLogsInsights } from '../../src/core/query/logsInsights';
import type { ParsedQuery } from '../../src/core/query/query';
import { SearchEngine } from '../../src/core/query/search';
import { EventStore } from '../../src/core/store/store';
import { type FakeAthena, startFakeAthena } from './fakeAthena';
import { type FakeLogs, startFakeLogs } from './fakeLogsInsights';
import { buildSampleBucket, type SampleBucket } from './sampleBucket';

export const LOG_GROUP = 'aws-cloudtrail-logs-main';
const credentials = { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake' };

export interface Backends {
  bucket: SampleBucket;
  athena: FakeAthena;
  logs: FakeLogs;
  athenaApi: AthenaApi;
  logsApi: CloudWatchLogsApi;
  table: AthenaTableRef;
  engine: SearchEngine;
  store: EventStore;
  local(q: ParsedQuery): string[];
  viaAthena(q: ParsedQuery): Promise<string[]>;
  viaLogs(q: ParsedQuery): Promise<string[]>;
  close(): Promise<void>;
}

const target = (endpoint: string) => ({
  profile: 'test',
  region: 'us-east-1',
  credentials: async () => credentials,
  endpoint,
  timeoutMs: 10_000,
});

/** Builds the bucket, starts both fakes and creates the table (through Athena, from our DDL). */
export async function startBackends(
  opts: { orgId?: string; prefix?: string; invictusEvery?: number } = {},
): Promise<Backends> {
  const bucket = buildSampleBucket(opts);
  const athena = await startFakeAthena({ s3Root: bucket.root, runMs: 0 });
  const logs = await startFakeLogs({ [LOG_GROUP]: bucket.records.map((r) => r.raw) });
  const athenaApi = new AthenaApi(
    target(athena.url),
    new AthenaClient({ region: 'us-east-1', endpoint: athena.url, credentials, maxAttempts: 4 }),
  );
  const logsApi = new CloudWatchLogsApi(
    target(logs.url),
    new CloudWatchLogsClient({ region: 'us-east-1', endpoint: logs.url, credentials }),
  );
  const { ddl, table } = cloudTrailTableDdl({
    trailName: 'main',
    bucket: bucket.bucket,
    prefix: bucket.prefix,
    orgId: bucket.orgId,
    accounts: bucket.accounts,
    regions: bucket.regions,
  });
  const id = await athenaApi.start(ddl, { workGroup: 'primary', database: 'default' });
  await athenaApi.wait(id, { pollMs: 2 });
  const store = new EventStore();
  for (const r of bucket.records) store.add(r, 0);
  const engine = new SearchEngine(store);
  const ids = (rows: Iterable<number>): string[] =>
    [...rows].map((r) => JSON.parse(store.raw(r)).eventID as string).sort();
  return {
    bucket,
    athena,
    logs,
    athenaApi,
    logsApi,
    table,
    engine,
    store,
    local: (q) => ids(engine.search(q, 'newest').rows),
    async viaAthena(q) {
      const c = compileAthena(q, { table, limit: 100_000 });
      const r = await runAthenaSearch(
        athenaApi,
        c,
        { workGroup: 'primary', database: 'default' },
        { timeoutMs: 20_000, pollMs: 2, maxPollMs: 10 },
      );
      return r.records.map((x) => x.eventId).sort();
    },
    async viaLogs(q) {
      // The samples hold events dated past today (hand-written tests): the range must reach them.
      const c = compileLogsInsights(q, { limit: 9_998, now: Date.UTC(2100, 0, 1) });
      const r = await runLogsSearch(logsApi, c, LOG_GROUP, { pollMs: 2, maxPollMs: 10 });
      return r.records.map((x) => x.eventId).sort();
    },
    async close() {
      athenaApi.dispose();
      logsApi.dispose();
      await athena.close();
      await logs.close();
      rmSync(bucket.root, { recursive: true, force: true });
    },
  };
}
