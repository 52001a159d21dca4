/**
 * The event store (DESIGN §4): the columns people filter on, dictionary-encoded into typed
 * arrays with an inverted index (value → rows) per column, plus each event's raw JSON. Rows are
 * append-only; a row number is stable for the life of the store.
 */
import type { CtRecord } from './records';

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
] as const;
export type StringField = (typeof STRING_FIELDS)[number];
/** Every indexed field: the string columns plus the multi-valued resource names. */
export type IndexedField = StringField | 'resources';

/** A typed array that grows by doubling. */
class GrowableU32 {
  data = new Uint32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

class GrowableF64 {
  data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

/** Distinct strings of one field, each with a small integer id and the rows holding it. */
export class Dictionary {
  readonly values: string[] = [];
  readonly postings: number[][] = [];
  private readonly ids = new Map<string, number>();

  intern(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(value, id);
      this.values.push(value);
      this.postings.push([]);
    }
    return id;
  }

  idOf(value: string): number | undefined {
    return this.ids.get(value);
  }

  get size(): number {
    return this.values.length;
  }
}

export class EventStore {
  private readonly dicts = new Map<IndexedField, Dictionary>();
  private readonly columns = new Map<StringField, GrowableU32>();
  private readonly times = new GrowableF64();
  private readonly files = new GrowableU32();
  private readonly resourceOffsets = new GrowableU32();
  private readonly resourceIds = new GrowableU32();
  private readonly raws: string[] = [];
  private readonly eventIds = new Set<string>();
  /** Bumped on every change, so caches built over the store know when they are stale. */
  version = 0;
  duplicates = 0;

  constructor() {
    for (const f of STRING_FIELDS) {
      this.dicts.set(f, new Dictionary());
      this.columns.set(f, new GrowableU32());
    }
    this.dicts.set('resources', new Dictionary());
    this.resourceOffsets.push(0);
  }

  get size(): number {
    return this.raws.length;
  }

  /**
   * Adds one record from file number `file`. Returns false, and keeps nothing, when an event with
   * the same eventID is already stored (overlapping exports, the same file opened twice).
   */
  add(rec: CtRecord, file: number): boolean {
    if (rec.eventId) {
      if (this.eventIds.has(rec.eventId)) {
        this.duplicates++;
        return false;
      }
      this.eventIds.add(rec.eventId);
    }
    const row = this.raws.length;
    for (const f of STRING_FIELDS) {
      const dict = this.dicts.get(f)!;
      const id = dict.intern(rec[f]);
      dict.postings[id].push(row);
      this.columns.get(f)!.push(id);
    }
    const rdict = this.dicts.get('resources')!;
    for (const r of rec.resources) {
      const id = rdict.intern(r);
      rdict.postings[id].push(row);
      this.resourceIds.push(id);
    }
    this.resourceOffsets.push(this.resourceIds.length);
    this.times.push(rec.time);
    this.files.push(file);
    this.raws.push(rec.raw);
    this.version++;
    return true;
  }

  dictionary(field: IndexedField): Dictionary {
    return this.dicts.get(field)!;
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

  time(row: number): number {
    return this.times.data[row];
  }

  file(row: number): number {
    return this.files.data[row];
  }

  raw(row: number): string {
    return this.raws[row];
  }

  /** Row numbers sorted newest first (events without a time last). */
  rowsByTime(): Uint32Array {
    const n = this.size;
    const rows = new Uint32Array(n);
    for (let i = 0; i < n; i++) rows[i] = i;
    const t = this.times.data;
    const key = (r: number): number => (Number.isNaN(t[r]) ? -Infinity : t[r]);
    return rows.sort((a, b) => key(b) - key(a) || a - b);
  }
}
