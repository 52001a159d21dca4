/**
 * Messages between the extension host and a log view's store worker (storeWorker.ts), which owns
 * the events of one investigation: the store, its indexes, the current result set, detections.
 * The host keeps only what it shows (summaries); each exchange is one request and one answer,
 * matched by id, plus progress events for long requests. Types only, shared by both sides.
 */
import type { DetectionRule } from '../investigate/detections/rules';
import type { IpDataPaths } from '../enrich/loadSources';
import type { LoadResult } from '../ingest/decode';
import type { ExportFormat } from '../investigate/export';
import type { SessionBy, SessionLink } from '../../protocol/eventView';
import type { ChainView, PolicyScope } from '../../protocol/identity';
import type { IdentityGraph } from '../investigate/identity/graph';
import type { KeyReport } from '../investigate/identity/keyReport';
import type { PolicyDraft } from '../investigate/identity/policy';
import type {
  AnomalySummary,
  DetectionSummary,
  Facet,
  LoadStatus,
  RowSummary,
  Severity,
  SortOrder,
  Timeline,
} from '../../protocol/logViewer';

/** A detection that fired on some events of a result set, and on how many. */
export interface FiredDetection {
  id: string;
  title: string;
  severity: Severity;
  count: number;
}

/** Every request the store worker answers: what it takes, and what it answers with. */
export interface StoreCalls {
  /** One decoded file (a batch's buffers are transferred); answers the events it added. */
  addFile: { args: { label: string; result: LoadResult }; value: number };
  /** A problem that is not a file's decode result (an unreadable folder). */
  addProblem: { args: { label: string; reason: string }; value: void };
  /** The host's side of a load: started or ended, files queued, the file being read. */
  setLoad: {
    args: { loading?: boolean; cancelled?: boolean; current?: string | null; addTotal?: number };
    value: void;
  };
  status: { args: Record<string, never>; value: LoadStatus };
  /**
   * The user's IP data files (their own MMDB, a refreshed ip-ranges.json), beside the shipped ones:
   * addresses are looked up again from here on, the data sets opened on first use (a broken
   * file's reason is in the hovers; the host warns of it).
   */
  setIpData: { args: IpDataPaths; value: void };
  /** Runs (or reuses) a query; `undefined` when a newer query arrived first and replaced it. */
  query: { args: { text: string; sort: SortOrder }; value: QueryAnswer | undefined };
  /** Rows of result set `version`; `undefined` when that set is no longer current. */
  rows: { args: { version: number; start: number; count: number }; value: RowSummary[] | undefined };
  /** The timeline and top values of result set `version`; `undefined` when it is not current. */
  overview: { args: { version: number }; value: { timeline: Timeline; facets: Facet[] } | undefined };
  /** One event to show: its raw JSON, the sessions it belongs to, and the credential chain behind it. */
  open: { args: { row: number; gapMs: number }; value: OpenedEvent | undefined };
  /** The query that selects a row's session exactly, if the language can. */
  sessionQuery: { args: { row: number; by: SessionBy; gapMs: number }; value: string | undefined };
  /**
   * Runs the detection rules; their matches become `detection:<id>` row sets. First the chain
   * row sets, `origin:<who>` and `issuedBy:<key>` (rules may use them). Cancellable; its progress
   * events carry each batch's summaries (`DetectionsPartial`), so the first results show early.
   */
  detections: {
    args: { rules: DetectionRule[] };
    value: { items: DetectionSummary[]; problems: string[]; ms: number };
  };
  /**
   * The detections (of the last `detections` run) that fired on events of result set `version`,
   * most severe first; `undefined` when that set is no longer current.
   */
  detectionCounts: { args: { version: number }; value: FiredDetection[] | undefined };
  /** Hours departing from each API's baseline. Cancellable. */
  insights: {
    args: { minHours: number };
    value: { items: AnomalySummary[]; note?: string; total: number; hours: number; ms: number };
  };
  /** Writes the result set of `query` to `path` (atomically); answers the bytes written. Cancellable, with progress. */
  export: {
    args: { query: { text: string; sort: SortOrder }; path: string; format: ExportFormat; columns?: string[] };
    value: { events: number; bytes: number };
  };
  /** Builds every field's indexes, a field at a time, so the first keystrokes after a load need not. Cancellable. */
  warm: { args: Record<string, never>; value: { ms: number } };
  /** The worker's own memory (its heap is not the extension host's). */
  memory: {
    args: Record<string, never>;
    value: { heapUsed: number; external: number; rawBytes: number; events: number };
  };
  /** Who became whom over every loaded event (the identity graph view). */
  identityGraph: { args: { maxNodes?: number }; value: { graph: IdentityGraph; events: number; ms: number } };
  /** Everything the events say about one access key (exact id). */
  keyReport: { args: { key: string }; value: KeyReport };
  /** A least-privilege policy drafted from some events; `scope` answers which, in words. */
  draftPolicy: { args: { of: PolicyOf }; value: PolicyDraft & { scope: string } };
  /** Stops request `target` (detections, insights, export): it fails with `aborted`. */
  cancel: { args: { target: number }; value: void };
}

export type StoreOp = keyof StoreCalls;

export interface OpenedEvent {
  raw: string;
  sessions: SessionLink[];
  /** Undefined when the chain could not be worked out (never for a stored row, in practice). */
  chain?: ChainView;
}

/** The events a policy is drafted from: a query's results, or a row's principal or session. */
export type PolicyOf =
  | { kind: 'query'; text: string; sort: SortOrder }
  | { kind: PolicyScope; row: number; gapMs: number };

/** A detections run's latest batch: its rules' summaries and problems, sent as they finish. */
export interface DetectionsPartial {
  items: DetectionSummary[];
  problems: string[];
}

/** A long request's progress: `done` of `total` steps, with a detections run's latest batch. */
export interface Progress {
  done: number;
  total: number;
  detections?: DetectionsPartial;
}

export interface QueryAnswer {
  version: number;
  total: number;
  errors: string[];
}

/** Host → worker. */
export type StoreRequest = { [K in StoreOp]: { id: number; op: K } & StoreCalls[K]['args'] }[StoreOp];

/** Worker → host: the answer to request `id`, or a progress event of a long request. */
export type StoreReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: string; aborted?: boolean }
  | { id: number; progress: Progress };
