/** Labels for the explorer's event rows, decided here so the tree nodes stay thin. */
import type { CtRecord } from './records';
import { formatUtc } from './time';
import { shorten } from './visible';

/** "just now", "5 min ago", "3 h ago", "12 days ago". */
export function relativeTime(ms: number, now: number): string {
  if (!Number.isFinite(ms)) return 'no time';
  const s = Math.round((now - ms) / 1000);
  if (s < 45) return 'just now';
  if (s < 5400) return `${Math.max(1, Math.round(s / 60))} min ago`;
  if (s < 129_600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} days ago`;
}


export interface EventRowLabel {
  label: string;
  description: string;
  tooltip: string;
  failed: boolean;
}

/** An event row: "StopLogging", "bert-jan · 5 min ago", error marked. Hidden characters revealed. */
export function eventRowLabel(rec: CtRecord, now: number): EventRowLabel {
  const failed = !!rec.errorCode;
  return {
    label: shorten(rec.eventName || '(no event name)', 80),
    description: `${shorten(rec.principal || rec.identityType || 'unknown', 60)} · ${relativeTime(rec.time, now)}${failed ? ` · ${shorten(rec.errorCode, 40)}` : ''}`,
    tooltip: [
      `${shorten(rec.eventName, 200)} (${shorten(rec.eventSource, 100)})`,
      `${formatUtc(rec.time) || rec.timeText}`,
      `${shorten(rec.principal, 200)}${rec.identityType ? ` [${rec.identityType}]` : ''}`,
      rec.sourceIp ? `from ${shorten(rec.sourceIp, 100)}` : '',
      failed ? `${shorten(rec.errorCode, 100)}: ${shorten(rec.errorMessage, 300)}` : '',
    ]
      .filter(Boolean)
      .join('\n'),
    failed,
  };
}
