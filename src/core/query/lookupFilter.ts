/**
 * The filter on a "Recent events" node: at most one LookupEvents attribute (the API takes one)
 * and a time range within the 90 days Event history keeps.
 */

import { parseInstant } from './query';

export const LOOKUP_ATTRIBUTES = [
  'EventName',
  'Username',
  'ResourceName',
  'ResourceType',
  'EventSource',
  'AccessKeyId',
  'ReadOnly',
  'EventId',
] as const;
export type LookupAttributeKey = (typeof LOOKUP_ATTRIBUTES)[number];

export const RANGE_PRESETS = {
  '1h': { label: 'Last hour', ms: 3_600_000 },
  '24h': { label: 'Last 24 hours', ms: 86_400_000 },
  '7d': { label: 'Last 7 days', ms: 7 * 86_400_000 },
  '30d': { label: 'Last 30 days', ms: 30 * 86_400_000 },
  '90d': { label: 'Last 90 days', ms: 90 * 86_400_000 },
} as const;
export type RangePreset = keyof typeof RANGE_PRESETS;

export type TimeRange = { kind: 'preset'; preset: RangePreset } | { kind: 'custom'; start: number; end: number };

export interface LookupFilter {
  attribute?: { key: LookupAttributeKey; value: string };
  range: TimeRange;
}

/** The whole of Event history: what an unfiltered node shows. */
export const NO_FILTER: LookupFilter = { range: { kind: 'preset', preset: '90d' } };

export const HISTORY_MS = RANGE_PRESETS['90d'].ms;

export function isFiltered(f: LookupFilter): boolean {
  return !!f.attribute || f.range.kind !== 'preset' || f.range.preset !== '90d';
}

/** The range in epoch ms, clamped to the 90 days LookupEvents can see. */
export function resolveRange(range: TimeRange, now: number): { start: number; end: number } {
  const oldest = now - HISTORY_MS;
  if (range.kind === 'preset') return { start: now - RANGE_PRESETS[range.preset].ms, end: now };
  return { start: Math.max(range.start, oldest), end: Math.min(range.end, now) };
}

/** Reads "2024-03-01" or "2024-03-01T10:00Z" (zone-less means UTC): the search language's reader. */
export const parseWhen = parseInstant;

/** Validates a custom range typed by a user; returns the range or a sentence saying what is wrong. */
export function customRange(startText: string, endText: string, now: number): TimeRange | string {
  const start = parseWhen(startText);
  if (start === undefined) return `"${startText}" is not a date: use 2024-03-01 or 2024-03-01T10:00Z.`;
  const end = endText.trim() ? parseWhen(endText) : now;
  if (end === undefined) return `"${endText}" is not a date: use 2024-03-01 or 2024-03-01T10:00Z.`;
  if (end <= start) return 'The end must come after the start.';
  if (end < now - HISTORY_MS)
    return 'Event history keeps 90 days: this range is older than that. Open the trail\u2019s logs from S3 instead.';
  return { kind: 'custom', start, end };
}

/** Checks an attribute value before it is sent; returns a sentence when it cannot be right. */
export function attributeProblem(key: LookupAttributeKey, value: string): string | undefined {
  if (!value.trim()) return 'Enter a value.';
  if (key === 'ReadOnly' && value !== 'true' && value !== 'false') return 'ReadOnly is true or false.';
  if (key === 'AccessKeyId' && !/^[A-Z0-9]{16,128}$/.test(value.trim()))
    return 'Access key IDs look like AKIA… or ASIA… (16 or more capital letters and digits).';
  if (value.length > 2000) return 'That value is too long.';
  return undefined;
}

function formatDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + 'Z';
}

/** "EventName = StopLogging · last 24 hours": how a node shows its filter. */
export function describeFilter(f: LookupFilter): string {
  const parts: string[] = [];
  if (f.attribute) parts.push(`${f.attribute.key} = ${f.attribute.value}`);
  if (f.range.kind === 'preset') {
    if (f.range.preset !== '90d' || parts.length === 0) parts.push(RANGE_PRESETS[f.range.preset].label.toLowerCase());
  } else {
    parts.push(`${formatDay(f.range.start)} – ${formatDay(f.range.end)}`);
  }
  return parts.join(' · ');
}

/**
 * The LookupEvents attribute for an event-view pivot, or undefined when Event history cannot be
 * searched by that field (source IP, error code, account). For a principal, LookupEvents'
 * Username is the user name, or an assumed role's session name.
 */
export function lookupValueFor(
  field: string,
  value: string,
  rec: { identityType: string; principal: string },
): { key: LookupAttributeKey; value: string } | undefined {
  switch (field) {
    case 'accessKey':
      return { key: 'AccessKeyId', value };
    case 'eventName':
      return { key: 'EventName', value };
    case 'resource':
      return { key: 'ResourceName', value };
    case 'principal': {
      const name =
        rec.identityType === 'AssumedRole' ||
        rec.identityType === 'FederatedUser' ||
        rec.identityType === 'IdentityCenterUser'
          ? value.slice(value.lastIndexOf('/') + 1)
          : value;
      return name ? { key: 'Username', value: name } : undefined;
    }
    default:
      return undefined;
  }
}
