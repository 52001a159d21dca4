/**
 * A trail's health and configuration, phrased for the tree: is it logging, are deliveries
 * failing, is log file validation on, what do its selectors record. Local shapes mirror the
 * CloudTrail API's (only the fields used), so this stays free of SDK types.
 */

import { relativeTime } from '../model/time';

export interface Trail {
  Name?: string;
  TrailARN?: string;
  HomeRegion?: string;
  S3BucketName?: string;
  S3KeyPrefix?: string;
  SnsTopicARN?: string;
  IsMultiRegionTrail?: boolean;
  IsOrganizationTrail?: boolean;
  IncludeGlobalServiceEvents?: boolean;
  LogFileValidationEnabled?: boolean;
  KmsKeyId?: string;
  CloudWatchLogsLogGroupArn?: string;
  HasCustomEventSelectors?: boolean;
  HasInsightSelectors?: boolean;
}

export interface TrailStatus {
  IsLogging?: boolean;
  LatestDeliveryError?: string;
  LatestDeliveryTime?: Date | number;
  LatestDigestDeliveryError?: string;
  LatestDigestDeliveryTime?: Date | number;
  LatestCloudWatchLogsDeliveryError?: string;
  LatestNotificationError?: string;
  StartLoggingTime?: Date | number;
  StopLoggingTime?: Date | number;
}

export interface EventSelectors {
  EventSelectors?: Array<{
    ReadWriteType?: string;
    IncludeManagementEvents?: boolean;
    DataResources?: Array<{ Type?: string; Values?: string[] }>;
    ExcludeManagementEventSources?: string[];
  }>;
  AdvancedEventSelectors?: Array<{
    Name?: string;
    FieldSelectors?: Array<{
      Field?: string;
      Equals?: string[];
      NotEquals?: string[];
      StartsWith?: string[];
      NotStartsWith?: string[];
      EndsWith?: string[];
      NotEndsWith?: string[];
    }>;
  }>;
}

export interface InsightSelectors {
  InsightSelectors?: Array<{ InsightType?: string }>;
}

export interface DetailRow {
  label: string;
  value: string;
  problem?: boolean;
}

export interface TrailView {
  name: string;
  /** A shadow trail: a multi-region or organization trail seen from a region other than its home. */
  shadow: boolean;
  description: string;
  problems: string[];
  details: DetailRow[];
}

const ms = (t: Date | number | undefined): number | undefined =>
  t === undefined ? undefined : typeof t === 'number' ? (t < 1e12 ? t * 1000 : t) : t.getTime();

