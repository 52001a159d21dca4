/** The top-level keys of a CloudTrail record that the scanner reads (scan.ts); the rest are skipped. */
import { KeyTable } from './scanFields';

/** Top-level record keys the scanner reads; the rest are skipped. */
export const enum K {
  EventName,
  EventSource,
  AwsRegion,
  SourceIp,
  UserAgent,
  ErrorCode,
  EventType,
  EventCategory,
  RecipientAccountId,
  ReadOnly,
  ErrorMessage,
  EventTime,
  Timestamp,
  EventId,
  UserIdentity,
  Resources,
  RequestParameters,
  /** Keys that make a record something other than a plain event (EventBridge, LookupEvents). */
  Refuse,
  Count,
}

const KEY_NAMES: [string, K][] = [
  ['eventName', K.EventName],
  ['eventSource', K.EventSource],
  ['awsRegion', K.AwsRegion],
  ['sourceIPAddress', K.SourceIp],
  ['userAgent', K.UserAgent],
  ['errorCode', K.ErrorCode],
  ['eventType', K.EventType],
  ['eventCategory', K.EventCategory],
  ['recipientAccountId', K.RecipientAccountId],
  ['readOnly', K.ReadOnly],
  ['errorMessage', K.ErrorMessage],
  ['eventTime', K.EventTime],
  ['@timestamp', K.Timestamp],
  ['eventID', K.EventId],
  ['userIdentity', K.UserIdentity],
  ['resources', K.Resources],
  ['requestParameters', K.RequestParameters],
  ['detail', K.Refuse],
  ['CloudTrailEvent', K.Refuse],
];

export const TOP_KEYS = new KeyTable(KEY_NAMES);
