/**
 * The cost estimate's listing at organization scale (issue #21): a 30-day query over a 20-account,
 * 17-region organization trail laid out in the fake S3 (10,200 day prefixes, 2 files each, and
 * one busy prefix of 2,500 files that pages), estimated with the real @aws-sdk/client-s3 on
 * 127.0.0.1. Reports the time against the 3 s target, ListObjectsV2 calls per prefix (≤ 1 chain
 * each: the busy prefix's extra pages are its chain's continuation) and the most calls in flight.
 * Runs alone too: `node out/bench/estimateBench.js`.
 */
import { createS3Client, S3Api } from '../src/awsSdk/s3';
import { estimateScan } from '../src/awsSdk/scanSize';
import { cloudTrailTableDdl } from '../src/core/aws/athenaTable';
import { compileAthena } from '../src/core/query/athenaSql';
import { parseQuery } from '../src/core/query/query';
import { startFakeS3 } from '../test/support/fakeS3';
import type { BucketObject } from '../test/support/trailBucket';

type Report = (name: string, value: number | string, unit?: string) => void;
const DAY = 86_400_000;

export async function estimateBench(report: Report, concurrency = 16): Promise<void> {
  const accounts = Array.from({ length: 20 }, (_, i) => String(100000000000 + i * 1111));
  const regions = [
    'us-east-1',
    'us-east-2',
    'us-west-1',
    'us-west-2',
    'ca-central-1',
    'eu-west-1',
    'eu-west-2',
    'eu-west-3',
    'eu-central-1',
    'eu-north-1',
    'ap-south-1',
    'ap-northeast-1',
    'ap-northeast-2',
    'ap-northeast-3',
    'ap-southeast-1',
    'ap-southeast-2',
    'sa-east-1',
  ];
  const org = 'o-bench12345';
  const start = Date.UTC(2024, 2, 1);
  const objects = new Map<string, BucketObject>();
  const body = Buffer.alloc(2048, 1);
  const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10).replace(/-/g, '/');
  // 32 days on disk: the two outside the query's partitions must not be listed.
  for (const a of accounts)
    for (const r of regions)
      for (let d = -1; d <= 30; d++) {
        const at = `AWSLogs/${org}/${a}/CloudTrail/${r}/${day(start + d * DAY)}/`;
        const n = a === accounts[0] && r === regions[0] && d === 3 ? 2500 : 2;
        for (let f = 0; f < n; f++)
          objects.set(`${at}${a}_CloudTrail_${r}_${f}.json.gz`, {
            body,
            lastModified: new Date(start),
            metadata: {},
          });
      }
  const s3 = await startFakeS3({ buckets: { 'org-trail': objects } });
  const target = {
    profile: 'bench',
    region: 'us-east-1',
    credentials: async () => ({ accessKeyId: 'AKIDBENCH', secretAccessKey: 'not-a-secret' }),
    endpoint: s3.url,
    timeoutMs: 20_000,
  };
  const api = new S3Api(target, createS3Client(target));
  try {
    const { table } = cloudTrailTableDdl({
      trailName: 'org',
      bucket: 'org-trail',
      prefix: '',
      orgId: org,
      accounts,
      regions,
    });
    // 29 days of range + the late-delivery day = 30 day partitions.
    const c = compileAthena(
      parseQuery(`after:${day(start).replace(/\//g, '-')} before:${day(start + 29 * DAY).replace(/\//g, '-')}`),
      {
        table,
        lateDays: 1,
      },
    );
    // Chains open at once, counted on the client side (the fake answers each request synchronously).
    let open = 0;
    let peak = 0;
    const counting = {
      listFolders: api.listFolders.bind(api),
      async *listPages(...args: Parameters<S3Api['listPages']>) {
        peak = Math.max(peak, ++open);
        try {
          yield* api.listPages(...args);
        } finally {
          open--;
        }
      },
    };
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let firstAt = 0;
    const e = await estimateScan(counting, table.partitions, table.layout!, c.partitions, {
      concurrency,
      now: start + 40 * DAY,
      onProgress: () => void (firstAt ||= performance.now() - t0),
    });
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const lists = s3.requests.filter((r) => r.key === '').length;
    const chains = s3.requests.filter((r) => r.key === '' && !r.query['continuation-token']).length;
    report('remote_estimate_chains', e.chains, `listing chains (${e.prefixes} prefixes: target ≤ 1 per prefix)`);
    report('remote_estimate_prefixes', e.prefixes, 'prefixes (target 10,200)');
    report('remote_estimate_cpu', (cpu.user + cpu.system) / 1e6, 's CPU, client and fake together (load-independent)');
    report('remote_estimate_first_chain', firstAt / 1000, 's to the first chain done (client set-up)');
    report('remote_estimate_time', ms / 1000, 's (target ≤ 3 s; 2 shared cores: noisy)');
    report('remote_estimate_list_calls', lists, `ListObjectsV2 calls (${chains} chains started)`);
    report('remote_estimate_in_flight', peak, `most chains open at once (bound ${concurrency})`);
    report('remote_estimate_bytes', e.bytes, `bytes (expected ${(10_200 * 2 + 2498) * body.length})`);
  } finally {
    api.dispose();
    await s3.close();
  }
}

if (process.argv[1]?.endsWith('estimateBench.js'))
  void estimateBench((n, v, u = '') => console.log(`${n}: ${typeof v === 'number' ? Number(v.toFixed(3)) : v} ${u}`));
