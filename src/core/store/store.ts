/**
 * The event store (docs/architecture.md, "Records, store and search"): the columns people filter on, dictionary-encoded into typed
 * arrays with an inverted index (value → rows) per column, plus each event's raw JSON. Rows are
 * append-only; a row number is stable for the life of the store.
 */
import { type BatchValues, type EventBatch, RESOURCES } from './batch';
import { EventIdSet } from './eventIdSet';
import { StringInterner } from './interner';
import { type SliceBuffer, sliceBuffer } from './sliceBuffer';
import { GrowableF64, GrowableU32, Postings } from './postings';
import { RawStore, type Reread } from './rawStore';
import { sortByTime } from './timeOrder';
import type { CtRecord } from '../model/records';

import { STRING_FIELDS, type IndexedField, type StringField } from '../model/fields';

export { STRING_FIELDS, type IndexedField, type StringField };

/** Distinct strings of one field, each with a small integer id, and the rows holding each. */
export class Dictionary {
  private readonly ids = new StringInterner();
  /** Value of each id (grows as values are added: the same array for the life of the store). */
  readonly values: readonly string[] = this.ids.values;

  /** `index` returns this field's inverted index, current for every row stored. */
  constructor(private readonly index: () => Postings) {}

  intern(value: string): number {
    return this.ids.intern(value);
  }

  /** Ids of a batch's list `list` (interning the new ones), in a new array; `text` is the batch's text as a Buffer. */
  internList(v: BatchValues, list: number, text: SliceBuffer): Uint32Array {
    const from = v.listStarts[list];
    const out = new Uint32Array(v.listStarts[list + 1] - from);
    const starts = v.textStarts;
    for (let i = 0; i < out.length; i++) out[i] = this.ids.internUtf8(text, starts[from + i], starts[from + i + 1]);
    // Values UTF-8 could not carry came as strings.
    for (const [at, value] of v.strings)
      if (at >= from && at - from < out.length) out[at - from] = this.ids.intern(value);
    return out;
  }

  idOf(value: string): number | undefined {
    return this.ids.idOf(value);
  }

  get size(): number {
    return this.values.length;
  }

  /** The rows holding value `id`, ascending (a view into the field's index: do not modify). */
  rows(id: number): Uint32Array {
    return this.index().of(id);
  }

  /** This field's whole inverted index (rebuilt lazily after rows are added). */
  postings(): Postings {
    return this.index();
  }
}

export class EventStore {
  private readonly dicts = new Map<IndexedField, Dictionary>();
  private readonly columns = new Map<StringField, GrowableU32>();
  private readonly indexes = new Map<IndexedField, Postings>();
  private readonly times = new GrowableF64();
  private readonly files = new GrowableU32();
  private readonly resourceOffsets = new GrowableU32();
  private readonly resourceIds = new GrowableU32();
  private readonly raws: RawStore;
  private readonly eventIds = new EventIdSet();
  /** rowsByTime's last answer, for the rows it covers. */
  private timeOrder: Uint32Array = new Uint32Array(0);
  /** Bumped on every change, so caches built over the store know when they are stale. */
  version = 0;
  duplicates = 0;

  /**
   * `reread` turns a batch's gzip source back into its raws (decode.ts `rereadRaws`); a store
   * without it can hold batches only with UTF-8 raws.
   */
  constructor(reread: Reread = () => []) {
    this.raws = new RawStore(reread);
    for (const f of STRING_FIELDS) {
      this.dicts.set(f, new Dictionary(() => this.postingsOf(f)));
      this.columns.set(f, new GrowableU32());
    }
    this.dicts.set('resources', new Dictionary(() => this.postingsOf('resources')));
    this.resourceOffsets.push(0);
  }

  get size(): number {
    return this.raws.size;
  }

  /** Bytes of raw JSON held off the JS heap (gzip sources and UTF-8 blocks). */
  get rawBytes(): number {
    return this.raws.bytes;
  }

