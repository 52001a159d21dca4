/**
 * Typed-array building blocks of the store: arrays that grow by doubling, and inverted indexes
 * (value id → rows) laid out as one offsets array and one rows array (CSR). A million rows cost
 * a few megabytes here, where `number[][]` cost a JS array object per distinct value.
 */

/** A Uint32Array that grows by doubling; `data` may be longer than `length`. */
export class GrowableU32 {
  data: Uint32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Uint32Array(Math.max(1, capacity));
  }
  push(v: number): void {
    if (this.length === this.data.length) this.reserve(this.length + 1);
    this.data[this.length++] = v;
  }
  /** Makes room for `total` values without further growth. */
  reserve(total: number): void {
    if (total <= this.data.length) return;
    const next = new Uint32Array(Math.max(total, this.data.length * 2));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  /** The live values (a view, not a copy). */
  view(): Uint32Array {
    return this.data.subarray(0, this.length);
  }
}

/**
 * A Float64Array that grows by doubling. Kept apart from GrowableU32 on purpose: each is pushed to
 * in the loader's per-event loop, and one class over both array kinds would make those calls
 * polymorphic (a generic over typed arrays is not free in V8's hot loops).
 */
export class GrowableF64 {
  data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) this.reserve(this.length + 1);
    this.data[this.length++] = v;
  }
  /** Makes room for `total` values without further growth. */
  reserve(total: number): void {
    if (total <= this.data.length) return;
    const next = new Float64Array(Math.max(total, this.data.length * 2));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
}

/** The rows holding each value id of one field, ascending, for the first `rowCount` rows. */
export class Postings {
  constructor(
    /** `rows` of value id v are `rows[offsets[v]] … rows[offsets[v + 1] - 1]`. */
    readonly offsets: Uint32Array,
    readonly rows: Uint32Array,
    readonly rowCount: number,
  ) {}

  /** Rows holding value `id` (a view; empty for an id the index has not seen). */
  of(id: number): Uint32Array {
    if (id + 1 >= this.offsets.length) return this.rows.subarray(0, 0);
    return this.rows.subarray(this.offsets[id], this.offsets[id + 1]);
  }

  /**
   * Builds the index of a single-valued column (`column[row]` = value id) by counting sort:
   * two passes over the column, no per-value objects. Only rows [from, rowCount) are indexed
   * (a part to `append` to an index of the rows before).
   */
  static ofColumn(column: Uint32Array, rowCount: number, valueCount: number, from = 0): Postings {
    const offsets = new Uint32Array(valueCount + 1);
    for (let r = from; r < rowCount; r++) offsets[column[r] + 1]++;
    for (let v = 0; v < valueCount; v++) offsets[v + 1] += offsets[v];
    const fill = offsets.slice(0, valueCount);
    const rows = new Uint32Array(rowCount - from);
    for (let r = from; r < rowCount; r++) rows[fill[column[r]]++] = r;
    return new Postings(offsets, rows, rowCount);
  }

  /**
   * Builds the index of a multi-valued column: row r holds `ids[starts[r]] … ids[starts[r + 1] - 1]`.
   * A value repeated within one row is listed once for it. Only rows [from, rowCount) are indexed.
   */
  static ofLists(starts: Uint32Array, ids: Uint32Array, rowCount: number, valueCount: number, from = 0): Postings {
    const offsets = new Uint32Array(valueCount + 1);
    const begin = starts[from];
    const end = starts[rowCount];
    for (let i = begin; i < end; i++) offsets[ids[i] + 1]++;
    for (let v = 0; v < valueCount; v++) offsets[v + 1] += offsets[v];
    const fill = offsets.slice(0, valueCount);
    const rows = new Uint32Array(end - begin);
    for (let r = from; r < rowCount; r++) {
      for (let i = starts[r]; i < starts[r + 1]; i++) {
        const v = ids[i];
        // Rows are visited in order, so a repeat within this row is the slot just written.
        if (fill[v] > offsets[v] && rows[fill[v] - 1] === r) continue;
        rows[fill[v]++] = r;
      }
    }
    // Repeats leave unused slots at the end of a value's range: compact them away.
    let w = 0;
    const packed = new Uint32Array(valueCount + 1);
    for (let v = 0; v < valueCount; v++) {
      for (let i = offsets[v]; i < fill[v]; i++) rows[w++] = rows[i];
      packed[v + 1] = w;
    }
    return new Postings(packed, w === end - begin ? rows : rows.slice(0, w), rowCount);
  }

  /**
   * The index of `before`'s rows followed by `after`'s (whose rows all come later), over
   * `valueCount` values: each value's rows copied in one sequential pass. Rows are only ever
   * appended to the store, so a query re-run while files stream in indexes just the new rows and
   * merges, instead of re-sorting a million rows by value for every field it touches.
   */
  static append(before: Postings, after: Postings, valueCount: number): Postings {
    const offsets = new Uint32Array(valueCount + 1);
    const rows = new Uint32Array(before.rows.length + after.rows.length);
    mergeSegments(before.offsets, before.rows, after.offsets, after.rows, valueCount, offsets, rows);
    return new Postings(offsets, rows, after.rowCount);
  }
}

/** Per value: a's rows then b's, into `offsets` and `rows` (value ids past a list's offsets hold none). */
function mergeSegments(
  aOffsets: Uint32Array,
  aRows: Uint32Array,
  bOffsets: Uint32Array,
  bRows: Uint32Array,
  valueCount: number,
  offsets: Uint32Array,
  rows: Uint32Array,
): void {
  const aValues = aOffsets.length - 1;
  const bValues = bOffsets.length - 1;
  let w = 0;
  for (let v = 0; v < valueCount; v++) {
    if (v < aValues) for (let i = aOffsets[v]; i < aOffsets[v + 1]; i++) rows[w++] = aRows[i];
    if (v < bValues) for (let i = bOffsets[v]; i < bOffsets[v + 1]; i++) rows[w++] = bRows[i];
    offsets[v + 1] = w;
  }
}
