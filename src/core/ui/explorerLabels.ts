/** Labels for the explorer's event rows, decided here so the tree nodes stay thin. */
import type { CtRecord } from '../model/records';
import { formatUtc, relativeTime } from '../model/time';
import { shorten } from '../model/visible';

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
