/**
 * What a decode worker sends the store for one file: compact columns instead of record objects.
 * Each string column arrives as the file's distinct values plus one id per row, and those values
 * arrive as UTF-8 bytes rather than strings: a decoder copies a value's bytes out of the file
 * without making a string of it, and the store makes a string only for a value it has not seen
 * (structured-cloning ~2,600 strings a file, made in the decoder, serialized and deserialized,
 * was about a fifth of the CPU a load took). The raw JSON arrives as bytes too — the file's own
 * gzip when it can be re-read on demand, otherwise UTF-8 — so every large part is a transferable
 * ArrayBuffer, moved rather than copied.
 */
import type { CtRecord } from '../model/records';
import { uuidKey } from './eventIdSet';
import { GrowableU32 } from './postings';
import { utf8Length } from './rawStore';
import { STRING_FIELDS } from '../model/fields';

/** Where resource names sit among a batch's value lists: after the STRING_FIELDS columns. */
export const RESOURCES = STRING_FIELDS.length;

/** A batch's distinct values, list by list (STRING_FIELDS order, then resource names). */
export interface BatchValues {
  /** Every value's UTF-8, one after another. */
  text: Uint8Array;
  /** Value i (counting across lists) is `text[textStarts[i] … textStarts[i + 1] - 1]`. */
  textStarts: Uint32Array;
  /** List f's values are numbers `listStarts[f] … listStarts[f + 1] - 1`; RESOURCES + 2 entries. */
  listStarts: Uint32Array;
  /**
   * Values UTF-8 cannot carry (a lone surrogate, which JSON can spell as `\ud800`), as pairs of
   * value number and string; their bytes are empty. Almost always empty.
   */
  strings: Array<[number, string]>;
}

/** One file's events in columns. Rows are the file's records in order. */
export interface EventBatch extends BatchValues {
  count: number;
  /** Column-major: `ids[f * count + row]` is row's value in list f (a number within that list). */
  ids: Uint32Array;
  /** Row r's resource names are values `resourceIds[resourceStarts[r] … resourceStarts[r + 1] - 1]` of list RESOURCES. */
  resourceStarts: Uint32Array;
  resourceIds: Uint32Array;
  times: Float64Array;
  /** Row r's eventID when it is a UUID: parsed (uuidKey) into `eventKeys[4r … 4r + 3]`, with `hasKey[r]` = 1. */
  eventKeys: Uint32Array;
  hasKey: Uint8Array;
  /** Other eventIDs as strings ('' for a UUID, or where an event has none: never deduplicated). */
  eventIds: string[];
  /**
   * `source`: the file's bytes; row r's raw is record r of decoding them again.
   * `utf8`: row r's raw is `bytes[offsets[r] … offsets[r + 1] - 1]`.
   */
  raw: { kind: 'source'; bytes: Uint8Array } | { kind: 'utf8'; bytes: Uint8Array; offsets: Uint32Array };
}

/** Writes BatchValues list by list: values as strings, or as bytes of another buffer (already UTF-8). */
export class ValueWriter {
  private bytes = new Uint8Array(16384);
  private buf = Buffer.from(this.bytes.buffer);
  private length = 0;
  /** Where each value starts, and where the next one will: one more entry than values so far. */
  private readonly starts = new GrowableU32(1024);
  private readonly listStarts = new Uint32Array(RESOURCES + 2);
  private list = 0;
  private readonly strings: Array<[number, string]> = [];

  constructor() {
    this.starts.push(0);
  }

  /** How many values so far. */
  private get count(): number {
    return this.starts.length - 1;
  }

  /** Starts list `f` (lists come in order; lists never started are empty). */
  startList(f: number): void {
    while (this.list < f) this.listStarts[++this.list] = this.count;
  }

  /** Adds bytes [s, e) of `src`, which must be the UTF-8 of the value. */
  addBytes(src: Uint8Array, s: number, e: number): void {
    this.room(e - s);
    const out = this.bytes;
    let at = this.length;
    // A loop for all but long values: a subarray to copy from costs more than copying most by hand.
    if (e - s > 256) out.set(src.subarray(s, e), at);
    else for (let i = s; i < e; i++) out[at++] = src[i];
    this.length += e - s;
    this.starts.push(this.length);
  }

  addString(v: string): void {
    const n = v.length;
    if (n !== 0) {
      this.room(3 * n);
      // ASCII (nearly every value) by hand: Buffer.write's own cost is most of a short string's.
      const out = this.bytes;
      const at = this.length;
      let i = 0;
      for (let c = 0; i < n && (c = v.charCodeAt(i)) < 0x80; i++) out[at + i] = c;
      if (i === n) this.length += n;
      // isWellFormed is O(1) for one-byte strings (no surrogates possible).
      else if (!(v as string & { isWellFormed(): boolean }).isWellFormed()) this.strings.push([this.count, v]);
      else this.length += this.buf.write(v, at, 'utf8');
    }
    this.starts.push(this.length);
  }

  finish(): BatchValues {
    this.startList(RESOURCES + 1);
    return {
      text: this.bytes.slice(0, this.length),
      textStarts: this.starts.view().slice(),
      listStarts: this.listStarts,
      strings: this.strings,
    };
  }

  private room(more: number): void {
    if (this.length + more <= this.bytes.length) return;
    const bigger = new Uint8Array(Math.max(this.bytes.length * 2, this.length + more));
    bigger.set(this.bytes.subarray(0, this.length));
    this.bytes = bigger;
    this.buf = Buffer.from(bigger.buffer);
  }
}

