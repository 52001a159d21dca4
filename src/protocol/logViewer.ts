/**
 * Messages between the log viewer webview and the extension host. Types only: both sides import
 * this file. Every message from the webview is validated on the host before it is acted on
 * (core/ui/viewerMessages.ts).
 */

/** Table columns, in display order. */
export const COLUMNS = [
  'time',
  'eventName',
  'eventSource',
  'principal',
  'sourceIp',
  'country',
  'asn',
  'awsRegion',
  'errorCode',
] as const;
export type Column = (typeof COLUMNS)[number];
/** Columns hidden until the column menu shows them (the source IP's country and network). */
export const OPTIONAL_COLUMNS = ['country', 'asn'] as const satisfies readonly Column[];
export type OptionalColumn = (typeof OPTIONAL_COLUMNS)[number];

export type Range = [start: number, end: number];
export type SortOrder = 'relevance' | 'newest' | 'oldest';

/** One table row: a summary of one event, never the event itself. */
export interface RowSummary {
  /** Store row number: the handle for opening the event. */
  id: number;
  /** Epoch ms, or null when the event has no parseable time. */
  time: number | null;
  /** UTC time as shown (or the raw text when it is not a time). */
  timeText: string;
  eventName: string;
  eventSource: string;
  principal: string;
  /** Identity type and ARN, for the principal cell's tooltip. */
  principalDetail: string;
  sourceIp: string;
  /** Where the source IP is (core/enrich/ipText.ts): `US · United States`, `Private (RFC 1918)`, `AWS service`. */
  country: string;
  /** The source IP's network: `AS16509 Amazon.com, Inc.`, with `· AWS EC2 us-east-1` for AWS's own ranges. */
  asn: string;
  /** Everything known of the source IP and the data sets it came from, for the tooltip of both cells. */
  ipDetail: string;
  awsRegion: string;
  errorCode: string;
  errorMessage?: string;
  /** 'true' | 'false' | '' */
  readOnly: string;
  /** Where free text matched, per visible column. */
  highlights?: Partial<Record<Column, Range[]>>;
  /**
   * The best match in a field that has no column (user agent, resource, access key…), or a typo
   * match in any field, with `distance`: the edits between what was typed and the value.
   */
  otherMatch?: {
    field: string;
    value: string;
    ranges: Range[];
    distance?: number;
    /** A detection's note on the row (impossible travel: how far, how fast): `field` is the rule's id, shown in the tooltip. */
    note?: true;
  };
}

export type FileState = 'loaded' | 'failed' | 'digest' | 'empty';

/** A file worth listing: failures, digests and empty logs (loaded files are only counted). */
export interface FileNote {
  label: string;
  state: FileState;
  message: string;
}

export interface LoadStatus {
  loading: boolean;
  filesTotal: number;
  filesDone: number;
  filesFailed: number;
  digests: number;
  events: number;
  duplicates: number;
  /** Newest notes last; capped (see `notesOmitted`). */
  notes: FileNote[];
  notesOmitted: number;
  current?: string;
  cancelled?: boolean;
}

/** The result set over time: `counts[i]` events (of which `errors[i]` failed) in [start + i·bucketMs, +bucketMs). */
export interface Timeline {
  /** Epoch ms of the first bucket's start (UTC-aligned to `bucketMs`). */
  start: number;
  /** Bucket size in ms; 0 when no result has a time. */
  bucketMs: number;
  counts: number[];
  errors: number[];
  /** Results with no parseable time (not drawn). */
  noTime: number;
}

export interface FacetValue {
  value: string;
  count: number;
  /** The value was longer than the panel sends: shown cut, not offered as a filter. */
  cut?: boolean;
}

/** Top values of one field over the result set. */
export interface Facet {
  /** The query field name a click filters on (`eventName`, `ip`, …). */
  name: string;
  title: string;
  /** Distinct non-empty values in the result set. */
  distinct: number;
  /** Results with no value for this field. */
  missing: number;
  values: FacetValue[];
}

