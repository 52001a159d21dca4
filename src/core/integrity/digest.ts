/**
 * CloudTrail digest files and their signatures, as AWS documents them ("CloudTrail digest file
 * structure", "Custom implementations of CloudTrail log file integrity validation") and as the
 * AWS CLI's `validate-logs` implements them:
 * - a log file's `hashValue` is the hex SHA-256 of its *uncompressed* content;
 * - the signature (S3 metadata `x-amz-meta-signature`, hex) is RSA PKCS#1 v1.5 with SHA-256 over
 *   `digestEndTime \n digestS3Bucket/digestS3Object \n hex SHA-256 of the uncompressed digest \n
 *   previousDigestSignature` (the literal `null` for the first digest of a chain);
 * - public keys (ListPublicKeys `Value`) are DER PKCS#1 RSAPublicKey bytes, found by fingerprint.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gunzipSync } from 'node:zlib';
import { isObject, parseObject, str } from '../model/json';

/** One log file a digest vouches for. */
export interface DigestLogFile {
  s3Bucket: string;
  s3Object: string;
  hashValue: string;
  hashAlgorithm: string;
  oldestEventTime?: string;
  newestEventTime?: string;
}

/** The fields of a digest that validation reads; the rest of the body is not needed. */
export interface Digest {
  awsAccountId: string;
  digestStartTime: string;
  digestEndTime: string;
  digestS3Bucket: string;
  digestS3Object: string;
  digestPublicKeyFingerprint: string;
  digestSignatureAlgorithm: string;
  previousDigestS3Bucket?: string;
  previousDigestS3Object?: string;
  previousDigestHashValue?: string;
  previousDigestHashAlgorithm?: string;
  /** null on the first digest of a chain. */
  previousDigestSignature: string | null;
  logFiles: DigestLogFile[];
}

/** The signature of a digest, from its S3 object metadata (or a saved copy of it). */
export interface DigestSignature {
  signature: string;
  algorithm: string;
}

const gunzipAsync = promisify(gunzip);

/** A digest is a few KB; even with thousands of log files it stays far below this. */
export const MAX_DIGEST_BYTES = 64 * 1024 * 1024;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The content of a file as CloudTrail hashed it: gunzipped when gzipped, bounded. Throws with a reason. */
export function inflate(bytes: Uint8Array, maxBytes: number): Buffer {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes, { maxOutputLength: maxBytes });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError)
        throw new Error(`decompresses past ${Math.round(maxBytes / 1048576)} MB`);
      throw new Error(`corrupt gzip data (${err.code ?? err.message})`);
    }
  }
  if (bytes.length > maxBytes) throw new Error(`larger than ${Math.round(maxBytes / 1048576)} MB`);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const REQUIRED = [
  'awsAccountId',
  'digestStartTime',
  'digestEndTime',
  'digestS3Bucket',
  'digestS3Object',
  'digestPublicKeyFingerprint',
] as const;

/**
 * `inflate` off the event loop: zlib works in libuv's thread pool, so validating thousands of
 * log files never freezes the extension host. Same bounds and errors.
 */
export async function inflateAsync(bytes: Uint8Array, maxBytes: number): Promise<Buffer> {
  if (!(bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b)) return inflate(bytes, maxBytes);
  try {
    return await gunzipAsync(bytes, { maxOutputLength: maxBytes });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError)
      throw new Error(`decompresses past ${Math.round(maxBytes / 1048576)} MB`);
    throw new Error(`corrupt gzip data (${err.code ?? err.message})`);
  }
}

/** Parses an (uncompressed) digest body. Throws an Error saying what is wrong. */
export function parseDigest(content: Uint8Array | string): Digest {
  let doc: unknown;
  try {
    doc = JSON.parse(typeof content === 'string' ? content : Buffer.from(content).toString('utf8'));
  } catch (e) {
    throw new Error(`not JSON (${(e as Error).message})`);
  }
  if (!isObject(doc)) throw new Error('not a JSON object');
  const missing = REQUIRED.filter((k) => typeof doc[k] !== 'string' || doc[k] === '');
  if (missing.length) throw new Error(`not a CloudTrail digest: missing ${missing.join(', ')}`);
  if (!Array.isArray(doc.logFiles)) throw new Error('not a CloudTrail digest: "logFiles" is not an array');
  if (!('previousDigestSignature' in doc))
    throw new Error('not a CloudTrail digest: no "previousDigestSignature" field');
  const logFiles: DigestLogFile[] = doc.logFiles.map((f, i) => {
    if (!isObject(f) || !str(f.s3Bucket) || !str(f.s3Object) || !/^[0-9a-f]{64}$/i.test(str(f.hashValue)))
      throw new Error(`log file entry ${i + 1} lacks s3Bucket, s3Object or a SHA-256 hashValue`);
    return {
      s3Bucket: str(f.s3Bucket),
      s3Object: str(f.s3Object),
      hashValue: str(f.hashValue).toLowerCase(),
      hashAlgorithm: str(f.hashAlgorithm) || 'SHA-256',
      oldestEventTime: str(f.oldestEventTime) || undefined,
      newestEventTime: str(f.newestEventTime) || undefined,
    };
  });
  const opt = (k: string): string | undefined => str(doc[k]) || undefined;
  return {
    awsAccountId: str(doc.awsAccountId),
    digestStartTime: str(doc.digestStartTime),
    digestEndTime: str(doc.digestEndTime),
    digestS3Bucket: str(doc.digestS3Bucket),
    digestS3Object: str(doc.digestS3Object),
    digestPublicKeyFingerprint: str(doc.digestPublicKeyFingerprint),
    digestSignatureAlgorithm: opt('digestSignatureAlgorithm') ?? 'SHA256withRSA',
    previousDigestS3Bucket: opt('previousDigestS3Bucket'),
    previousDigestS3Object: opt('previousDigestS3Object'),
    previousDigestHashValue: opt('previousDigestHashValue')?.toLowerCase(),
    previousDigestHashAlgorithm: opt('previousDigestHashAlgorithm'),
    previousDigestSignature: typeof doc.previousDigestSignature === 'string' ? doc.previousDigestSignature : null,
    logFiles,
  };
}

