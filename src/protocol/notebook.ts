/** A notebook query cell's saved output: written by the host, drawn by the notebook renderer (src/webview/notebookRenderer). */

/** One event of a saved output: what its row shows, and how to find it again. */
export interface OutputRow {
  time: string;
  eventName: string;
  eventSource: string;
  principal: string;
  sourceIp: string;
  awsRegion: string;
  errorCode: string;
}

export interface OutputFacet {
  title: string;
  values: Array<{ value: string; count: number }>;
}

/** The matching events over time: `counts[i]` events (`errors[i]` of them failed) in bucket i. */
export interface OutputTimeline {
  /** Epoch ms of the first bucket's start. */
  start: number;
  bucketMs: number;
  counts: number[];
  errors: number[];
}

/** A detection that fired on some of the matching events (the log view's rules, run once per notebook's logs). */
export interface OutputDetection {
  id: string;
  title: string;
  severity: string;
  count: number;
}

/** What a query cell's last run found. */
export interface QueryOutput {
  /** When it ran (ISO 8601, UTC). */
  ranAt: string;
  /** The query text it ran (the cell may have been edited since). */
  query: string;
  /** Matching events. */
  count: number;
  /** Events loaded from the source. */
  loaded: number;
  rows: OutputRow[];
  facets: OutputFacet[];
  /** When the matching events happened (none when no event has a time). */
  timeline?: OutputTimeline;
  /** The detections that fired on matching events, most severe first. */
  detections?: OutputDetection[];
  /** Why it could not run, or what went wrong on the way (files that could not be read). */
  problems: string[];
  /** Set when the saved output was cut to fit the size bound. */
  truncated?: boolean;
  /** The count the cell had before this run, when it differed (Run all marks the change). */
  previousCount?: number;
}
