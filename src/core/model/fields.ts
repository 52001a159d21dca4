/**
 * The fields the store indexes (no imports: the webviews' query code reads these names without
 * pulling the store, which is Node code, into their build).
 */

/** Single-valued string columns, in the order the store keeps them. */
export const STRING_FIELDS = [
  'eventName',
  'eventSource',
  'awsRegion',
  'sourceIp',
  'userAgent',
  'errorCode',
  'eventType',
  'eventCategory',
  'account',
  'identityType',
  'principal',
  'principalArn',
  'accessKeyId',
  'readOnly',
  // Not searched; kept so a page of error rows does not decode a file per row for its message.
  'errorMessage',
] as const;
export type StringField = (typeof STRING_FIELDS)[number];
/** Every indexed field: the string columns plus the multi-valued resource names. */
export type IndexedField = StringField | 'resources';