  /** False (and counted) when `eventId` is already stored; otherwise remembers it. */
  private isNew(eventId: string): boolean {
    if (!eventId || this.eventIds.add(eventId)) return true;
    this.duplicates++;
    return false;
  }

  /**
   * Adds one record from file number `file`. Returns false, and keeps nothing, when an event with
   * the same eventID is already stored (overlapping exports, the same file opened twice).
   */
  add(rec: CtRecord, file: number): boolean {
    if (!this.isNew(rec.eventId)) return false;
    for (const f of STRING_FIELDS) this.columns.get(f)!.push(this.dicts.get(f)!.intern(rec[f]));
    const rdict = this.dicts.get('resources')!;
    for (const r of rec.resources) this.resourceIds.push(rdict.intern(r));
    this.resourceOffsets.push(this.resourceIds.length);
    this.times.push(rec.time);
    this.files.push(file);
    this.raws.addString(rec.raw);
    this.version++;
    return true;
  }

  /**
   * Adds one file's batch (see batch.ts) from file number `file`; returns how many rows it added.
   * Each distinct value is interned once per batch, not once per row. Duplicates by eventID are
   * skipped as in `add`. The batch's buffers are kept: the caller must not reuse them.
   */
  addBatch(batch: EventBatch, file: number): number {
    const n = batch.count;
    const cols = STRING_FIELDS.map((f) => this.columns.get(f)!);
    const text = sliceBuffer(batch.text);
    const maps = STRING_FIELDS.map((f, k) => this.dicts.get(f)!.internList(batch, k, text));
    const rmap = this.dicts.get('resources')!.internList(batch, RESOURCES, text);
    // Which rows are new (duplicates by eventID are skipped, the first kept). `keep` stays
    // undefined while every row is: the usual case, copied column by column without a test per row.
    let keep: Uint8Array | undefined;
    let added = 0;
    this.eventIds.reserve(n);
    for (let r = 0; r < n; r++) {
      const fresh = batch.hasKey[r]
        ? this.eventIds.addKey(batch.eventKeys, 4 * r)
        : !batch.eventIds[r] || this.eventIds.add(batch.eventIds[r]);
      if (fresh) {
        added++;
        continue;
      }
      this.duplicates++;
      keep ??= new Uint8Array(n).fill(1);
      keep[r] = 0;
    }
    const raw = batch.raw;
    // Kept even when every row is a duplicate, as before: only rows are skipped.
    const ref = raw.kind === 'source' ? this.raws.addSource(ownBytes(raw.bytes)) : this.raws.addBlock(raw.bytes);
    if (added === 0) return 0;
    const base = this.size;
    // Column-major, as the batch is: one tight loop per column.
    for (let k = 0; k < cols.length; k++) {
      const col = cols[k];
      col.reserve(base + added);
      const data = col.data;
      const map = maps[k];
      const ids = batch.ids;
      const from = k * n;
      if (!keep) for (let r = 0; r < n; r++) data[base + r] = map[ids[from + r]];
      else for (let r = 0, w = base; r < n; r++) if (keep[r]) data[w++] = map[ids[from + r]];
      col.length = base + added;
    }
    const starts = batch.resourceStarts;
    let resourceCount = 0;
    for (let r = 0; r < n; r++) if (!keep || keep[r]) resourceCount += starts[r + 1] - starts[r];
    this.resourceIds.reserve(this.resourceIds.length + resourceCount);
    this.resourceOffsets.reserve(base + added + 1);
    const resIds = this.resourceIds.data;
    const resOffsets = this.resourceOffsets.data;
    let at = this.resourceIds.length;
    for (let r = 0, w = base; r < n; r++) {
      if (keep && !keep[r]) continue;
      for (let i = starts[r]; i < starts[r + 1]; i++) resIds[at++] = rmap[batch.resourceIds[i]];
      resOffsets[++w] = at;
    }
    this.resourceIds.length = at;
    this.resourceOffsets.length = base + added + 1;
    this.times.reserve(base + added);
    if (!keep) this.times.data.set(batch.times.subarray(0, n), base);
    else for (let r = 0, w = base; r < n; r++) if (keep[r]) this.times.data[w++] = batch.times[r];
    this.times.length = base + added;
    this.files.reserve(base + added);
    this.files.data.fill(file, base, base + added);
    this.files.length = base + added;
    if (raw.kind === 'source') this.raws.addRecords(ref, n, keep);
    else this.raws.addSlices(ref, raw.offsets, n, keep);
    this.version++;
    return added;
  }

