/** Messages between the integrity report webview and the extension host (types only). */
import type { IntegrityReport, Outcome } from '../core/integrity/report';

export type { Finding, FindingKind, IntegrityReport, Outcome, Verdict } from '../core/integrity/report';

/** Host → webview. */
export type ToIntegrityView =
  /** The report to show (answers `ready`, and again after a re-run). */
  | { type: 'init'; report: IntegrityReport; summary: string; outcome: Outcome }
  /** A short confirmation (the export was written). */
  | { type: 'toast'; text: string };

/** Webview → host. */
export type FromIntegrityView =
  /** The page has loaded and listens. */
  | { type: 'ready' }
  /** Save the report as JSON (the host asks where). */
  | { type: 'export' };
