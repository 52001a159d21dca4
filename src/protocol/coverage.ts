/** Messages between the detection coverage webview and the extension host (types only). */
import type { Severity } from './logViewer';

/** A rule in a cell; `count` is what it flagged in the open investigation (undefined before detections ran). */
export interface CoverageRule {
  id: string;
  title: string;
  severity: Severity;
  count?: number;
}

/** One technique: its ATT&CK id and name ('' when not in the shipped table), and the rules naming it. */
export interface CoverageCell {
  technique: string;
  name: string;
  rules: CoverageRule[];
}

/** ATT&CK cloud tactics × techniques (core/investigate/coverage builds it). */
export interface CoverageMatrix {
  tactics: Array<{ id: string; name: string; attack: string; cells: CoverageCell[] }>;
  /** Technique ids rules name that the table does not hold (no guessed names). */
  other: CoverageCell[];
  attribution: string;
  /** Rules naming no technique at all. */
  unmapped: CoverageRule[];
}

/** Host → webview. */
export type ToCoverageView =
  /**
   * The matrix to show (answers `ready`). `view` names the log view whose detections gave the
   * counts; undefined when no log view is open (the matrix then shows coverage only).
   */
  { type: 'init'; matrix: CoverageMatrix; view?: string };

/** Webview → host. */
export type FromCoverageView =
  /** The page has loaded and listens. */
  | { type: 'ready' }
  /** Show these rules' events in the log view (`detection:<ids>`); ids are rule ids the page was sent. */
  | { type: 'show'; rules: string[] };
