/**
 * Turns the bytes of one file into CloudTrail records, or says clearly why it cannot.
 *
 * Shapes read: S3 log files `{"Records":[…]}` (gzipped or not), NDJSON, bare arrays, single
 * events, EventBridge envelopes, LookupEvents output `{"Events":[…]}` and Event-history rows whose
 * `CloudTrailEvent` is a JSON string. Digest files are recognized and summarized, not read as logs.
 */
import { isAscii } from 'node:buffer';
import { gunzipSync } from 'node:zlib';
import { type EventBatch, toBatch } from '../store/batch';
import { isObject, str } from '../model/json';
import { CtRecord, normalizeAny, normalizeEvent } from '../model/records';
import { scanLogFile } from './scan';

export type LogFormat = 'records' | 'ndjson' | 'array' | 'event' | 'eventbridge' | 'lookup';

export interface DigestSummary {
  account: string;
  startTime: string;
  endTime: string;
  bucket: string;
  logFiles: number;
  hasPreviousSignature: boolean;
}

export type DecodeResult =
  | { kind: 'events'; format: LogFormat; records: CtRecord[]; skipped: number; warning?: string }
  | { kind: 'digest'; digest: DigestSummary }
  | { kind: 'error'; reason: string };

/** A file that could not be decoded, and why (phrased for the user). */
export type DecodeError = Extract<DecodeResult, { kind: 'error' }>;

export interface DecodeLimits {
  /** The most bytes a file may hold once decompressed (bounds gzip bombs and huge files). */
  maxBytes: number;
}

/** V8 cannot hold a string much past 512 MiB; no limit may go beyond this. */
export const HARD_MAX_BYTES = 500 * 1024 * 1024;

export const DEFAULT_LIMITS: DecodeLimits = { maxBytes: 256 * 1024 * 1024 };

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

function tooLarge(limits: DecodeLimits, what: string): DecodeError {
  return {
    kind: 'error',
    reason:
      `${what} past the ${formatBytes(limits.maxBytes)} limit for one file. ` +
      `If it is a real log, raise "cloudtrailLens.maxFileSizeMB"; a gzip bomb stays refused.`,
  };
}

/**
 * The output buffer to inflate into: the size the gzip trailer gives (ISIZE, exact for a
 * single-member file under 4 GiB) plus room to see the end, within what deflate can expand the
 * input to (~1032:1) and the output bound. One buffer instead of 16 KB chunks concatenated at the
 * end: a copy of every file and ~40 round trips into zlib fewer. A wrong trailer only costs
 * chunks.
 */
function inflateChunk(bytes: Uint8Array, maxOutput: number): number {
  const n = bytes.length;
  const isize = n >= 18 ? (bytes[n - 4] | (bytes[n - 3] << 8) | (bytes[n - 2] << 16) | (bytes[n - 1] << 24)) >>> 0 : 0;
  return Math.max(16 * 1024, Math.min(isize, n * 1032, maxOutput) + 64);
}

/** Decompresses with a hard bound on the output, so a bomb fails fast instead of killing Node. */
function gunzipBounded(bytes: Uint8Array, limits: DecodeLimits): Buffer | DecodeError {
  const maxOutputLength = Math.min(limits.maxBytes, HARD_MAX_BYTES);
  try {
    return gunzipSync(bytes, { maxOutputLength, chunkSize: inflateChunk(bytes, maxOutputLength) });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) return tooLarge(limits, 'Decompresses');
    if (err.code === 'Z_BUF_ERROR') {
      return {
        kind: 'error',
        reason: 'The gzip data is truncated (unexpected end of file): the download or copy was cut short.',
      };
    }
    return { kind: 'error', reason: `The gzip data is corrupt (${err.message}).` };
  }
}

/**
 * Decompresses one file's bytes when gzipped (bounded), refusing what is not a log at all.
 * Returns the JSON bytes, or an error result.
 */
