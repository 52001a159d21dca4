/**
 * CloudTrail event → IAM action, for drafting policies from observed activity (policy.ts).
 *
 * Mostly mechanical: the service prefix is the event source's host (`ec2.amazonaws.com` → `ec2`)
 * and the action is the event name. The exceptions, from the Service Authorization Reference and
 * each service's "actions and required permissions" pages:
 * - prefixes that differ from the host: `monitoring` → `cloudwatch`, `email` → `ses`,
 *   `amazonmq` → `mq`, `tagging` → `tag`, `servicecatalog-appregistry` → `servicecatalog`, …;
 * - event names versioned by API date: Lambda's `GetFunction20150331v2`, CloudFront's
 *   `ListDistributions2020_05_31`;
 * - S3, whose permissions are not named after its operations (`ListObjects` → `s3:ListBucket`,
 *   `HeadObject` → `s3:GetObject`, multipart parts → `s3:PutObject`, bucket sub-resources →
 *   `Get/Put…Configuration`, deletes of sub-resources → the `Put…` permission);
 * - API Gateway, whose actions are HTTP verbs (`apigateway:GET` …);
 * - events that are no IAM action at all: sign-in (`signin`), the Identity Center portal, STS
 *   calls made without AWS credentials (AssumeRoleWithSAML / WithWebIdentity: the role's trust
 *   policy decides) or that need no permission (GetCallerIdentity), internal console calls.
 * Anchors: IAM Access Analyzer's policy generation does the same from CloudTrail (in AWS, over
 * up to 90 days); iamlive maps SDK calls to actions as they are made.
 */

export type ActionMapping = { action: string; note?: string } | { action?: undefined; reason: string };

const PREFIX: ReadonlyMap<string, string> = new Map([
  ['monitoring', 'cloudwatch'],
  ['email', 'ses'],
  ['amazonmq', 'mq'],
  ['tagging', 'tag'],
  ['servicecatalog-appregistry', 'servicecatalog'],
  ['models.lex', 'lex'],
  ['runtime.lex', 'lex'],
  ['api.mediatailor', 'mediatailor'],
  ['data.mediastore', 'mediastore'],
  ['elasticfilesystem', 'elasticfilesystem'],
  ['aws-marketplace', 'aws-marketplace'],
  ['kinesisanalytics', 'kinesisanalytics'],
  ['iotdata', 'iot'],
  ['data.iot', 'iot'],
  ['streams.dynamodb', 'dynamodb'],
]);

/** Whole sources whose events are no IAM action. */
const NOT_ACTIONS: ReadonlyMap<string, string> = new Map([
  ['signin', 'console sign-in events are not IAM actions'],
  ['billingconsole', 'billing console events name no IAM action'],
]);

/** Single events that are no IAM action. */
const NOT_ACTION_EVENTS: ReadonlyMap<string, string> = new Map([
  ['sts:GetCallerIdentity', 'GetCallerIdentity needs no permission'],
  ['sts:AssumeRoleWithSAML', "made without AWS credentials: the role's trust policy allows it, not an identity policy"],
  [
    'sts:AssumeRoleWithWebIdentity',
    "made without AWS credentials: the role's trust policy allows it, not an identity policy",
  ],
  ['sso:GetRoleCredentials', "an Identity Center portal call, authorized by the user's portal session"],
  ['sso:ListAccounts', "an Identity Center portal call, authorized by the user's portal session"],
  ['sso:ListAccountRoles', "an Identity Center portal call, authorized by the user's portal session"],
  ['sso:Logout', "an Identity Center portal call, authorized by the user's portal session"],
  ['s3:GetStorageLensDashboardDataInternal', 'an internal console call'],
  ['rolesanywhere:CreateSession', 'authorized by an X.509 certificate and the trust anchor, not an identity policy'],
]);

