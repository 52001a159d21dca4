/**
 * The fast path for S3 log files `{"Records":[…]}` as CloudTrail writes them (compact JSON): one
 * walk over the decompressed bytes straight into an EventBatch, building only the values the
 * columns need. Raws are each record's own bytes. Anything else — another shape, whitespace,
 * invalid JSON, a record that is not a plain event — returns undefined, and the caller decodes the
 * file with JSON.parse as before (so errors and warnings are exactly the slow path's).
 */
import { isAscii, isUtf8 } from 'node:buffer';
import type { EventBatch } from '../store/batch';
import { isObject } from '../model/json';
import { JsonWalker, NOT_SCANNED, sameBytes } from './jsonScan';
import { type SliceBuffer, sliceBuffer } from '../store/sliceBuffer';
import { type PrincipalInfo, describePrincipal } from '../model/principal';
import { resourcesOf } from '../model/records';
import { BatchBuilder, F } from './scanBatch';
import { PARSE_INSTEAD, readCommonIdentity, readIdentity, Span } from './scanFields';
import { K, TOP_KEYS } from './scanKeys';
import { NameList, ParamsReader, readResourceList } from './scanResources';

/** Value kinds of a scalar field. */
const enum V {
  Absent,
  String,
  Escaped,
  Number,
  True,
  False,
  Other,
}

const NO_PRINCIPAL = describePrincipal(undefined);
/** How many recent userIdentity values are compared before one is read. */
const RECENT = 4;
/** Keys in one record beyond which the file is left to JSON.parse. */
const MAX_KEYS = 4096;
const RECORDS_PREFIX = Buffer.from('{"Records":[', 'latin1');

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

export type RawMode = 'source' | 'utf8' | 'strings';

/** The outcome of scanning: a batch (source/utf8) or the raws alone (strings). */
export type ScanOutcome = { batch: EventBatch; raws?: undefined } | { batch?: undefined; raws: string[] };

/**
 * Scans decompressed bytes; undefined when the file needs the JSON.parse path. `mode` says how
 * raws are kept: `source` (the batch points at `source`, the file's gzip bytes), `utf8` (record
 * bytes copied into the batch's own buffer) or `strings` (only the raws, for rereadRaws).
 */
export function scanLogFile(data: Uint8Array, mode: RawMode, source?: Uint8Array): ScanOutcome | undefined {
  // The walker reads 4-byte words: a buffer that does not start on a word boundary is copied first.
  const aligned = (data.byteOffset & 3) === 0 ? data : new Uint8Array(data);
  const buf = sliceBuffer(aligned);
  const n = buf.length;
  if (n < RECORDS_PREFIX.length + 3) return undefined;
  for (let i = 0; i < RECORDS_PREFIX.length; i++) if (buf[i] !== RECORDS_PREFIX[i]) return undefined;
  let last = n - 1;
  while (last > 0 && isWhitespace(buf[last])) last--;
  if (buf[last] !== 0x7d || buf[last - 1] !== 0x5d || buf[RECORDS_PREFIX.length] !== 0x7b) return undefined;
  const ascii = isAscii(buf);
  if (!ascii && !isUtf8(buf)) return undefined;
  const walker = new JsonWalker(buf, !ascii);
  try {
    return new RecordScanner(walker, mode).run(RECORDS_PREFIX.length, last - 1, source);
  } catch (e) {
    if (e === NOT_SCANNED || e instanceof SyntaxError) return undefined;
    throw e;
  }
}

