/**
 * A Buffer over bytes it does not own, with Node's unchecked slice decoders (`latin1Slice`,
 * `utf8Slice`: no bounds checks, no argument coercion). The scanner reads files through it and
 * the store reads batches' value bytes through it; it knows nothing of JSON or events.
 */
export interface SliceBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/** `bytes` as a Buffer, sharing their memory. */
export function sliceBuffer(bytes: Uint8Array): SliceBuffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as SliceBuffer;
}