/** S3 operations whose permission has another name (S3 User Guide, "Required permissions for Amazon S3 API operations"). */
const S3_ACTIONS: ReadonlyMap<string, string> = new Map([
  ['ListObjects', 'ListBucket'],
  ['ListObjectsV2', 'ListBucket'],
  ['HeadBucket', 'ListBucket'],
  ['ListObjectVersions', 'ListBucketVersions'],
  ['ListBuckets', 'ListAllMyBuckets'],
  ['HeadObject', 'GetObject'],
  ['SelectObjectContent', 'GetObject'],
  ['ListMultipartUploads', 'ListBucketMultipartUploads'],
  ['ListParts', 'ListMultipartUploadParts'],
  ['CreateMultipartUpload', 'PutObject'],
  ['UploadPart', 'PutObject'],
  ['UploadPartCopy', 'PutObject'],
  ['CompleteMultipartUpload', 'PutObject'],
  ['CopyObject', 'PutObject'],
  ['DeleteObjects', 'DeleteObject'],
  ['GetBucketLifecycle', 'GetLifecycleConfiguration'],
  ['GetBucketLifecycleConfiguration', 'GetLifecycleConfiguration'],
  ['PutBucketLifecycle', 'PutLifecycleConfiguration'],
  ['PutBucketLifecycleConfiguration', 'PutLifecycleConfiguration'],
  ['DeleteBucketLifecycle', 'PutLifecycleConfiguration'],
  ['GetBucketEncryption', 'GetEncryptionConfiguration'],
  ['PutBucketEncryption', 'PutEncryptionConfiguration'],
  ['DeleteBucketEncryption', 'PutEncryptionConfiguration'],
  ['GetBucketReplication', 'GetReplicationConfiguration'],
  ['PutBucketReplication', 'PutReplicationConfiguration'],
  ['DeleteBucketReplication', 'PutReplicationConfiguration'],
  ['GetBucketCors', 'GetBucketCORS'],
  ['PutBucketCors', 'PutBucketCORS'],
  ['DeleteBucketCors', 'PutBucketCORS'],
  ['DeleteBucketTagging', 'PutBucketTagging'],
  ['DeleteBucketPublicAccessBlock', 'PutBucketPublicAccessBlock'],
  ['DeleteBucketOwnershipControls', 'PutBucketOwnershipControls'],
  ['GetBucketNotificationConfiguration', 'GetBucketNotification'],
  ['PutBucketNotificationConfiguration', 'PutBucketNotification'],
  ['GetObjectLockConfiguration', 'GetBucketObjectLockConfiguration'],
  ['PutObjectLockConfiguration', 'PutBucketObjectLockConfiguration'],
  ['GetBucketAccelerateConfiguration', 'GetAccelerateConfiguration'],
  ['PutBucketAccelerateConfiguration', 'PutAccelerateConfiguration'],
  ['GetBucketAnalyticsConfiguration', 'GetAnalyticsConfiguration'],
  ['ListBucketAnalyticsConfigurations', 'GetAnalyticsConfiguration'],
  ['GetBucketInventoryConfiguration', 'GetInventoryConfiguration'],
  ['ListBucketInventoryConfigurations', 'GetInventoryConfiguration'],
  ['GetBucketMetricsConfiguration', 'GetMetricsConfiguration'],
  ['ListBucketMetricsConfigurations', 'GetMetricsConfiguration'],
  ['GetBucketIntelligentTieringConfiguration', 'GetIntelligentTieringConfiguration'],
  ['ListBucketIntelligentTieringConfigurations', 'GetIntelligentTieringConfiguration'],
]);

/** S3 actions on objects (their resources are object ARNs, not the bucket's). */
export const S3_OBJECT_ACTIONS: ReadonlySet<string> = new Set([
  'GetObject',
  'PutObject',
  'DeleteObject',
  'GetObjectAcl',
  'PutObjectAcl',
  'GetObjectTagging',
  'PutObjectTagging',
  'DeleteObjectTagging',
  'RestoreObject',
  'GetObjectAttributes',
  'ListMultipartUploadParts',
  'AbortMultipartUpload',
  'GetObjectRetention',
  'PutObjectRetention',
  'GetObjectLegalHold',
  'PutObjectLegalHold',
  'GetObjectVersion',
  'DeleteObjectVersion',
]);

/** Calls needing a second permission the event does not show. */
const ALSO_NEEDS: ReadonlyMap<string, string> = new Map([
  ['CopyObject', 'CopyObject also needs s3:GetObject on the source object'],
  ['UploadPartCopy', 'UploadPartCopy also needs s3:GetObject on the source object'],
]);

/** The IAM service prefix of an event source (`monitoring.amazonaws.com` → `cloudwatch`); '' when not an AWS host. */
export function servicePrefix(eventSource: string): string {
  const m = /^([a-z0-9.-]+)\.amazonaws\.com$/.exec(eventSource);
  if (!m) return '';
  return PREFIX.get(m[1]) ?? m[1];
}

/** API Gateway's management actions are the HTTP method of the call. */
function apiGatewayVerb(name: string): string | undefined {
  if (/^(Get|List|Describe)/.test(name)) return 'GET';
  if (/^(Create|Import|Generate|Test|Flush)/.test(name)) return 'POST';
  if (/^Update/.test(name)) return 'PATCH';
  if (/^(Delete|Untag)/.test(name)) return 'DELETE';
  if (/^(Put|Tag)/.test(name)) return 'PUT';
  return undefined;
}

/** The IAM action an API-call event exercised, or why it has none. */
export function iamActionOf(eventSource: string, eventName: string): ActionMapping {
  const prefix = servicePrefix(eventSource);
  if (!prefix) return { reason: `the event source "${eventSource}" is not an AWS service host` };
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(eventName)) return { reason: `"${eventName}" is not an API operation name` };
  const host = eventSource.slice(0, -'.amazonaws.com'.length);
  const whole = NOT_ACTIONS.get(host);
  if (whole) return { reason: whole };
  const skip = NOT_ACTION_EVENTS.get(`${prefix}:${eventName}`);
  if (skip) return { reason: skip };
  if (prefix === 's3')
    return { action: `s3:${S3_ACTIONS.get(eventName) ?? eventName}`, note: ALSO_NEEDS.get(eventName) };
  if (prefix === 'lambda') {
    const name = eventName.replace(/\d{8}(v\d+)?$/, '');
    return { action: `lambda:${name === 'Invoke' ? 'InvokeFunction' : name}` };
  }
  if (prefix === 'cloudfront') return { action: `cloudfront:${eventName.replace(/\d{4}_\d{2}_\d{2}$/, '')}` };
  if (prefix === 'apigateway') {
    const verb = apiGatewayVerb(eventName);
    return verb
      ? {
          action: `apigateway:${verb}`,
          note: `apigateway:${verb} from the operation's name (${eventName}): API Gateway authorizes by HTTP method and resource path`,
        }
      : { reason: `API Gateway authorizes by HTTP method; "${eventName}" names none` };
  }
  return { action: `${prefix}:${eventName}` };
}