class RecordScanner {
  private readonly w: JsonWalker;
  private readonly b: SliceBuffer;
  private readonly mode: RawMode;
  private readonly out: BatchBuilder | undefined;
  private readonly raws: string[] = [];
  /** The keys of the records read so far, by position in their record: where one was (its quotes) and its id. */
  private readonly keyStarts = new Int32Array(MAX_KEYS);
  private readonly keyEnds = new Int32Array(MAX_KEYS);
  private readonly keyIds = new Int32Array(MAX_KEYS);
  private keyCount = 0;
  private readonly params: ParamsReader;
  private readonly textOf: (start: number, end: number) => string;
  /** The record's principal, resource names and request-parameter names (read in place). */
  private who: PrincipalInfo = NO_PRINCIPAL;
  private readonly resourceNames: NameList;
  private readonly paramNames: NameList;
  /** The last few userIdentity values read (start and end of each) and their principals: a caller's events cluster. */
  private readonly recentUi = new Int32Array(2 * RECENT);
  private readonly recentWho: PrincipalInfo[] = new Array<PrincipalInfo>(RECENT).fill(NO_PRINCIPAL);
  /** Per recent identity, where its values are plain bytes (scanFields Span), and a view of each one's spans. */
  private readonly recentSpans = new Int32Array(Span.Count * RECENT).fill(-1);
  private readonly spanViews = Array.from({ length: RECENT }, (_, k) =>
    this.recentSpans.subarray(Span.Count * k, Span.Count * (k + 1)),
  );
  /** readCommonIdentity's scratch: spans of the fields it reads. */
  private readonly identitySpans = new Int32Array(16);
  /** The record's identity among the recent ones, or -1 (none, or not an object). */
  private whoSlot = -1;
  private recentNext = 0;
  /** Per key id: the value's start, end (after it) and kind, for the record being read. */
  private readonly starts = new Int32Array(K.Count);
  private readonly ends = new Int32Array(K.Count);
  private readonly kinds = new Uint8Array(K.Count);

  constructor(w: JsonWalker, mode: RawMode) {
    this.w = w;
    this.b = w.b;
    this.mode = mode;
    this.params = new ParamsReader(w);
    this.resourceNames = new NameList(w);
    this.paramNames = new NameList(w);
    this.textOf = (start, end) => w.text(start, end);
    this.out = mode === 'strings' ? undefined : new BatchBuilder(w, this.textOf, Math.max(16, (w.b.length / 1000) | 0));
  }

  /** Records from `p` (the first '{') to `close` (the array's ']', followed only by '}'). */
  run(p: number, close: number, source: Uint8Array | undefined): ScanOutcome {
    const b = this.b;
    for (;;) {
      if (b[p] !== 0x7b) throw NOT_SCANNED;
      const end = this.record(p);
      if (this.out) this.out.raw(p, end);
      else this.raws.push(this.w.text(p, end));
      p = end;
      if (b[p] === 0x2c) p++;
      else if (p === close) break;
      else throw NOT_SCANNED;
    }
    return this.out ? { batch: this.out.finish(this.mode === 'source' ? source : undefined) } : { raws: this.raws };
  }

  /** One record from its '{': returns the index after its '}'. */
  private record(p: number): number {
    const w = this.w;
    const b = this.b;
    const kinds = this.kinds;
    kinds.fill(V.Absent);
    this.who = NO_PRINCIPAL;
    this.whoSlot = -1;
    this.resourceNames.clear();
    this.paramNames.clear();
    p++;
    if (b[p] === 0x7d) return this.emit(p + 1);
    for (let k = 0; ; k++) {
      if (b[p] !== 0x22) throw NOT_SCANNED;
      const q = this.keyEnd(p, k);
      if (b[q + 1] !== 0x3a) throw NOT_SCANNED;
      const id = this.keyIds[k];
      p = q + 2;
      if (id < 0) p = w.valueEnd(p);
      else if (id === K.Refuse) throw NOT_SCANNED;
      // Only raws wanted (rereadRaws): the same walk, validating, without reading the fields.
      else if (this.out === undefined) p = w.valueEnd(p);
      else if (id === K.UserIdentity) p = this.identity(p);
      else if (id === K.Resources) p = this.resourceList(p);
      else if (id === K.RequestParameters) p = this.requestParameters(p);
      else {
        const c = b[p];
        let end: number;
        let kind: V;
        if (c === 0x22) {
          end = w.stringEnd(p) + 1;
          kind = w.escaped ? V.Escaped : V.String;
        } else {
          end = w.valueEnd(p);
          kind =
            c === 0x74 ? V.True : c === 0x66 ? V.False : c === 0x2d || (c >= 0x30 && c <= 0x39) ? V.Number : V.Other;
        }
        // A repeated key: the last one wins, as with JSON.parse.
        this.starts[id] = p;
        this.ends[id] = end;
        kinds[id] = kind;
        p = end;
      }
      const c = b[p];
      if (c === 0x2c) p++;
      else if (c === 0x7d) return this.emit(p + 1);
      else throw NOT_SCANNED;
    }
  }

