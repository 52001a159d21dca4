/**
 * Messages between the event view webview and the extension host (types only; both sides import
 * this). The host validates every message from the webview (core/ui/eventViewMessages.ts).
 */
import type { ChainView, PolicyScope } from './identity';

export type { ChainHopView, ChainView, PolicyScope } from './identity';

/** Values an investigator can pivot on: "show all events with this value". */
export const PIVOT_FIELDS = ['principal', 'accessKey', 'ip', 'eventName', 'resource', 'error', 'account'] as const;
export type PivotField = (typeof PIVOT_FIELDS)[number];

export interface Pivot {
  field: PivotField;
  value: string;
  label: string;
}

export interface DetailField {
  label: string;
  value: string;
  /** This value can be pivoted on. */
  pivot?: PivotField;
  mono?: boolean;
  tone?: 'warning' | 'danger';
  title?: string;
}

export interface IdentityCard {
  /** `userIdentity.type`, or 'none'. */
  type: string;
  heading: string;
  name: string;
  /** Root is flagged loudly; Unknown identities too. */
  flag?: 'root' | 'unknown';
  fields: DetailField[];
}

export interface EventDetail {
  eventName: string;
  eventSource: string;
  time: number | null;
  timeUtc: string;
  region: string;
  account: string;
  eventId: string;
  outcome: { ok: true } | { ok: false; errorCode: string; errorMessage: string };
  /** 'read' | 'write' | '' */
  readOnly: string;
  eventType: string;
  eventCategory: string;
  /** 'management' | 'data' | 'insight' | '' */
  kind: string;
  /** `additionalEventData.MFAUsed` (console sign-ins). */
  mfaUsed: string;
  identity: IdentityCard;
  sourceIp: string;
  userAgent: string;
  /** A readable client name for the user agent. */
  client: string;
  sections: Array<{ key: string; title: string; value: unknown }>;
  resources: Array<{ arn: string; type: string; account: string }>;
  pivots: Pivot[];
  /** The whole event, for the full JSON tree. */
  event: Record<string, unknown>;
}

export type SessionBy = 'principal' | 'accessKey';

/** The activity session this event belongs to: its principal's or access key's events, unbroken by a 30-minute pause. */
export interface SessionLink {
  by: SessionBy;
  /** The principal ARN (or name when it has no ARN) or the access key, as first seen. */
  key: string;
  /** Epoch ms of the session's first and last event. */
  start: number;
  end: number;
  count: number;
  /** Events with an error code. */
  errors: number;
  /** The pause that splits sessions, in minutes (the setting). */
  gapMinutes: number;
}

/** The "From where" card's rows about the source IP ('' leaves a row out); `detail` is their hover. */
export interface IpPlace {
  place: string;
  network: string;
  aws: string;
  detail: string;
}

/** Host → webview. */
export type ToEventView =
  /** The event to show (sent after `ready`, and whenever the panel shows another event). */
  {
    type: 'show';
    detail: EventDetail;
    pivotable: PivotField[];
    sessions: SessionLink[];
    /** The credential chain behind the event (events opened from a log view). */
    chain?: ChainView;
    /** The event came from a log view still open: chain hops open, key report and policy drafts are offered. */
    linked?: boolean;
    /** Where the source IP is, from the IP data (core/enrich/ipText.ts `ipCard`). */
    ip?: IpPlace;
  };

/** Webview → host. */
export type FromEventView =
  /** The webview has loaded and can receive messages. */
  | { type: 'ready' }
  /** Show all events with this value (in the log view the event came from). */
  | { type: 'pivot'; field: PivotField; value: string }
  /** Copy text to the clipboard (a value, a JSON path, or the whole event). */
  | { type: 'copy'; text: string; what: string }
  /** Open the event as a read-only JSON document. */
  | { type: 'openJson' }
  /** Show the session (of this event's principal or access key) in the log view it came from. */
  | { type: 'session'; by: SessionBy }
  /** Open the issuing event of a chain hop (a row of the log view's store) in the event view. */
  | { type: 'openHop'; row: number }
  /** The access-key report of the shown event's key. */
  | { type: 'keyReport' }
  /** A least-privilege policy drafted from this principal's or this session's events. */
  | { type: 'policy'; scope: PolicyScope };

/** State the event webview keeps across being hidden and shown. */
export interface EventViewState {
  /** JSON paths of collapsed nodes, and of deep nodes the user opened. */
  collapsed: string[];
  expanded: string[];
  scrollTop: number;
}