  private postingsOf(field: IndexedField): Postings {
    const n = this.size;
    const valueCount = this.dicts.get(field)!.size;
    const p = this.indexes.get(field);
    if (p && p.rowCount === n && p.offsets.length === valueCount + 1) return p;
    // Rows are only appended: index those added since and merge them in.
    const from = p ? p.rowCount : 0;
    const part =
      field === 'resources'
        ? Postings.ofLists(this.resourceOffsets.data, this.resourceIds.data, n, valueCount, from)
        : Postings.ofColumn(this.columns.get(field)!.data, n, valueCount, from);
    const next = p ? Postings.append(p, part, valueCount) : part;
    this.indexes.set(field, next);
    return next;
  }

  dictionary(field: IndexedField): Dictionary {
    return this.dicts.get(field)!;
  }

  /** The value ids of a string column, one per row (a view: do not modify). */
  column(field: StringField): Uint32Array {
    return this.columns.get(field)!.data.subarray(0, this.size);
  }

  valueId(field: StringField, row: number): number {
    return this.columns.get(field)!.data[row];
  }

  value(field: StringField, row: number): string {
    return this.dicts.get(field)!.values[this.valueId(field, row)];
  }

  resourceValueIds(row: number): Uint32Array {
    return this.resourceIds.data.subarray(this.resourceOffsets.data[row], this.resourceOffsets.data[row + 1]);
  }

  /** Every row's resource value ids: row r's are `ids[starts[r]] … ids[starts[r + 1] - 1]` (views: do not modify). */
  resourceLists(): { starts: Uint32Array; ids: Uint32Array } {
    return {
      starts: this.resourceOffsets.data.subarray(0, this.size + 1),
      ids: this.resourceIds.data.subarray(0, this.resourceIds.length),
    };
  }

  time(row: number): number {
    return this.times.data[row];
  }

  /** Every row's time (a view: do not modify); NaN where an event has none. */
  timeColumn(): Float64Array {
    return this.times.data.subarray(0, this.size);
  }

  file(row: number): number {
    return this.files.data[row];
  }

  /** The event's original JSON (decoded from off-heap bytes on each call). */
  raw(row: number): string {
    return this.raws.get(row);
  }

  /**
   * Row numbers sorted newest first, ties by row, events without a time last (shared: do not
   * modify). Kept between calls: rows added since the last call are sorted alone and merged in, so
   * a query re-run while files stream in pays for the new rows and one merge, not a full sort.
   */
  rowsByTime(): Uint32Array {
    const n = this.size;
    const old = this.timeOrder;
    if (old.length === n) return old;
    const fresh = sortByTime(this.times.data, old.length, n);
    if (old.length === 0) return (this.timeOrder = fresh);
    const t = this.times.data;
    const merged = new Uint32Array(n);
    let i = 0;
    let j = 0;
    for (let w = 0; w < n; w++) {
      if (j >= fresh.length) merged[w] = old[i++];
      else if (i >= old.length) merged[w] = fresh[j++];
      else {
        // A new row goes first only when strictly newer: on equal times (or both without one)
        // the old row, with the smaller row number, stays ahead.
        const a = t[old[i]];
        const b = t[fresh[j]];
        merged[w] = b > a || (Number.isNaN(a) && !Number.isNaN(b)) ? fresh[j++] : old[i++];
      }
    }
    return (this.timeOrder = merged);
  }
}

/** The bytes in a buffer of their own, so a view never pins a larger buffer in memory. */
function ownBytes(b: Uint8Array): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : b.slice();
}