/** The values of list `f` (a STRING_FIELDS index or RESOURCES) as strings: for tests and checks, not hot paths. */
export function listValues(v: BatchValues, f: number): string[] {
  const text = Buffer.from(v.text.buffer, v.text.byteOffset, v.text.byteLength);
  const special = new Map(v.strings);
  const out: string[] = [];
  for (let i = v.listStarts[f]; i < v.listStarts[f + 1]; i++)
    out.push(special.get(i) ?? text.toString('utf8', v.textStarts[i], v.textStarts[i + 1]));
  return out;
}

/**
 * One getter per STRING_FIELDS entry, written out: a shared `(r) => r[field]` would see fourteen
 * property names at one site and run several times slower. (A test checks the order.)
 */
export const COLUMN_GETTERS: ReadonlyArray<(r: CtRecord) => string> = [
  (r) => r.eventName,
  (r) => r.eventSource,
  (r) => r.awsRegion,
  (r) => r.sourceIp,
  (r) => r.userAgent,
  (r) => r.errorCode,
  (r) => r.eventType,
  (r) => r.eventCategory,
  (r) => r.account,
  (r) => r.identityType,
  (r) => r.principal,
  (r) => r.principalArn,
  (r) => r.accessKeyId,
  (r) => r.readOnly,
  (r) => r.errorMessage,
];

/** Interns `get(record)` over the records into a distinct-values list and ids written at `out[base + row]`. */
function encodeColumn(
  records: readonly CtRecord[],
  get: (r: CtRecord) => string,
  out: Uint32Array,
  base: number,
): string[] {
  const values: string[] = [];
  const ids = new Map<string, number>();
  let last = '';
  let lastId = -1;
  for (let r = 0; r < records.length; r++) {
    const v = get(records[r]);
    // Neighbouring events often share a value (same caller, agent, region): skip the lookup.
    if (v === last && lastId >= 0) {
      out[base + r] = lastId;
      continue;
    }
    let id = ids.get(v);
    if (id === undefined) {
      id = values.length;
      ids.set(v, id);
      values.push(v);
    }
    out[base + r] = lastId = id;
    last = v;
  }
  return values;
}

/** Encodes records as a batch; with `source`, raws are re-read from it, else taken from `raw`. */
export function toBatch(records: readonly CtRecord[], source?: Uint8Array): EventBatch {
  const n = records.length;
  const ids = new Uint32Array(n * STRING_FIELDS.length);
  const writer = new ValueWriter();
  COLUMN_GETTERS.forEach((get, k) => {
    writer.startList(k);
    for (const v of encodeColumn(records, get, ids, k * n)) writer.addString(v);
  });
  const resourceValues: string[] = [];
  const resourceIndex = new Map<string, number>();
  const resourceStarts = new Uint32Array(n + 1);
  const resourceList: number[] = [];
  const times = new Float64Array(n);
  const eventKeys = new Uint32Array(4 * n);
  const hasKey = new Uint8Array(n);
  const eventIds = new Array<string>(n);
  for (let r = 0; r < n; r++) {
    const rec = records[r];
    for (const name of rec.resources) {
      let id = resourceIndex.get(name);
      if (id === undefined) {
        id = resourceValues.length;
        resourceIndex.set(name, id);
        resourceValues.push(name);
      }
      resourceList.push(id);
    }
    resourceStarts[r + 1] = resourceList.length;
    times[r] = rec.time;
    hasKey[r] = uuidKey(rec.eventId, eventKeys, 4 * r) ? 1 : 0;
    eventIds[r] = hasKey[r] ? '' : rec.eventId;
  }
  writer.startList(RESOURCES);
  for (const v of resourceValues) writer.addString(v);
  return {
    count: n,
    ...writer.finish(),
    ids,
    resourceStarts,
    resourceIds: Uint32Array.from(resourceList),
    times,
    eventKeys,
    hasKey,
    eventIds,
    raw: source ? { kind: 'source', bytes: source } : utf8Raws(records),
  };
}

function utf8Raws(records: readonly CtRecord[]): EventBatch['raw'] {
  const offsets = new Uint32Array(records.length + 1);
  let total = 0;
  for (let r = 0; r < records.length; r++) offsets[r + 1] = total += utf8Length(records[r].raw);
  // A buffer of its own (not Node's shared pool), so it can be transferred.
  const bytes = new Uint8Array(total);
  const encoder = new TextEncoder();
  for (let r = 0; r < records.length; r++)
    encoder.encodeInto(records[r].raw, bytes.subarray(offsets[r], offsets[r + 1]));
  return { kind: 'utf8', bytes, offsets };
}

/**
 * The ArrayBuffers to transfer with a batch (each listed once). Only buffers a view spans whole:
 * a view into a larger buffer (Node's pool of small Buffers) is copied instead, since moving the
 * buffer would detach everything else sharing it.
 */
export function transferList(batch: EventBatch): ArrayBuffer[] {
  const views: ArrayBufferView[] = [
    batch.text,
    batch.textStarts,
    batch.listStarts,
    batch.ids,
    batch.resourceStarts,
    batch.resourceIds,
    batch.times,
    batch.eventKeys,
    batch.hasKey,
    batch.raw.bytes,
  ];
  if (batch.raw.kind === 'utf8') views.push(batch.raw.offsets);
  return [
    ...new Set(
      views
        .filter((v) => v.byteOffset === 0 && v.byteLength === v.buffer.byteLength)
        .map((v) => v.buffer as ArrayBuffer),
    ),
  ];
}