/** The string CloudTrail signs for a digest, given the hex SHA-256 of its uncompressed content. */
export function signingString(
  d: Pick<Digest, 'digestEndTime' | 'digestS3Bucket' | 'digestS3Object' | 'previousDigestSignature'>,
  digestSha256: string,
): string {
  return `${d.digestEndTime}\n${d.digestS3Bucket}/${d.digestS3Object}\n${digestSha256}\n${d.previousDigestSignature ?? 'null'}`;
}

/** Why a signature cannot be one CloudTrail wrote (not SHA256withRSA, not hexadecimal), or undefined. */
export function signatureFormatProblem(sig: DigestSignature): string | undefined {
  if (sig.algorithm.toUpperCase() !== 'SHA256WITHRSA')
    return `unsupported signature algorithm "${sig.algorithm.slice(0, 40)}"`;
  if (!/^([0-9a-f]{2})+$/i.test(sig.signature)) return 'the signature is not hexadecimal';
  return undefined;
}

/**
 * Verifies a hex RSA-SHA256 signature of `data` with a DER PKCS#1 RSA public key. True or false
 * for a signature checked; throws (with a reason) when the key, signature or algorithm is unusable.
 */
export function verifySignature(data: string, sig: DigestSignature, publicKeyDer: Uint8Array): boolean {
  const problem = signatureFormatProblem(sig);
  if (problem) throw new Error(problem);
  let key;
  try {
    key = createPublicKey({ key: Buffer.from(publicKeyDer), format: 'der', type: 'pkcs1' });
  } catch {
    throw new Error('the public key is not a DER PKCS#1 RSA key');
  }
  return verify('sha256', Buffer.from(data, 'utf8'), key, Buffer.from(sig.signature, 'hex'));
}

/**
 * The signature metadata saved next to a digest, in any of the shapes people save it in:
 * `aws s3api head-object` output (`{"Metadata":{"signature":…,"signature-algorithm":…}}`), a bare
 * metadata object, or headers (`x-amz-meta-signature`). Undefined when none is there.
 */
export function parseSignatureSidecar(text: string): DigestSignature | undefined {
  const doc = parseObject(text);
  if (!doc) return undefined;
  const meta = isObject(doc.Metadata) ? doc.Metadata : doc;
  const signature = str(meta.signature) || str(meta['x-amz-meta-signature']);
  const algorithm = str(meta['signature-algorithm']) || str(meta['x-amz-meta-signature-algorithm']) || 'SHA256withRSA';
  return signature ? { signature, algorithm } : undefined;
}

/** One public key of ListPublicKeys. */
export interface PublicKey {
  fingerprint: string;
  value: Uint8Array;
  validityStart?: number;
  validityEnd?: number;
}

/** Public keys from `aws cloudtrail list-public-keys` output (`{"PublicKeyList":[{"Value": base64,…}]}`). */
export function parsePublicKeysFile(text: string): PublicKey[] {
  const doc: unknown = JSON.parse(text);
  const list = isObject(doc) && Array.isArray(doc.PublicKeyList) ? doc.PublicKeyList : undefined;
  if (!list) throw new Error('no "PublicKeyList" array: expected the output of "aws cloudtrail list-public-keys"');
  return list
    .filter(isObject)
    .filter((k) => str(k.Fingerprint) && str(k.Value))
    .map((k) => ({
      fingerprint: str(k.Fingerprint),
      value: Buffer.from(str(k.Value), 'base64'),
      validityStart: Date.parse(str(k.ValidityStartTime)) || undefined,
      validityEnd: Date.parse(str(k.ValidityEndTime)) || undefined,
    }));
}
