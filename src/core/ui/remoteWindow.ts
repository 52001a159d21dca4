/**
 * The time window a remote search (Athena, CloudWatch Logs) covers, chosen before it runs: the
 * query's own after:/before:/last: when it has them, a recent preset, all time, or a custom
 * range; and the words that name it in titles and messages. The compilers intersect the window
 * with the query's time terms, so a preset never widens what the query asks.
 */
import { parseInstant as parseWhen, type ParsedQuery } from '../query/query';

/** Epoch ms, [start, end); an open side is unbounded. */
export interface TimeWindow {
  start?: number;
  end?: number;
}

export type WindowChoiceId = 'query' | '24h' | '7d' | '30d' | 'all' | 'custom';

export interface WindowChoice {
  id: WindowChoiceId;
  label: string;
  description: string;
  /** Undefined for `custom`: the user types the range. */
  window?: TimeWindow;
  /** How titles name it ("last 7 days", or the range). */
  short: string;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The range a query's time terms leave (their intersection); undefined when it has none. */
export function queryTimeRange(parsed: ParsedQuery): TimeWindow | undefined {
  let start: number | undefined;
  let end: number | undefined;
  let any = false;
  for (const t of parsed.terms) {
    if (t.kind !== 'time') continue;
    any = true;
    if (t.after !== undefined) start = start === undefined ? t.after : Math.max(start, t.after);
    if (t.before !== undefined) end = end === undefined ? t.before : Math.min(end, t.before);
  }
  return any ? { start, end } : undefined;
}

const minute = (ms: number): string =>
  new Date(ms)
    .toISOString()
    .slice(0, 16)
    .replace('T', ' ')
    .replace(/ 00:00$/, '');

/** "2024-03-01 10:00 → 2024-03-02 UTC", "since …", "until …", "all time". */
export function describeWindow(w: TimeWindow): string {
  if (w.start !== undefined && w.end !== undefined) return `${minute(w.start)} → ${minute(w.end)} UTC`;
  if (w.start !== undefined) return `since ${minute(w.start)} UTC`;
  if (w.end !== undefined) return `until ${minute(w.end)} UTC`;
  return 'all time';
}

/**
 * The choices, in the order offered: the query's own range first when it has one (then the query
 * alone decides), the presets, all time, custom. `allTimeNote` says what all time costs.
 */
export function windowChoices(parsed: ParsedQuery, now: number, allTimeNote: string): WindowChoice[] {
  const own = queryTimeRange(parsed);
  const preset = (id: WindowChoiceId, label: string, ms: number, short: string): WindowChoice => ({
    id,
    label,
    description: describeWindow({ start: now - ms, end: now }),
    window: { start: now - ms, end: now },
    short,
  });
  const out: WindowChoice[] = [];
  if (own)
    out.push({
      id: 'query',
      label: 'As the query says',
      description: describeWindow(own),
      window: {},
      short: describeWindow(own),
    });
  out.push(
    preset('24h', 'Last 24 hours', DAY, 'last 24 hours'),
    preset('7d', 'Last 7 days', 7 * DAY, 'last 7 days'),
    preset('30d', 'Last 30 days', 30 * DAY, 'last 30 days'),
  );
  out.push({
    id: 'all',
    label: 'All time',
    description: allTimeNote,
    window: {},
    short: own ? describeWindow(own) : 'all time',
  });
  out.push({ id: 'custom', label: 'Custom range…', description: 'a start and an end, UTC', short: '' });
  return out;
}

/** Why a typed start or end is refused; undefined when it is a time. */
export function whenProblem(text: string): string | undefined {
  return parseWhen(text.trim()) === undefined ? 'A date: 2024-03-01 or 2024-03-01T10:00Z' : undefined;
}

/** A custom range from typed start and end (empty end: now), or why not. */
export function customWindow(
  startText: string,
  endText: string,
  now: number,
): { window: TimeWindow; short: string } | { error: string } {
  const start = parseWhen(startText.trim());
  if (start === undefined) return { error: `"${startText}" is not a time: use 2024-03-01 or 2024-03-01T10:00Z.` };
  const end = endText.trim() ? parseWhen(endText.trim()) : now;
  if (end === undefined) return { error: `"${endText}" is not a time: use 2024-03-01 or 2024-03-01T10:00Z.` };
  if (end <= start) return { error: 'The end must come after the start.' };
  const window = { start, end };
  return { window, short: describeWindow(window) };
}

/** Longest query text a title shows. */
const TITLE_QUERY = 60;

/** A results view's title: "Athena: eventName:StopLogging (last 7 days)". */
export function resultTitle(backend: string, query: string, windowShort: string): string {
  const q = query.trim().replace(/\s+/g, ' ');
  const shown = q.length > TITLE_QUERY ? `${q.slice(0, TITLE_QUERY - 1)}…` : q || 'every event';
  return `${backend}: ${shown}${windowShort ? ` (${windowShort})` : ''}`;
}
