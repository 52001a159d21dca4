/**
 * Words and files around a remote search: the refusal that names each term a back end cannot
 * express (before anything runs), the result file the log viewer opens like a local log, the
 * message for a result cut at the limit, and what a Logs Insights query scanned.
 */
import { formatBytes } from '../aws/scanEstimate';
import type { CtRecord } from '../model/records';

/** "Not run in Athena: 2 terms cannot be sent. • detection:x: …" (one line per term). */
export function refusalText(backend: string, unsupported: readonly string[]): string {
  const n = unsupported.length;
  return `Not run in ${backend}: ${n === 1 ? 'one term' : `${n} terms`} of the query cannot be sent. ${unsupported.map((u) => `• ${u}`).join(' ')} Remove ${n === 1 ? 'it' : 'them'} and run again; the rest of the query can run there.`;
}

/**
 * The refusal for a query the parser had problems with: a term it could not read is left out of
 * the search, which remotely would read more than asked (and bill for it).
 */
export function parseProblemText(backend: string, errors: readonly string[]): string {
  return `Not run in ${backend}: the query has ${errors.length === 1 ? 'a problem' : `${errors.length} problems`}, and the terms involved would be left out. ${errors.map((e) => `• ${e}`).join(' ')}`;
}

/**
 * A CloudTrail log file of the records (`{"Records":[…]}`), each event's own JSON as it came
 * back, so every local tool (timeline, detections, export…) reads it as it reads a trail's file.
 */
export function recordsFileText(records: readonly CtRecord[]): string {
  const parts: string[] = [];
  for (const r of records) {
    // `raw` is one event's JSON text; anything else would corrupt the file, so it is re-encoded.
    const t = r.raw.trim();
    parts.push(t.startsWith('{') && t.endsWith('}') ? t : JSON.stringify(t));
  }
  return `{"Records":[\n${parts.join(',\n')}\n]}\n`;
}

/** The cut message with the setting that raises the limit. */
export function cutMessage(cut: string, limit: number, setting: string): string {
  return `${cut} The limit is ${limit.toLocaleString('en-US')} (setting ${setting}).`;
}

/** "4.2 MB scanned" (Logs Insights bills per GB scanned, at its own price). */
export function describeBytes(bytes: number): string {
  return formatBytes(bytes);
}

/** A sentence for the events found: "1,204 events" or "no events". */
export function eventCount(n: number): string {
  return n === 0 ? 'no events' : `${n.toLocaleString('en-US')} event${n === 1 ? '' : 's'}`;
}

/** Result file names: the back end's query id, kept to safe characters. */
export function resultFileName(queryId: string): string {
  const id = queryId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 100) || 'query';
  return `${id}.json`;
}
