/**
 * Explains an S3 failure for the bucket and key prefix it happened on: AccessDenied names the
 * permission missing on exactly that place (and kms:Decrypt, since trails often use SSE-KMS),
 * other errors fall back to the general explanations. Nothing here sees credentials.
 */
import { type ExplainedError, explainAwsError } from './awsErrors';

export interface S3Place {
  profile: string;
  region: string;
  bucket: string;
  /** The key prefix listed, or the key fetched. */
  key: string;
  /** Listing or reading objects. */
  op: 'list' | 'get';
  endpoint?: string;
}

const field = (e: unknown, k: 'name' | 'Code' | 'message'): string => {
  const v = typeof e === 'object' && e !== null ? (e as Record<string, unknown>)[k] : undefined;
  return typeof v === 'string' ? v : '';
};

/** What went wrong on `place`, what to do about it. */
export function explainS3Error(err: unknown, place: S3Place): ExplainedError {
  const name = field(err, 'name') || field(err, 'Code');
  const status = (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  const where = `s3://${place.bucket}/${place.key}`;
  if (/AccessDenied|Forbidden/i.test(name) || status === 403) {
    const perm =
      place.op === 'list'
        ? `s3:ListBucket on arn:aws:s3:::${place.bucket} (for the prefix "${place.key}")`
        : `s3:GetObject on arn:aws:s3:::${place.bucket}/${place.key}`;
    return {
      title: `Access denied: ${where}`,
      detail: `Profile "${place.profile}" may not ${place.op === 'list' ? 'list' : 'read'} ${where}. It needs ${perm}; if the trail encrypts its logs with SSE-KMS, also kms:Decrypt on the trail's KMS key. A bucket policy or an organization SCP may deny it too.`,
    };
  }
  if (/NoSuchBucket/i.test(name))
    return {
      title: `No such bucket: ${place.bucket}`,
      detail: `The bucket "${place.bucket}" does not exist (or not for this account and endpoint). Was the trail's bucket deleted or renamed?`,
    };
  if (/NoSuchKey|NotFound/i.test(name) || status === 404)
    return { title: `Not found: ${where}`, detail: `${where} does not exist.` };
  if (/KMS/i.test(name) || /KMS/.test(field(err, 'message'))) {
    return {
      title: `Cannot decrypt: ${where}`,
      detail: `S3 could not decrypt ${where} with the trail's KMS key for profile "${place.profile}" (${name}). It needs kms:Decrypt on that key.`,
    };
  }
  const general = explainAwsError(err, { profile: place.profile, region: place.region, endpoint: place.endpoint });
  return { ...general, detail: `${where}: ${general.detail.replace(/CloudTrail/g, 'S3')}` };
}
