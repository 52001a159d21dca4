/**
 * What a decode worker sends the store for one file: compact columns instead of record objects.
 * Each string column arrives as the file's distinct values plus one id per row (a few hundred
 * strings and one typed array, where structured-cloning records copied ~20 strings per event),
 * and the raw JSON arrives as bytes — the file's own gzip when it can be re-read on demand,
 * otherwise UTF-8 — so every large part is a transferable ArrayBuffer, moved rather than copied.
 */
import type { CtRecord } from './records';
import { uuidKey } from './eventIdSet';
import { utf8Length } from './rawStore';
import { STRING_FIELDS } from './store';

/** One file's events in columns. Rows are the file's records in order. */
export interface EventBatch {
  count: number;
  /** Per STRING_FIELDS entry (same order): the distinct values in this batch. */
  values: string[][];
  /** Column-major: `ids[f * count + row]` indexes `values[f]`. */
  ids: Uint32Array;
  /** Resource names: distinct values, and row r's ids at `resourceIds[resourceStarts[r] … resourceStarts[r + 1] - 1]`. */
  resourceValues: string[];
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
function encodeColumn(records: readonly CtRecord[], get: (r: CtRecord) => string, out: Uint32Array, base: number): string[] {
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
  const values = COLUMN_GETTERS.map((get, k) => encodeColumn(records, get, ids, k * n));
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
  return { count: n, values, ids, resourceValues, resourceStarts, resourceIds: Uint32Array.from(resourceList), times, eventKeys, hasKey, eventIds, raw: source ? { kind: 'source', bytes: source } : utf8Raws(records) };
}

function utf8Raws(records: readonly CtRecord[]): EventBatch['raw'] {
  const offsets = new Uint32Array(records.length + 1);
  let total = 0;
  for (let r = 0; r < records.length; r++) offsets[r + 1] = total += utf8Length(records[r].raw);
  // A buffer of its own (not Node's shared pool), so it can be transferred.
  const bytes = new Uint8Array(total);
  const encoder = new TextEncoder();
  for (let r = 0; r < records.length; r++) encoder.encodeInto(records[r].raw, bytes.subarray(offsets[r], offsets[r + 1]));
  return { kind: 'utf8', bytes, offsets };
}

/**
 * The ArrayBuffers to transfer with a batch (each listed once). Only buffers a view spans whole:
 * a view into a larger buffer (Node's pool of small Buffers) is copied instead, since moving the
 * buffer would detach everything else sharing it.
 */
export function transferList(batch: EventBatch): ArrayBuffer[] {
  const views: ArrayBufferView[] = [batch.ids, batch.resourceStarts, batch.resourceIds, batch.times, batch.eventKeys, batch.hasKey, batch.raw.bytes];
  if (batch.raw.kind === 'utf8') views.push(batch.raw.offsets);
  return [...new Set(views.filter((v) => v.byteOffset === 0 && v.byteLength === v.buffer.byteLength).map((v) => v.buffer as ArrayBuffer))];
}
