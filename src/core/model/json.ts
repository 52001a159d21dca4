/** Safe readers for JSON parsed from untrusted files. */

/** Reads a field as a string whatever an attacker put there: objects and arrays read as ''. */
export function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return '';
}

/** A plain JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `text` parsed, when it is a JSON object; undefined for anything else (invalid JSON included). */
export function parseObject(text: string): Record<string, unknown> | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  return isObject(v) ? v : undefined;
}