/** Detection severities, most severe first (the panel's order). */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** One detection rule's outcome over the loaded events. */
export interface DetectionSummary {
  id: string;
  title: string;
  severity: Severity;
  description: string;
  count: number;
  /** ATT&CK tactic or control family, for grouping and the tooltip. */
  tactic?: string;
  /** Where the rule came from: 'built-in' or a user rule file name. */
  source: string;
  /** The pack the rule belongs to (`SigmaHQ`): the panel lists a pack's rules apart from ours. */
  pack?: string;
  /** Why the rule could not run over these events (its count says nothing then). */
  notRun?: string;
  /** The rule file's format. */
  format: 'json' | 'sigma';
  /** MITRE ATT&CK technique ids (`T1562.008`). */
  mitre: string[];
  references: string[];
  /** The rule's queries in the search language (an event matching any one matches). */
  queries: string[];
  /** What else the rule requires beyond its queries, in words (a burst threshold, a comparison). */
  conditions: string[];
  /** Sigma metadata, shown in the rule's details where the rule has it. */
  author?: string;
  falsePositives?: string[];
  /** Sigma's level and status as the rule wrote them, and its own id (a UUID). */
  level?: string;
  status?: string;
  sigmaId?: string;
}

/** An hour in which one event name's call or error rate departed from its baseline. */
export interface AnomalySummary {
  eventName: string;
  kind: 'calls' | 'errors';
  /** Epoch ms of the hour's start. */
  hour: number;
  baseline: number;
  observed: number;
  /** The query that shows the hour's events ('' when it cannot be written exactly). */
  query: string;
}

/** Host → webview. */
export type ToWebview =
  /** First message after `ready`: what this view shows. */
  | { type: 'init'; title: string }
  /** Load progress and per-file problems. */
  | { type: 'status'; status: LoadStatus }
  /** A new result set for the current query; rows are fetched in windows by `rows`. */
  | { type: 'results'; version: number; total: number; errors: string[]; query: string; sort: SortOrder }
  /** The rows asked for by a `rows` request, for result set `version`. */
  | { type: 'rows'; version: number; start: number; rows: RowSummary[] }
  /** Replace the search box's text and run it (a pivot from the event view). */
  | { type: 'setQuery'; text: string }
  /** Timeline and top values for result set `version` (sent after its `results`). */
  | { type: 'overview'; version: number; timeline: Timeline; facets: Facet[] }
  /**
   * Detection outcomes (all rules, matched or not) and problems with user rule files. While
   * `running`, `items` are the rules run so far and `progress` says how far the run is; `stopped`
   * when the user stopped the run (the rules not run are not in `items`).
   */
  | {
      type: 'detections';
      running: boolean;
      items: DetectionSummary[];
      problems: string[];
      progress?: { done: number; total: number };
      stopped?: boolean;
    }
  /** Local insights: anomalous hours, strongest first; `note` says why there are none or some are left out. */
  | { type: 'insights'; running: boolean; items: AnomalySummary[]; note?: string };

/** Webview → host. */
export type FromWebview =
  /** The webview has loaded and can receive messages. */
  | { type: 'ready' }
  /** Run a query (empty text: every event). */
  | { type: 'query'; text: string; sort: SortOrder }
  /** Send rows [start, start+count) of result set `version`. */
  | { type: 'rows'; version: number; start: number; count: number }
  /** Show the full event with store row number `id`. */
  | { type: 'open'; id: number }
  /** Stop loading. */
  | { type: 'cancel' }
  /** Export the current result set (the host asks for format and file). */
  | { type: 'export' }
  /** Add files or folders to this investigation (the host shows a picker). */
  | { type: 'add' }
  /** Stop the detections run in progress (the results so far stay). */
  | { type: 'stopDetections' }
  /** Open the detection coverage matrix (ATT&CK tactics × techniques) for this view. */
  | { type: 'coverage' }
  /** Export a detection (by rule id) as a CloudWatch metric filter and alarm, and an EventBridge rule. */
  | { type: 'exportAlert'; id: string }
  /** Cite detection `id` in the open notebook (the host looks the rule up). */
  | { type: 'addDetectionToNotebook'; id: string }
  /** Run this query over a whole trail, in Athena or CloudWatch Logs (the host asks which trail and window). */
  | { type: 'remote'; text: string };

/** State the webview keeps across being hidden and shown (`setState`). */
export interface ViewerState {
  query: string;
  sort: SortOrder;
  scrollTop: number;
  selectedId: number | null;
  /** Whether the side panel (detections, top values, insights) is shown. */
  sidePanel: boolean;
  /** The optional columns shown (column menu). */
  columns: OptionalColumn[];
}
