/**
 * The workspace the integration and e2e tests open: real sample logs from ../shared/samples
 * beside deliberately bad files, laid out the way an investigator's folder looks.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { anEvent, sampleEventsByIdentityType, samplesDir } from '../builders/events';
import { hostileEvent, INJECTION_PAYLOADS } from '../builders/injection';

/** Names in the fixture workspace the tests refer to. */
export const FIXTURE = {
  /** One real, gzipped log file: 55 events, with StopLogging and PutEventSelectors. */
  gzLog: '218007301253_CloudTrail_us-east-1_20230710T1205Z_UljXNp9xLp8nsAGc.json.gz',
  gzLogEvents: 55,
  /** A folder with all 55 invictus files, gzipped, in the S3 key layout: 2,900 events. */
  folder: 'AWSLogs',
  folderEvents: 2900,
  /** Bad files, each with a reason the viewer must show. */
  bad: 'bad',
  truncated: 'bad/truncated_CloudTrail_.json.gz',
  bomb: 'bad/bomb.json.gz',
  notCloudTrail: 'bad/package.json',
  malformed: 'bad/SerializerTestFileBadJsonFormat.json',
  digest: 'bad/digest.json',
  empty: 'bad/empty.json',
  /** Files in bad/ that fail; digest is listed, not failed. */
  badFailures: 5,
  /** One real sample event per identity type, plus an AccessDenied one. */
  identities: 'identities.json',
  identityTypes: [
    'Root',
    'IAMUser',
    'AssumedRole',
    'FederatedUser',
    'AWSService',
    'AWSAccount',
    'Unknown',
    'IdentityCenterUser',
    '',
  ],
  /** One event per injection payload, the payload in every string field. */
  hostile: 'hostile.json',
} as const;

const IDENTITY_CENTER_USER = {
  type: 'IdentityCenterUser',
  accountId: '111122223333',
  onBehalfOf: {
    userId: '94482488-3041-7026-18f3-be45837cd0e4',
    identityStoreArn: 'arn:aws:identitystore::111122223333:identitystore/d-9067642ac7',
  },
  credentialId: 'EXAMPLEVHULjJdTUdPJfofVa1sufHDoj7aYcOYcxFVllWR_Whr1fEXAMPLE',
};

/** Builds a fresh fixture workspace and returns its path. */
export function makeFixtureWorkspace(): string {
  const samples = samplesDir();
  const ws = mkdtempSync(join(tmpdir(), 'ctl-ws-'));
  const gzDir = join(samples, 'invictus-ir_aws_dataset_gzipped-by-us/CloudTrail');
  const trail = join(ws, FIXTURE.folder, '218007301253/CloudTrail/us-east-1/2023/07/10');
  mkdirSync(trail, { recursive: true });
  for (const f of readdirSync(gzDir)) copyFileSync(join(gzDir, f), join(trail, f));
  copyFileSync(join(gzDir, FIXTURE.gzLog), join(ws, FIXTURE.gzLog));

  const bad = join(ws, FIXTURE.bad);
  mkdirSync(bad);
  const good = gzipSync(
    Buffer.from(
      JSON.stringify({ Records: Array.from({ length: 40 }, (_, i) => ({ eventVersion: '1.08', eventName: `E${i}` })) }),
    ),
  );
  writeFileSync(join(ws, FIXTURE.truncated), good.subarray(0, Math.floor(good.length / 2)));
  writeFileSync(join(ws, FIXTURE.bomb), gzipSync(Buffer.alloc(300 * 1024 * 1024, 0x20), { level: 9 }));
  writeFileSync(join(ws, FIXTURE.notCloudTrail), JSON.stringify({ name: 'my-app', version: '1.0.0' }));
  copyFileSync(
    join(samples, 'aws-cloudtrail-processing-library_SYNTHETIC-fixtures/SerializerTestFileBadJsonFormat.json'),
    join(ws, FIXTURE.malformed),
  );
  copyFileSync(
    join(
      samples,
      'llm-guard_digest/327878933619_CloudTrail-Digest_ap-northeast-1_llm-guard-trail_us-west-2_20231015T230404Z.json',
    ),
    join(ws, FIXTURE.digest),
  );
  writeFileSync(join(ws, FIXTURE.empty), '');

  const byType = sampleEventsByIdentityType();
  const picked = [...FIXTURE.identityTypes, 'AccessDenied']
    .map((t) => byType.get(t))
    .filter((raw): raw is string => !!raw);
  // No sample holds an IAM Identity Center user: this one follows the shape AWS documents.
  picked.push(
    JSON.stringify(
      anEvent({ eventName: 'ListBuckets', eventSource: 's3.amazonaws.com', userIdentity: IDENTITY_CENTER_USER }),
    ),
  );
  writeFileSync(join(ws, FIXTURE.identities), `{"Records":[${picked.join(',')}]}`);
  writeFileSync(
    join(ws, FIXTURE.hostile),
    JSON.stringify({ Records: INJECTION_PAYLOADS.map((p, i) => hostileEvent(p, i)) }),
  );
  return ws;
}