  /** Column `f` gets `str()` of key `id`'s value (from its bytes when it is a plain string). */
  private field(f: F, id: K): void {
    if (this.kinds[id] === V.String) this.out!.setBytes(f, this.starts[id] + 1, this.ends[id] - 1);
    else this.out!.set(f, this.str(id));
  }

  /**
   * Key `k` of the record starts at p (a quote): returns its closing quote and sets keyIds[k]. A
   * writer puts keys in the same order record after record, so key k is first compared with key k
   * of the record before (bytes of this same buffer, quotes included, known to hold no escape).
   */
  private keyEnd(p: number, k: number): number {
    const b = this.b;
    if (k < this.keyCount) {
      const ps = this.keyStarts[k];
      const len = this.keyEnds[k] - ps;
      if (b[p + len] === 0x22 && sameBytes(this.w.dv, b, p + 1, ps + 1, len - 1)) return p + len;
    } else if (k >= this.keyStarts.length) throw NOT_SCANNED; // thousands of keys: not a CloudTrail event
    const q = this.w.stringEnd(p);
    // An escaped key could spell a wanted one: leave such records to JSON.parse.
    if (this.w.escaped) throw NOT_SCANNED;
    this.keyStarts[k] = p;
    this.keyEnds[k] = q;
    this.keyIds[k] = TOP_KEYS.find(b, p + 1, q - p - 1);
    if (k >= this.keyCount) this.keyCount = k + 1;
    return q;
  }

  /** `str()` of field `id`'s value, as normalizeEvent reads it. */
  private str(id: K): string {
    switch (this.kinds[id]) {
      case V.String:
        return this.w.text(this.starts[id] + 1, this.ends[id] - 1);
      case V.Escaped:
        return JSON.parse(this.w.text(this.starts[id], this.ends[id])) as string;
      case V.Number:
        return String(Number(this.w.text(this.starts[id], this.ends[id])));
      case V.True:
        return 'true';
      case V.False:
        return 'false';
      default:
        return '';
    }
  }

  /** userIdentity's value at p: sets `who`, returns the index after the value. */
  private identity(p: number): number {
    const b = this.b;
    if (b[p] !== 0x7b) {
      this.who = NO_PRINCIPAL;
      this.whoSlot = -1;
      return this.w.valueEnd(p);
    }
    // The same bytes as one of the last few identities: its principal, without reading it again.
    const recent = this.recentUi;
    for (let k = 0; k < RECENT; k++) {
      const start = recent[2 * k];
      const len = recent[2 * k + 1] - start;
      const next = b[p + len];
      if (len > 0 && (next === 0x2c || next === 0x7d) && sameBytes(this.w.dv, b, start, p, len)) {
        this.who = this.recentWho[k];
        this.whoSlot = k;
        return p + len;
      }
    }
    const k = this.recentNext;
    const spans = this.spanViews[k];
    spans.fill(-1);
    let end: number;
    let who: PrincipalInfo;
    const common = readCommonIdentity(this.w, p, spans, this.identitySpans);
    if (common) ({ end, who } = common);
    else {
      let ui: Record<string, unknown> | undefined;
      try {
        ({ end, ui } = readIdentity(this.w, p, spans));
      } catch (e) {
        if (e !== PARSE_INSTEAD) throw e;
        spans.fill(-1);
        end = this.w.valueEnd(p);
        const parsed = JSON.parse(this.w.text(p, end)) as unknown;
        ui = isObject(parsed) ? parsed : undefined;
      }
      who = describePrincipal(ui);
    }
    this.recentNext = (k + 1) % RECENT;
    this.whoSlot = k;
    this.who = this.recentWho[k] = who;
    recent[2 * k] = p;
    recent[2 * k + 1] = end;
    return end;
  }

