/**
 * Builds an EventBatch row by row, as the scanner reads records (toBatch's layout, without
 * CtRecord objects in between). Raws are byte ranges of the scanned buffer.
 */
import type { EventBatch } from './batch';
import { uuidKey } from './eventIdSet';
import { STRING_FIELDS } from './store';
import { parseEventTime } from './time';

/** Column indexes, in STRING_FIELDS order (a test checks it). */
export const enum F {
  eventName,
  eventSource,
  awsRegion,
  sourceIp,
  userAgent,
  errorCode,
  eventType,
  eventCategory,
  account,
  identityType,
  principal,
  principalArn,
  accessKeyId,
  readOnly,
  errorMessage,
}

export const F_NAMES: readonly string[] = [
  'eventName', 'eventSource', 'awsRegion', 'sourceIp', 'userAgent', 'errorCode', 'eventType', 'eventCategory',
  'account', 'identityType', 'principal', 'principalArn', 'accessKeyId', 'readOnly', 'errorMessage',
];

const FIELDS = STRING_FIELDS.length;

function grow<T extends Uint32Array | Float64Array | Uint8Array>(a: T, size: number): T {
  const bigger = new (a.constructor as new (n: number) => T)(Math.max(size, a.length * 2));
  bigger.set(a);
  return bigger;
}

/** One column's distinct values and ids. */
class Column {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();
  ids: Uint32Array;
  private last = '';
  private lastId = -1;

  constructor(cap: number) {
    this.ids = new Uint32Array(cap);
  }

  add(row: number, v: string): void {
    if (row >= this.ids.length) this.ids = grow(this.ids, row + 1);
    // Neighbouring events often share a value (same caller, agent, region): skip the lookup.
    if (v === this.last && this.lastId >= 0) {
      this.ids[row] = this.lastId;
      return;
    }
    let id = this.index.get(v);
    if (id === undefined) {
      id = this.values.length;
      this.index.set(v, id);
      this.values.push(v);
    }
    this.ids[row] = this.lastId = id;
    this.last = v;
  }
}

export class BatchBuilder {
  private readonly src: Uint8Array;
  private n = -1;
  private readonly columns: Column[] = [];
  private times: Float64Array;
  private eventKeys: Uint32Array;
  private hasKey: Uint8Array;
  private readonly eventIds: string[] = [];
  private readonly resourceValues: string[] = [];
  private readonly resourceIndex = new Map<string, number>();
  private resourceStarts: Uint32Array;
  private readonly resourceList: number[] = [];
  private rawStarts: Uint32Array;
  private rawEnds: Uint32Array;

  /** `src`: the scanned bytes (raws are ranges of it); `cap`: a guess at the row count. */
  constructor(src: Uint8Array, cap: number) {
    this.src = src;
    for (let f = 0; f < FIELDS; f++) this.columns.push(new Column(cap));
    this.times = new Float64Array(cap);
    this.eventKeys = new Uint32Array(4 * cap);
    this.hasKey = new Uint8Array(cap);
    this.resourceStarts = new Uint32Array(cap + 1);
    this.rawStarts = new Uint32Array(cap);
    this.rawEnds = new Uint32Array(cap);
  }

  /** Starts the next row. */
  row(): void {
    const r = ++this.n;
    if (r >= this.times.length) {
      this.times = grow(this.times, r + 1);
      this.eventKeys = grow(this.eventKeys, 4 * (r + 1));
      this.hasKey = grow(this.hasKey, r + 1);
      this.resourceStarts = grow(this.resourceStarts, r + 2);
      this.rawStarts = grow(this.rawStarts, r + 1);
      this.rawEnds = grow(this.rawEnds, r + 1);
    }
  }

  set(field: F, v: string): void {
    this.columns[field].add(this.n, v);
  }

  time(text: string): void {
    this.times[this.n] = parseEventTime(text);
  }

  eventId(id: string): void {
    const r = this.n;
    const key = uuidKey(id, this.eventKeys, 4 * r);
    this.hasKey[r] = key ? 1 : 0;
    this.eventIds.push(key ? '' : id);
  }

  resources(names: readonly string[] | undefined): void {
    if (names) {
      for (const name of names) {
        let id = this.resourceIndex.get(name);
        if (id === undefined) {
          id = this.resourceValues.length;
          this.resourceIndex.set(name, id);
          this.resourceValues.push(name);
        }
        this.resourceList.push(id);
      }
    }
    this.resourceStarts[this.n + 1] = this.resourceList.length;
  }

  /** The current row's raw is bytes [start, end) of the scanned buffer. */
  raw(start: number, end: number): void {
    this.rawStarts[this.n] = start;
    this.rawEnds[this.n] = end;
  }

  /** The batch; raws point at `source` when given, else are copied into a buffer of their own. */
  finish(source: Uint8Array | undefined): EventBatch {
    const n = this.n + 1;
    const ids = new Uint32Array(n * FIELDS);
    const values = this.columns.map((c, f) => {
      ids.set(c.ids.subarray(0, n), f * n);
      return c.values;
    });
    return {
      count: n,
      values,
      ids,
      resourceValues: this.resourceValues,
      resourceStarts: this.resourceStarts.slice(0, n + 1),
      resourceIds: Uint32Array.from(this.resourceList),
      times: this.times.slice(0, n),
      eventKeys: this.eventKeys.slice(0, 4 * n),
      hasKey: this.hasKey.slice(0, n),
      eventIds: this.eventIds,
      raw: source ? { kind: 'source', bytes: source } : this.utf8Raws(n),
    };
  }

  private utf8Raws(n: number): EventBatch['raw'] {
    const offsets = new Uint32Array(n + 1);
    let total = 0;
    for (let r = 0; r < n; r++) offsets[r + 1] = total += this.rawEnds[r] - this.rawStarts[r];
    // A buffer of its own (not Node's shared pool), so it can be transferred.
    const bytes = new Uint8Array(total);
    for (let r = 0; r < n; r++) bytes.set(this.src.subarray(this.rawStarts[r], this.rawEnds[r]), offsets[r]);
    return { kind: 'utf8', bytes, offsets };
  }
}
