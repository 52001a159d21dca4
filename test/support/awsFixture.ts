/**
 * An AWS world for the explorer's tests, entirely local: temporary shared config and credentials
 * files, and a fake CloudTrail endpoint serving real sample events (re-timed into the last 90
 * days), a healthy multi-region trail (seen as a shadow trail in eu-west-1), a trail with
 * problems, and a few insight events.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recentSampleEvents } from '../builders/events';
import { type FakeCloudTrail, type FakeCloudTrailOptions, startFakeCloudTrail } from './fakeCloudTrail';

export const ACCOUNT = '123837392027';
export const MAIN_TRAIL = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-main`;
export const AUDIT_TRAIL = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/legacy-audit`;

export interface AwsFixture {
  fake: FakeCloudTrail;
  env: Record<string, string>;
  /** Total events served in us-east-1 (management only). */
  events: number;
  close(): Promise<void>;
}

/** Synthetic: the samples hold no CloudTrail Insights events, so these follow AWS's documented shape. */
function insightEvents(now: number): Array<Record<string, unknown>> {
  return [0, 1].map((i) => ({
    eventVersion: '1.08',
    eventTime: new Date(now - (i + 1) * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    awsRegion: 'us-east-1',
    eventID: `insight-${i}`,
    eventType: 'AwsCloudTrailInsight',
    eventCategory: 'Insight',
    recipientAccountId: ACCOUNT,
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    sharedEventID: `shared-${i}`,
    insightDetails: {
      state: i ? 'End' : 'Start',
      eventSource: 'ec2.amazonaws.com',
      eventName: 'DescribeInstances',
      insightType: 'ApiCallRateInsight',
      insightContext: { statistics: { baseline: { average: 0.05 }, insight: { average: 4.2 } } },
    },
  }));
}

/** `extra` adds to (or replaces) what the fake CloudTrail serves, e.g. ListPublicKeys' keys. */
export async function startAwsFixture(
  now = Date.now(),
  extra: Partial<FakeCloudTrailOptions> = {},
): Promise<AwsFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'ctl-aws-'));
  writeFileSync(
    join(dir, 'config'),
    [
      '[profile dev]',
      'region = us-east-1',
      '',
      '[profile corp-sso]',
      'sso_session = corp',
      `sso_account_id = ${ACCOUNT}`,
      'sso_role_name = SecurityAudit',
      'region = us-east-1',
      '',
      '[sso-session corp]',
      'sso_start_url = https://corp-never-signed-in.awsapps.com/start',
      'sso_region = us-east-1',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'credentials'),
    ['[dev]', 'aws_access_key_id = AKIAE2ETESTEXAMPLE01', 'aws_secret_access_key = e2e-not-a-real-secret', ''].join(
      '\n',
    ),
  );
  const events = recentSampleEvents(now);
  const main = {
    Name: 'org-main',
    TrailARN: MAIN_TRAIL,
    HomeRegion: 'us-east-1',
    IsMultiRegionTrail: true,
    IsOrganizationTrail: true,
    S3BucketName: 'org-cloudtrail-logs',
    S3KeyPrefix: 'o-abc123',
    LogFileValidationEnabled: true,
    KmsKeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd`,
    HasCustomEventSelectors: true,
    HasInsightSelectors: true,
    IncludeGlobalServiceEvents: true,
  };
  const audit = {
    Name: 'legacy-audit',
    TrailARN: AUDIT_TRAIL,
    HomeRegion: 'us-east-1',
    IsMultiRegionTrail: false,
    IsOrganizationTrail: false,
    S3BucketName: 'audit-logs',
    LogFileValidationEnabled: false,
    HasCustomEventSelectors: false,
    HasInsightSelectors: false,
    IncludeGlobalServiceEvents: true,
  };
  const fake = await startFakeCloudTrail({
    events: [...events, ...insightEvents(now)],
    trails: { 'us-east-1': [main, audit], 'eu-west-1': [main] },
    status: {
      [MAIN_TRAIL]: {
        IsLogging: true,
        LatestDeliveryTime: new Date(now - 4 * 60_000),
        LatestDigestDeliveryTime: new Date(now - 30 * 60_000),
      },
      [AUDIT_TRAIL]: {
        IsLogging: false,
        StopLoggingTime: new Date(now - 26 * 3_600_000),
        LatestDeliveryTime: new Date(now - 26 * 3_600_000),
        LatestDeliveryError: 'AccessDenied',
      },
    },
    eventSelectors: {
      [MAIN_TRAIL]: {
        TrailARN: MAIN_TRAIL,
        AdvancedEventSelectors: [
          { Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
          {
            Name: 'S3 writes',
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Data'] },
              { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
              { Field: 'readOnly', Equals: ['false'] },
            ],
          },
        ],
      },
    },
    insightSelectors: {
      [MAIN_TRAIL]: {
        TrailARN: MAIN_TRAIL,
        InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }, { InsightType: 'ApiErrorRateInsight' }],
      },
    },
    ...extra,
  });
  return {
    fake,
    events: events.length,
    env: {
      AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
      AWS_PROFILE: 'dev',
    },
    async close() {
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
