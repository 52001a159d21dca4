/**
 * The validation itself, the same online (S3) and offline (a local folder): every digest found
 * is parsed, checked against where it was found, its signature verified, its link to the
 * previous digest checked both ways (`previousDigestHashValue` — which the AWS CLI ignores — and
 * `previousDigestSignature`), the hourly chain walked for gaps, and each listed log file hashed.
 * A source only fetches bytes; every decision is made here, so both modes judge alike.
 */
import { fileId, parseTrailFileName, parseTrailKey } from '../aws/s3Layout';
import {
  type Digest,
  type DigestSignature,
  inflateAsync,
  MAX_DIGEST_BYTES,
  parseDigest,
  type PublicKey,
  sha256Hex,
  signatureFormatProblem,
  signingString,
  verifySignature,
} from './digest';
import { buildReport, type Finding, type IntegrityReport } from './report';

/** A digest a source found: where (`location`), and its S3 bucket/key as far as known. */
export interface FoundFile {
  location: string;
  /** The S3 key, or a local file's path. */
  key: string;
  /** Known online; unknown for a local file. */
  bucket?: string;
  /** The listed size in bytes, when the source knows it (lets a source refuse before fetching). */
  size?: number;
}

export type Fetched =
  | { bytes: Uint8Array; signature?: DigestSignature; location: string }
  | { missing: true; location: string }
  | { error: string; location: string };

export interface IntegritySource {
  mode: IntegrityReport['mode'];
  /** The trail ARN or folder, for the report. */
  name: string;
  listDigests(): Promise<FoundFile[]>;
  /** Log files present, when the source can list them (to find files no digest vouches for). */
  listLogs?(): Promise<FoundFile[]>;
  fetchDigest(f: FoundFile): Promise<Fetched>;
  fetchLog(bucket: string, key: string): Promise<Fetched>;
  /** Public keys to verify signatures with, or why there are none. */
  publicKeys(): Promise<PublicKey[] | { reason: string }>;
}

export interface ValidateOptions {
  /** The window asked for, epoch ms (online); offline validates whatever the folder holds. */
  window?: { start: number; end: number };
  /** Account and region pairs that should have digests (online): none found is a gap. */
  expected?: Array<{ account: string; region: string }>;
  maxLogBytes: number;
  concurrency?: number;
  now?: number;
  signal?: AbortSignal;
  progress?: (done: number, total: number) => void;
}

interface Loaded {
  file: FoundFile;
  digest?: Digest;
  sha?: string;
  signature?: DigestSignature;
  /** The digest's own verdict: 'invalid' means its log list cannot be trusted. */
  ok: boolean;
  /** Its signature was checked and matched: only then do the hashes it lists prove anything. */
  verified: boolean;
}

