/**
 * Event times as CloudTrail and its exporters write them: ISO 8601 with `Z`
 * (`2023-07-10T11:42:18Z`), Event-history exports with a space and an offset
 * (`2022-02-08 09:23:37+11:00`), and zone-less times with nanoseconds
 * (`2026-01-11 22:54:56.000000000`), which are taken as UTC.
 */
const ISO_LIKE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Parses an event time to epoch milliseconds; NaN when it is not a time. */
export function parseEventTime(text: string): number {
  if (!text) return NaN;
  const m = ISO_LIKE.exec(text.trim());
  if (!m) {
    const t = Date.parse(text);
    return Number.isFinite(t) ? t : NaN;
  }
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  let t = Date.UTC(+y, +mo - 1, +d, +h, +mi, s ? +s : 0, ms);
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0');
    t -= sign * offset * 60_000;
  }
  return Number.isFinite(t) ? t : NaN;
}

/** `2023-07-10 11:42:18Z` — UTC, to the second, the way the table shows times. */
export function formatUtc(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** "just now", "5 min ago", "3 h ago", "12 days ago". */
export function relativeTime(ms: number, now: number): string {
  if (!Number.isFinite(ms)) return 'no time';
  const s = Math.round((now - ms) / 1000);
  if (s < 45) return 'just now';
  if (s < 5400) return `${Math.max(1, Math.round(s / 60))} min ago`;
  if (s < 129_600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} days ago`;
}
