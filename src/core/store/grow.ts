/** Growing the typed arrays the store and its readers keep (columns, tables, chains). */

/** A copy of `a` at least `size` long (and at least twice as long), the rest zero. */
export function grow<T extends Uint32Array | Int32Array | Float64Array | Uint8Array>(a: T, size: number): T {
  const bigger = new (a.constructor as new (n: number) => T)(Math.max(size, a.length * 2));
  bigger.set(a);
  return bigger;
}