const HOUR = 3_600_000;
// A file is known by its name: names are unique (a random suffix, or trail and time), and a
// folder copied from a bucket may have lost the key's prefix and organization parts.
const norm = fileId;
const s3url = (bucket: string | undefined, key: string): string => `s3://${bucket ?? '?'}/${key}`;
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/** Runs `fn` over items with at most `n` at a time, stopping early when aborted. */
async function pool<T>(
  items: readonly T[],
  n: number,
  signal: AbortSignal | undefined,
  fn: (t: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      signal?.throwIfAborted();
      await fn(items[next++]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
}

/** Validates what `source` holds; resolves to the report (throws only when aborted or listing fails). */
export async function validateIntegrity(source: IntegritySource, opts: ValidateOptions): Promise<IntegrityReport> {
  const findings: Finding[] = [];
  const notes: string[] = [];
  const now = opts.now ?? Date.now();
  const add = (f: Finding): void => void findings.push(f);
  const files = (await source.listDigests()).filter((f) => parseTrailFileName(f.key)?.kind === 'digest');
  const keys = await source.publicKeys();
  if (!Array.isArray(keys)) notes.push(`Signatures not verified: ${keys.reason}`);
  const byFingerprint = new Map((Array.isArray(keys) ? keys : []).map((k) => [k.fingerprint, k]));

  // 1. Every digest: readable, where it claims to be, signed.
  const loaded: Loaded[] = [];
  let done = 0;
  const total = (): number => files.length + loaded.reduce((n, l) => n + (l.digest?.logFiles.length ?? 0), 0);
  await pool(files, opts.concurrency ?? 8, opts.signal, async (file) => {
    const got = await source.fetchDigest(file);
    opts.progress?.(++done, files.length);
    const meta = parseTrailFileName(file.key);
    const base = {
      kind: 'digest' as const,
      location: got.location,
      account: meta?.account,
      region: meta?.region,
      time: meta ? iso(meta.time) : undefined,
    };
    if ('missing' in got) return add({ ...base, verdict: 'missing', reason: 'Listed, but gone when fetched.' });
    if ('error' in got) return add({ ...base, verdict: 'unverifiable', reason: got.error });
    let digest: Digest;
    let content: Buffer;
    try {
      content = await inflateAsync(got.bytes, MAX_DIGEST_BYTES);
      digest = parseDigest(content);
    } catch (e) {
      loaded.push({ file, ok: false, verified: false });
      return add({ ...base, verdict: 'invalid', reason: `Not a readable digest: ${(e as Error).message}.` });
    }
    const entry: Loaded = {
      file,
      digest,
      sha: sha256Hex(content),
      signature: got.signature,
      ok: true,
      verified: false,
    };
    loaded.push(entry);
    base.time = digest.digestEndTime;
    if (
      norm(digest.digestS3Object) !== norm(file.key) ||
      (file.bucket !== undefined && digest.digestS3Bucket !== file.bucket) ||
      (file.bucket !== undefined && digest.digestS3Object !== file.key)
    ) {
      entry.ok = false;
      return add({
        ...base,
        verdict: 'invalid',
        reason: `Moved or renamed: it says it was delivered to ${s3url(digest.digestS3Bucket, digest.digestS3Object)}.`,
      });
    }
    if (!got.signature) {
      // CloudTrail always writes the metadata: online, an object without it was put there by someone else.
      if (source.mode === 'online') {
        entry.ok = false;
        return add({
          ...base,
          verdict: 'invalid',
          reason:
            'Its S3 object has no x-amz-meta-signature metadata, which CloudTrail always writes: it was replaced or re-uploaded.',
        });
      }
      return add({
        ...base,
        verdict: 'unverifiable',
        reason:
          'Signature not checked: no signature metadata was saved next to it (see the README: <digest file>.metadata.json).',
      });
    }
    // CloudTrail writes only hex SHA256withRSA signatures: online, anything else was written by someone else.
    const malformed = signatureFormatProblem(got.signature);
    if (malformed && source.mode === 'online') {
      entry.ok = false;
      return add({
        ...base,
        verdict: 'invalid',
        reason: `Its signature metadata is not CloudTrail's (${malformed}): the digest was replaced or its metadata rewritten.`,
      });
    }
    const key = byFingerprint.get(digest.digestPublicKeyFingerprint);
    const end = Date.parse(digest.digestEndTime);
    // A key outside its validity window did not sign this hour: as good as no key.
    if (
      key &&
      ((key.validityStart !== undefined && end < key.validityStart) ||
        (key.validityEnd !== undefined && end > key.validityEnd))
    ) {
      if (source.mode === 'online') {
        entry.ok = false;
        return add({
          ...base,
          verdict: 'invalid',
          reason: `Signed with key ${key.fingerprint}, which CloudTrail lists as valid only from ${iso(key.validityStart ?? 0)} to ${key.validityEnd ? iso(key.validityEnd) : 'now'}: not a CloudTrail digest for this time.`,
        });
      }
      return add({
        ...base,
        verdict: 'unverifiable',
        reason: `Signature not checked: the saved public key ${key.fingerprint} is not valid at ${digest.digestEndTime} (its validity window); save the keys for this period too.`,
      });
    }
    if (!key) {
      if (source.mode === 'online' && Array.isArray(keys)) {
        entry.ok = false;
        return add({
          ...base,
          verdict: 'invalid',
          reason: `Signed with a key CloudTrail does not list for this period (fingerprint ${digest.digestPublicKeyFingerprint}): not a CloudTrail digest.`,
        });
      }
      return add({
        ...base,
        verdict: 'unverifiable',
        reason: Array.isArray(keys)
          ? `No public key with fingerprint ${digest.digestPublicKeyFingerprint} among the ${keys.length} saved: save the keys for this period too.`
          : `Signature not checked: ${keys.reason}`,
      });
    }
    try {
      const good = verifySignature(signingString(digest, entry.sha!), got.signature, key.value);
      entry.ok = good;
      entry.verified = good;
      add({
        ...base,
        verdict: good ? 'valid' : 'invalid',
        reason: good
          ? 'Signature valid.'
          : 'Signature does not match: the digest was modified (or its signature metadata was).',
      });
    } catch (e) {
      add({ ...base, verdict: 'unverifiable', reason: `Signature not checked: ${(e as Error).message}.` });
    }
  });

  // 2. The chain, per trail, account and region: links, gaps, the head and the tail.
  checkChains(loaded, opts, now, add);

  // 3. Log files listed by each digest. A digest's list is only followed when its signature
  // verified (offline, also when it merely could not be checked: reading a local file by name
  // is harmless), and only to trail log files in the digest's own bucket: a forged digest must
  // not make us fetch, or cache, anything else.
  const jobs = loaded.flatMap((l) => (l.digest ? l.digest.logFiles.map((f) => ({ l, f })) : []));
  const listed = new Set(jobs.map((j) => norm(j.f.s3Object)));
  let logsDone = 0;
  await pool(jobs, opts.concurrency ?? 8, opts.signal, async ({ l, f }) => {
    const d = l.digest!;
    const meta = parseTrailFileName(f.s3Object);
    const base = {
      kind: 'log' as const,
      account: meta?.account,
      region: meta?.region,
      time: meta ? iso(meta.time) : undefined,
    };
    const follow = l.verified || (source.mode === 'offline' && l.ok);
    const isLog =
      f.s3Bucket === d.digestS3Bucket &&
      (l.file.bucket === undefined || f.s3Bucket === l.file.bucket) &&
      parseTrailKey(f.s3Object)?.kind === 'log';
    if (!follow || !isLog) {
      opts.progress?.(done + ++logsDone, total());
      const why = !isLog
        ? `its digest (${d.digestEndTime}) lists it, but it is not a CloudTrail log file in the trail's bucket`
        : l.ok
          ? `its digest (${d.digestEndTime}) could not have its signature verified, so the hash it lists proves nothing`
          : `its digest (${d.digestEndTime}) failed validation, so the hash it lists proves nothing`;
      return add({
        ...base,
        location: s3url(f.s3Bucket, f.s3Object),
        verdict: 'unverifiable',
        reason: `Not fetched: ${why}.`,
      });
    }
    const got = await source.fetchLog(f.s3Bucket, f.s3Object);
    opts.progress?.(done + ++logsDone, total());
    const at = { ...base, location: got.location };
    if ('missing' in got)
      return add({ ...at, verdict: 'missing', reason: `Deleted: listed by digest ${d.digestEndTime}, not found.` });
    if ('error' in got) return add({ ...at, verdict: 'unverifiable', reason: got.error });
    let hash: string;
    try {
      hash = sha256Hex(await inflateAsync(got.bytes, opts.maxLogBytes));
    } catch (e) {
      return add({ ...at, verdict: 'invalid', reason: `Unreadable: ${(e as Error).message}.` });
    }
    const unsigned = l.verified
      ? ''
      : " (that digest's signature could not be verified: this file or the digest was altered)";
    if (hash !== f.hashValue)
      return add({
        ...at,
        verdict: 'invalid',
        reason: `Modified: its SHA-256 is ${hash}, the digest of ${d.digestEndTime} says ${f.hashValue}${unsigned}.`,
      });
    if (!l.verified)
      return add({
        ...at,
        verdict: 'unverifiable',
        reason: 'SHA-256 matches a digest whose signature could not be verified: not proof it is unaltered.',
      });
    add({ ...at, verdict: 'valid', reason: 'SHA-256 matches the digest.' });
  });

  // 4. Log files present that no digest lists (offline, and online when the source lists logs).
  if (source.listLogs && loaded.length === 0) {
    const n = (await source.listLogs()).length;
    if (n)
      notes.push(
        `${n} log file(s) found, but no digest file: nothing vouches for them. Copy the CloudTrail-Digest folders too.`,
      );
  } else if (source.listLogs) {
    const lastEnd = Math.max(0, ...loaded.map((l) => (l.digest ? Date.parse(l.digest.digestEndTime) : 0)));
    for (const f of await source.listLogs()) {
      const meta = parseTrailFileName(f.key);
      if (meta?.kind !== 'log' || listed.has(norm(f.key))) continue;
      if (opts.window && (meta.time < opts.window.start || meta.time > opts.window.end)) continue;
      const late = meta.time > lastEnd - 15 * 60_000;
      add({
        kind: 'log',
        location: f.location,
        account: meta.account,
        region: meta.region,
        time: iso(meta.time),
        verdict: late ? 'notDelivered' : 'unverifiable',
        reason: late
          ? 'Not yet covered by a delivered digest.'
          : 'Listed by no digest found: added after delivery, or its digest is missing or outside the range.',
      });
    }
  }
  if (loaded.length === 0 && files.length === 0)
    notes.push('No digest files were found: is log file validation enabled on the trail, and is this the right place?');
  const span = loaded.flatMap((l) =>
    l.digest ? [Date.parse(l.digest.digestStartTime), Date.parse(l.digest.digestEndTime)] : [],
  );
  const window = opts.window
    ? { start: iso(opts.window.start), end: iso(opts.window.end) }
    : span.length
      ? { start: iso(Math.min(...span)), end: iso(Math.max(...span)) }
      : undefined;
  return buildReport(source.mode, source.name, findings, notes, window, now);
}

/** Chain checks on the loaded digests, grouped into streams (one per trail, account and region). */
function checkChains(loaded: Loaded[], opts: ValidateOptions, now: number, add: (f: Finding) => void): void {
  const streams = new Map<string, Loaded[]>();
  for (const l of loaded) {
    const k = parseTrailFileName(l.file.key);
    if (!k || !l.digest) continue;
    const id = `${k.account}|${k.region}|${k.trailName}`;
    const list = streams.get(id) ?? [];
    // Two copies of one digest (x.json.gz and x.json beside it) are one link of the chain.
    if (!list.some((o) => norm(o.file.key) === norm(l.file.key))) streams.set(id, [...list, l]);
  }
  for (const { account, region } of opts.expected ?? []) {
    if (![...streams.keys()].some((id) => id.startsWith(`${account}|${region}|`))) {
      // A window within the delivery delay has no digest yet, and that is normal.
      const early = opts.window !== undefined && now - opts.window.start < 2 * HOUR + 15 * 60_000;
      add({
        kind: 'gap',
        verdict: early ? 'notDelivered' : 'missing',
        location: `${account} ${region}`,
        account,
        region,
        reason: early
          ? 'No digest yet: CloudTrail delivers one an hour, with a delay.'
          : 'No digest file at all in the window for this account and region: logging or validation was off, or the digests were deleted.',
      });
    }
  }
  for (const list of streams.values()) {
    list.sort((a, b) => Date.parse(a.digest!.digestEndTime) - Date.parse(b.digest!.digestEndTime));
    const byKey = new Map(list.map((l) => [norm(l.file.key), l]));
    const k = parseTrailFileName(list[0].file.key)!;
    const where = { account: k.account, region: k.region };
    list.forEach((l, i) => {
      const d = l.digest!;
      const older = list[i - 1];
      const start = Date.parse(d.digestStartTime);
      if (!d.previousDigestS3Object) {
        if (older)
          add({
            kind: 'gap',
            verdict: 'missing',
            location: l.file.location,
            ...where,
            time: older.digest!.digestEndTime,
            reason: `The chain restarts: no digest from ${older.digest!.digestEndTime} to ${d.digestStartTime}. CloudTrail restarts it when logging or validation was turned off; otherwise digests were removed.`,
          });
        else if (opts.window && start > opts.window.start + HOUR)
          add({
            kind: 'gap',
            verdict: 'unverifiable',
            location: l.file.location,
            ...where,
            time: iso(opts.window.start),
            reason: `The chain starts at ${d.digestStartTime}: nothing to validate before (the trail was not logging, or validation was off).`,
          });
        return;
      }
      const prev = byKey.get(norm(d.previousDigestS3Object));
      const prevUrl = s3url(d.previousDigestS3Bucket, d.previousDigestS3Object);
      if (!prev) {
        const prevTime = parseTrailFileName(d.previousDigestS3Object)?.time ?? start;
        const inRange = older !== undefined || (opts.window ? prevTime > opts.window.start : false);
        if (inRange)
          add({
            kind: 'digest',
            verdict: 'missing',
            location: prevUrl,
            ...where,
            time: iso(prevTime),
            reason: `Deleted: the next digest (${d.digestEndTime}) links to it, and it is not there. The logs of that hour cannot be validated.`,
          });
        return;
      }
      const problems: string[] = [];
      if (prev !== older) problems.push(`it skips digest(s) after ${prev.digest!.digestEndTime}`);
      if (d.previousDigestHashValue && d.previousDigestHashValue !== prev.sha)
        problems.push(`previousDigestHashValue does not match the SHA-256 of ${prevUrl} (that digest was modified)`);
      if (prev.signature && d.previousDigestSignature !== prev.signature.signature)
        problems.push("previousDigestSignature is not the previous digest's signature");
      if (Math.abs(Date.parse(prev.digest!.digestEndTime) - start) > 2 * 60_000)
        problems.push(
          `it starts at ${d.digestStartTime}, not where the previous one ends (${prev.digest!.digestEndTime})`,
        );
      const unchecked = !d.previousDigestHashValue && !prev.signature;
      add({
        kind: 'chain',
        verdict: problems.length ? 'invalid' : unchecked ? 'unverifiable' : 'valid',
        location: l.file.location,
        ...where,
        time: d.digestEndTime,
        reason: problems.length
          ? `Broken link: ${problems.join('; ')}.`
          : unchecked
            ? 'Links to the previous digest, but neither its hash nor its signature could be compared.'
            : 'Links to the previous digest (hash and signature match).',
      });
    });
    // The tail: hours after the newest digest up to the window's end (or now).
    const last = Date.parse(list[list.length - 1].digest!.digestEndTime);
    const until = Math.min(opts.window?.end ?? last, now);
    if (until - last > HOUR + 15 * 60_000) {
      const recent = now - last < 2 * HOUR + 15 * 60_000;
      add({
        kind: 'gap',
        verdict: recent ? 'notDelivered' : 'missing',
        location: list[list.length - 1].file.location,
        ...where,
        time: iso(last),
        reason: recent
          ? `No digest after ${iso(last)} yet: CloudTrail delivers one an hour, with a delay.`
          : `No digest from ${iso(last)} to ${iso(until)}: logging or validation stopped, or the newest digests were deleted.`,
      });
    }
  }
}