export function decompress(
  bytes: Uint8Array,
  limits: DecodeLimits,
): { data: Uint8Array; gzipped: boolean } | DecodeError {
  if (bytes.length === 0) return { kind: 'error', reason: 'The file is empty.' };
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    return { kind: 'error', reason: 'A ZIP archive, not a log file: extract it and open the folder.' };
  }
  if (isGzip(bytes)) {
    const out = gunzipBounded(bytes, limits);
    return out instanceof Uint8Array ? { data: out, gzipped: true } : out;
  }
  if (bytes.length > Math.min(limits.maxBytes, HARD_MAX_BYTES))
    return tooLarge(limits, `It is ${formatBytes(bytes.length)},`);
  return { data: bytes, gzipped: false };
}

/**
 * Decodes one file's bytes. Never throws: every failure is a `{kind:'error'}` with a reason.
 * `keepRaw: false` leaves `raw` empty for S3 log records (the loader re-reads those on demand).
 */
export function decodeLogBytes(bytes: Uint8Array, limits: DecodeLimits = DEFAULT_LIMITS, keepRaw = true): DecodeResult {
  const d = decompress(bytes, limits);
  return 'kind' in d ? d : decodeJsonBytes(d.data, keepRaw);
}

/** Decodes decompressed JSON bytes (UTF-8, with or without a byte-order mark). */
export function decodeJsonBytes(data: Uint8Array, keepRaw = true): DecodeResult {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  // Pure ASCII (most logs) reads as latin1: the same string, without UTF-8 validation.
  let text = buf.toString(isAscii(buf) ? 'latin1' : 'utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return decodeLogText(text, keepRaw);
}

/** Decodes JSON text of any supported shape. */
export function decodeLogText(text: string, keepRaw = true): DecodeResult {
  const start = text.search(/\S/);
  if (start < 0) return { kind: 'error', reason: 'The file is empty (only whitespace).' };
  const first = text[start];
  if (first !== '{' && first !== '[') {
    return { kind: 'error', reason: 'Not JSON: CloudTrail logs start with "{" or "[". Is this a CloudTrail log file?' };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    if (first === '{') {
      const nd = decodeNdjson(text);
      if (nd) return nd;
    }
    return { kind: 'error', reason: `Not valid JSON: ${(e as Error).message}. The file may be truncated or corrupt.` };
  }
  return decodeDocument(doc, keepRaw);
}

function fromElements(format: LogFormat, items: unknown[], keepRaw = true): DecodeResult {
  const records: CtRecord[] = [];
  let skipped = 0;
  for (const item of items) {
    // In an S3 log file every object is a record by definition, however odd its fields.
    const rec =
      format === 'records' && isObject(item) && !isObject(item.detail) && typeof item.CloudTrailEvent !== 'string'
        ? normalizeEvent(item, keepRaw ? undefined : '')
        : normalizeAny(item);
    if (rec) records.push(rec);
    else skipped++;
  }
  if (records.length === 0 && skipped > 0) {
    return { kind: 'error', reason: `Not CloudTrail: none of its ${skipped} entries is a CloudTrail event.` };
  }
  const warning = skipped
    ? `${skipped} entr${skipped === 1 ? 'y is' : 'ies are'} not CloudTrail events and were skipped.`
    : undefined;
  return { kind: 'events', format, records, skipped, warning };
}

function decodeDocument(doc: unknown, keepRaw: boolean): DecodeResult {
  if (Array.isArray(doc)) return fromElements('array', doc);
  if (!isObject(doc))
    return { kind: 'error', reason: 'Not CloudTrail: the JSON is a bare value, not an object or array.' };
  if (Array.isArray(doc.Records)) return fromElements('records', doc.Records, keepRaw);
  if ('Records' in doc) return { kind: 'error', reason: 'Not CloudTrail: "Records" is not an array.' };
  if (Array.isArray(doc.logFiles) && ('digestEndTime' in doc || 'digestPublicKeyFingerprint' in doc)) {
    return { kind: 'digest', digest: summarizeDigest(doc) };
  }
  if (Array.isArray(doc.Events)) return fromElements('lookup', doc.Events);
  const rec = normalizeAny(doc);
  if (rec)
    return { kind: 'events', format: isObject(doc.detail) ? 'eventbridge' : 'event', records: [rec], skipped: 0 };
  const keys = Object.keys(doc)
    .slice(0, 5)
    .map((k) => JSON.stringify(k.slice(0, 40)));
  return {
    kind: 'error',
    reason: `Not CloudTrail: a JSON object without "Records", "eventName" or "CloudTrailEvent"${keys.length ? ` (its keys: ${keys.join(', ')})` : ''}.`,
  };
}

function summarizeDigest(d: Record<string, unknown>): DigestSummary {
  return {
    account: str(d.awsAccountId),
    startTime: str(d.digestStartTime),
    endTime: str(d.digestEndTime),
    bucket: str(d.digestS3Bucket),
    logFiles: Array.isArray(d.logFiles) ? d.logFiles.length : 0,
    hasPreviousSignature: typeof d.previousDigestSignature === 'string' && d.previousDigestSignature.length > 0,
  };
}

/** NDJSON: one event per line. Undefined when the first line is not a JSON object either. */
function decodeNdjson(text: string): DecodeResult | undefined {
  const records: CtRecord[] = [];
  let skipped = 0;
  let badLines = 0;
  let firstBad = 0;
  let lineNo = 0;
  let sawObject = false;
  for (const line of text.split('\n')) {
    lineNo++;
    const t = line.trim();
    if (!t) continue;
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch {
      if (!sawObject) return undefined;
      badLines++;
      firstBad ||= lineNo;
      continue;
    }
    sawObject = true;
    const rec = normalizeAny(v);
    if (rec) records.push(rec);
    else skipped++;
  }
  if (records.length === 0) {
    return { kind: 'error', reason: `Not CloudTrail: none of its ${skipped + badLines} lines is a CloudTrail event.` };
  }
  const notes: string[] = [];
  if (badLines) notes.push(`${badLines} line${badLines === 1 ? '' : 's'} are not valid JSON (first: line ${firstBad})`);
  if (skipped) notes.push(`${skipped} line${skipped === 1 ? ' is' : 's are'} not CloudTrail events`);
  return {
    kind: 'events',
    format: 'ndjson',
    records,
    skipped: skipped + badLines,
    warning: notes.length ? `${notes.join('; ')}; skipped.` : undefined,
  };
}

/** A decoded file as a column batch (what the loader hands to the investigation). */
export interface BatchResult {
  kind: 'batch';
  format: LogFormat;
  batch: EventBatch;
  skipped: number;
  warning?: string;
}

/** Any outcome of loading one file. */
export type LoadResult = DecodeResult | BatchResult;

/**
 * Gzipped files up to this size (decompressed) keep only their gzip bytes for raws: re-decoding
 * one to open an event takes tens of milliseconds. Larger ones keep UTF-8 raws instead.
 */
export const REREAD_MAX_BYTES = 8 * 1024 * 1024;

/**
 * Decodes one file into a batch (what decode workers run). Never throws. Gzipped files of up to
 * REREAD_MAX_BYTES skip stringifying each event: their raws are re-read from `bytes` on demand
 * (rereadRaws), so `bytes` must not be changed afterwards.
 */
export function decodeToBatch(bytes: Uint8Array, limits: DecodeLimits): LoadResult {
  const d = decompress(bytes, limits);
  if ('kind' in d) return d;
  const reread = d.gzipped && d.data.length <= REREAD_MAX_BYTES;
  // S3 log files as CloudTrail writes them: straight from the bytes (scan.ts). Anything else, JSON.parse.
  const scanned = scanLogFile(d.data, reread ? 'source' : 'utf8', bytes);
  if (scanned?.batch) return { kind: 'batch', format: 'records', skipped: 0, batch: scanned.batch };
  const r = decodeJsonBytes(d.data, !reread);
  if (r.kind !== 'events') return r;
  return {
    kind: 'batch',
    format: r.format,
    skipped: r.skipped,
    warning: r.warning,
    batch: toBatch(r.records, reread ? bytes : undefined),
  };
}

/** The raws of a batch's gzip source, in record order: the file decoded again exactly as at load. */
export function rereadRaws(source: Uint8Array): string[] {
  const d = decompress(source, { maxBytes: HARD_MAX_BYTES });
  if ('kind' in d) return [];
  // The same choice as decodeToBatch made: the scanner's raws when it read the file, else JSON.parse's.
  const scanned = scanLogFile(d.data, 'strings');
  if (scanned?.raws) return scanned.raws;
  const r = decodeJsonBytes(d.data);
  return r.kind === 'events' ? r.records.map((x) => x.raw) : [];
}