  /** resources' value at p: sets `resourceNames`. */
  private resourceList(p: number): number {
    const names = this.resourceNames;
    names.clear();
    try {
      return readResourceList(this.w, p, names);
    } catch (e) {
      if (e !== PARSE_INSTEAD) throw e;
      const end = this.w.valueEnd(p);
      names.clear();
      for (const v of resourcesOf(JSON.parse(this.w.text(p, end)), undefined)) names.addString(v);
      return end;
    }
  }

  /** requestParameters' value at p: sets `paramNames`. */
  private requestParameters(p: number): number {
    const names = this.paramNames;
    names.clear();
    try {
      return this.params.read(p, names);
    } catch (e) {
      if (e !== PARSE_INSTEAD) throw e;
      const end = this.w.valueEnd(p);
      names.clear();
      for (const v of resourcesOf(undefined, JSON.parse(this.w.text(p, end)))) names.addString(v);
      return end;
    }
  }

  /** Adds the record just read to the batch; returns `end`. */
  private emit(end: number): number {
    const out = this.out;
    if (out === undefined) return end;
    const who = this.who;
    out.row();
    this.field(F.eventName, K.EventName);
    this.field(F.eventSource, K.EventSource);
    this.field(F.awsRegion, K.AwsRegion);
    this.field(F.sourceIp, K.SourceIp);
    this.field(F.userAgent, K.UserAgent);
    this.field(F.errorCode, K.ErrorCode);
    this.field(F.eventType, K.EventType);
    this.field(F.eventCategory, K.EventCategory);
    // The identity's values by their bytes where they were plain strings (see Span).
    const at = Span.Count * this.whoSlot;
    const spans = this.recentSpans;
    if (
      this.kinds[K.RecipientAccountId] === V.String &&
      this.ends[K.RecipientAccountId] - this.starts[K.RecipientAccountId] > 2
    )
      this.field(F.account, K.RecipientAccountId);
    else {
      const account = this.str(K.RecipientAccountId);
      if (account || at < 0 || spans[at + Span.AccountStart] < 0) out.set(F.account, account || who.account);
      else out.setBytes(F.account, spans[at + Span.AccountStart], spans[at + Span.AccountEnd]);
    }
    out.set(F.identityType, who.type);
    if (at >= 0 && spans[at + Span.NameStart] >= 0)
      out.setBytes(F.principal, spans[at + Span.NameStart], spans[at + Span.NameEnd]);
    else out.set(F.principal, who.name);
    if (at >= 0 && spans[at + Span.ArnStart] >= 0)
      out.setBytes(F.principalArn, spans[at + Span.ArnStart], spans[at + Span.ArnEnd]);
    else out.set(F.principalArn, who.arn);
    if (at >= 0 && spans[at + Span.KeyStart] >= 0)
      out.setBytes(F.accessKeyId, spans[at + Span.KeyStart], spans[at + Span.KeyEnd]);
    else out.set(F.accessKeyId, who.accessKeyId);
    const ro = this.kinds[K.ReadOnly];
    out.set(
      F.readOnly,
      ro === V.True
        ? 'true'
        : ro === V.False
          ? 'false'
          : ro === V.String || ro === V.Escaped
            ? readOnlyText(this.str(K.ReadOnly))
            : '',
    );
    this.field(F.errorMessage, K.ErrorMessage);
    if (this.kinds[K.EventTime] === V.String && this.ends[K.EventTime] - this.starts[K.EventTime] > 2)
      out.timeBytes(this.starts[K.EventTime] + 1, this.ends[K.EventTime] - 1, this.textOf);
    else out.time(this.str(K.EventTime) || this.str(K.Timestamp));
    if (this.kinds[K.EventId] === V.String)
      out.eventIdBytes(this.starts[K.EventId] + 1, this.ends[K.EventId] - 1, this.textOf);
    else out.eventId(this.str(K.EventId));
    // collectResources' result: the `resources` names first, then new parameter names, at most 16.
    this.resourceNames.addAll(this.paramNames);
    out.resources(this.resourceNames);
    return end;
  }
}

function readOnlyText(s: string): string {
  return s === 'true' || s === 'false' ? s : '';
}