/** Describes a trail as seen from `region`; status and selectors when they have been fetched. */
export function describeTrail(trail: Trail, region: string, now: number, status?: TrailStatus): TrailView {
  const name = trail.Name ?? trail.TrailARN ?? '(unnamed trail)';
  const shadow = !!trail.HomeRegion && trail.HomeRegion !== region;
  const problems: string[] = [];
  const details: DetailRow[] = [];
  if (status) {
    const delivered = ms(status.LatestDeliveryTime);
    details.push({
      label: 'Logging',
      value: status.IsLogging
        ? 'on'
        : `OFF${ms(status.StopLoggingTime) ? ` since ${new Date(ms(status.StopLoggingTime)!).toISOString()}` : ''}`,
      problem: !status.IsLogging,
    });
    if (!status.IsLogging) problems.push('Logging is off');
    details.push({
      label: 'Latest delivery',
      value: delivered ? `${new Date(delivered).toISOString()} (${relativeTime(delivered, now)})` : 'never',
    });
    for (const [label, err] of [
      ['Delivery error', status.LatestDeliveryError],
      ['Digest delivery error', status.LatestDigestDeliveryError],
      ['CloudWatch Logs delivery error', status.LatestCloudWatchLogsDeliveryError],
      ['SNS notification error', status.LatestNotificationError],
    ] as const) {
      if (err) {
        details.push({ label, value: err, problem: true });
        problems.push(`${label}: ${err}`);
      }
    }
  }
  if (trail.LogFileValidationEnabled === false) problems.push('Log file validation is off');
  details.push(
    { label: 'Home region', value: `${trail.HomeRegion ?? '?'}${shadow ? ' (shadow trail here)' : ''}` },
    {
      label: 'Scope',
      value: [
        trail.IsOrganizationTrail ? 'organization' : 'this account',
        trail.IsMultiRegionTrail ? 'all regions' : 'home region only',
        trail.IncludeGlobalServiceEvents === false ? 'no global service events' : '',
      ]
        .filter(Boolean)
        .join(', '),
    },
    { label: 'S3', value: `s3://${trail.S3BucketName ?? '?'}/${trail.S3KeyPrefix ? `${trail.S3KeyPrefix}/` : ''}` },
    {
      label: 'Log file validation',
      value: trail.LogFileValidationEnabled ? 'on' : 'OFF',
      problem: trail.LogFileValidationEnabled === false,
    },
    { label: 'KMS key', value: trail.KmsKeyId ?? 'none (SSE-S3)' },
  );
  if (trail.CloudWatchLogsLogGroupArn)
    details.push({ label: 'CloudWatch Logs', value: trail.CloudWatchLogsLogGroupArn });
  if (trail.SnsTopicARN) details.push({ label: 'SNS topic', value: trail.SnsTopicARN });
  const bits = [
    status ? (status.IsLogging ? 'logging' : 'NOT LOGGING') : '',
    trail.IsMultiRegionTrail ? 'multi-region' : (trail.HomeRegion ?? ''),
    trail.IsOrganizationTrail ? 'organization' : '',
    shadow ? `shadow of ${trail.HomeRegion}` : '',
  ];
  return { name, shadow, description: bits.filter(Boolean).join(' · '), problems, details };
}

function fieldText(
  f: NonNullable<NonNullable<EventSelectors['AdvancedEventSelectors']>[number]['FieldSelectors']>[number],
): string {
  const ops: Array<[string, string[] | undefined]> = [
    ['=', f.Equals],
    ['≠', f.NotEquals],
    ['starts with', f.StartsWith],
    ['does not start with', f.NotStartsWith],
    ['ends with', f.EndsWith],
    ['does not end with', f.NotEndsWith],
  ];
  return ops
    .filter(([, v]) => v && v.length)
    .map(
      ([op, v]) =>
        `${f.Field ?? '?'} ${op} ${v!.length > 3 ? `${v!.slice(0, 3).join(', ')} (+${v!.length - 3})` : v!.join(', ')}`,
    )
    .join('; ');
}

/** What the trail records, one row per selector. */
export function describeSelectors(
  sel: EventSelectors | undefined,
  insights: InsightSelectors | undefined,
): DetailRow[] {
  const rows: DetailRow[] = [];
  for (const s of sel?.EventSelectors ?? []) {
    const mgmt =
      s.IncludeManagementEvents === false
        ? 'no management events'
        : `management events: ${(s.ReadWriteType ?? 'All').replace('Only', ' only').toLowerCase()}`;
    const data = (s.DataResources ?? []).map(
      (d) => `${d.Type ?? '?'} (${(d.Values ?? []).length} ${(d.Values ?? []).length === 1 ? 'value' : 'values'})`,
    );
    const excluded = s.ExcludeManagementEventSources?.length
      ? `excluding ${s.ExcludeManagementEventSources.join(', ')}`
      : '';
    rows.push({
      label: 'Event selector',
      value: [mgmt, data.length ? `data events: ${data.join(', ')}` : '', excluded].filter(Boolean).join('; '),
    });
  }
  for (const a of sel?.AdvancedEventSelectors ?? []) {
    rows.push({
      label: `Advanced selector${a.Name ? ` "${a.Name}"` : ''}`,
      value: (a.FieldSelectors ?? []).map(fieldText).filter(Boolean).join(' AND ') || '(empty)',
    });
  }
  if (sel && rows.length === 0)
    rows.push({ label: 'Event selectors', value: 'none: the trail records no events', problem: true });
  const types = (insights?.InsightSelectors ?? []).map((i) => i.InsightType).filter(Boolean);
  rows.push({ label: 'Insights', value: types.length ? types.join(', ') : 'off' });
  return rows;
}
