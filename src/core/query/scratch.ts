/**
 * Arrays of one slot per row, kept between queries and handed back clean (all 0, all Infinity):
 * allocating megabytes per query made V8 run full collections of the whole heap mid-query. Shared by
 * the query planner (plan.ts) and the result order (order.ts).
 */
export const scratch = {
  seenArray: new Uint8Array(0),
  scoresArray: new Float32Array(0),
  /** Not clean: the caller writes every slot it reads. */
  scores(n: number): Float32Array {
    if (this.scoresArray.length < n) this.scoresArray = new Float32Array(Math.max(n, this.scoresArray.length * 2));
    return this.scoresArray;
  },
  marksArray: new Uint8Array(0),
  marks(n: number): Uint8Array {
    if (this.marksArray.length < n) this.marksArray = new Uint8Array(Math.max(n, this.marksArray.length * 2));
    return this.marksArray;
  },
  seen(n: number): Uint8Array {
    if (this.seenArray.length < n) this.seenArray = new Uint8Array(Math.max(n, this.seenArray.length * 2));
    return this.seenArray;
  },
};
