/**
 * Builds an EventBatch row by row, as the scanner reads records (toBatch's layout, without
 * CtRecord objects in between). Raws are byte ranges of the scanned buffer.
 */
import { type EventBatch, RESOURCES, ValueWriter } from '../store/batch';
import { uuidKey, uuidKeyBytes } from '../store/eventIdSet';
import { STRING_FIELDS } from '../model/fields';
import { parseEventTime } from '../model/time';
import type { JsonWalker } from './jsonScan';
import { grow } from '../store/grow';
import { Column } from './scanColumn';
import type { NameList } from './scanResources';

/** Column indexes, in STRING_FIELDS order (a test reads this enum's source and checks it). */
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

const FIELDS = STRING_FIELDS.length;

export class BatchBuilder {
  private readonly src: Buffer;
  private n = -1;
  private readonly columns: Column[] = [];
  private times: Float64Array;
  private eventKeys: Uint32Array;
  private hasKey: Uint8Array;
  private readonly eventIds: string[] = [];
  /** Every row's resource names, one after another (a Column whose rows are those names). */
  private readonly resourceNames: Column;
  private resourceCount = 0;
  private resourceStarts: Uint32Array;
  private rawStarts: Uint32Array;
  private rawEnds: Uint32Array;

  /** `w`: the walker over the scanned bytes (raws are ranges of them); `text(s, e)`: the string of bytes [s, e) of them; `cap`: a guess at the row count. */
  constructor(w: JsonWalker, text: (s: number, e: number) => string, cap: number) {
    this.src = w.b;
    for (let f = 0; f < FIELDS; f++) this.columns.push(new Column(cap, w, text));
    this.resourceNames = new Column(cap, w, text);
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

  /** Field `field` is bytes [s, e) of the scanned buffer (no escape in them). */
  setBytes(field: F, s: number, e: number): void {
    this.columns[field].addBytes(this.n, s, e);
  }

  /** The time is bytes [s, e): `YYYY-MM-DDTHH:MM:SSZ` is read directly, anything else by parseEventTime. */
  timeBytes(s: number, e: number, text: (s: number, e: number) => string): void {
    const b = this.src;
    if (
      e - s === 20 &&
      b[s + 4] === 0x2d &&
      b[s + 7] === 0x2d &&
      b[s + 10] === 0x54 &&
      b[s + 13] === 0x3a &&
      b[s + 16] === 0x3a &&
      b[s + 19] === 0x5a
    ) {
      const y = digits(b, s, 4);
      const mo = digits(b, s + 5, 2);
      const d = digits(b, s + 8, 2);
      const h = digits(b, s + 11, 2);
      const mi = digits(b, s + 14, 2);
      const sec = digits(b, s + 17, 2);
      if ((y | mo | d | h | mi | sec) >= 0) {
        const t = Date.UTC(y, mo - 1, d, h, mi, sec, 0);
        this.times[this.n] = Number.isFinite(t) ? t : NaN;
        return;
      }
    }
    this.time(text(s, e));
  }

  /** The eventID is bytes [s, e), unescaped. */
  eventIdBytes(s: number, e: number, text: (s: number, e: number) => string): void {
    const r = this.n;
    if (e - s === 36 && uuidKeyBytes(this.src, s, this.eventKeys, 4 * r)) {
      this.hasKey[r] = 1;
      this.eventIds.push('');
    } else this.eventId(text(s, e));
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

  /** The row's resource names. */
  resources(names: NameList): void {
    const column = this.resourceNames;
    for (let i = 0; i < names.count; i++) {
      const s = names.spans[2 * i];
      if (s >= 0) column.addBytes(this.resourceCount++, s, names.spans[2 * i + 1]);
      else column.add(this.resourceCount++, names.strings[i]);
    }
    this.resourceStarts[this.n + 1] = this.resourceCount;
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
    const values = new ValueWriter();
    this.columns.forEach((c, f) => {
      ids.set(c.ids.subarray(0, n), f * n);
      values.startList(f);
      c.writeValues(values);
    });
    values.startList(RESOURCES);
    this.resourceNames.writeValues(values);
    return {
      count: n,
      ...values.finish(),
      ids,
      resourceStarts: this.resourceStarts.slice(0, n + 1),
      resourceIds: this.resourceNames.ids.slice(0, this.resourceCount),
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

/** The number written by `count` ASCII digits at b[s…], or -1. */
function digits(b: Uint8Array, s: number, count: number): number {
  let v = 0;
  for (let i = 0; i < count; i++) {
    const d = b[s + i] - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}
