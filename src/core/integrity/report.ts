/**
 * The result of an integrity validation: every digest, log file, chain link and gap, each with a
 * verdict and a reason a person can act on, plus counts. Exported as JSON for case files.
 */

/**
 * valid: checked and intact. invalid: checked and altered (or moved). missing: should exist and
 * does not. unverifiable: could not be checked, the reason says why. notDelivered: not there
 * yet, which is normal for the last hour or two.
 */
export type Verdict = 'valid' | 'invalid' | 'missing' | 'unverifiable' | 'notDelivered';
export type FindingKind = 'digest' | 'log' | 'chain' | 'gap';

export interface Finding {
  kind: FindingKind;
  verdict: Verdict;
  /** `s3://bucket/key`, or a local path in offline validation. */
  location: string;
  account?: string;
  region?: string;
  /** ISO time the item covers (a digest's end, a log file's delivery, a gap's start). */
  time?: string;
  reason: string;
}

export type Counts = Record<Verdict, number>;

export interface IntegrityReport {
  mode: 'online' | 'offline';
  /** The trail ARN, or the folder validated. */
  source: string;
  /** The window asked for (online), or the span the digests found cover (offline). */
  window?: { start: string; end: string };
  generatedAt: string;
  counts: { digests: Counts; logs: Counts; chain: Counts; gaps: Counts };
  /** Problems first (invalid, missing, unverifiable, not delivered), then what is valid. */
  findings: Finding[];
  /** What this run could not check and why (no public keys, no signature metadata…). */
  notes: string[];
}

export const VERDICTS: readonly Verdict[] = ['invalid', 'missing', 'unverifiable', 'notDelivered', 'valid'];
const emptyCounts = (): Counts => ({ valid: 0, invalid: 0, missing: 0, unverifiable: 0, notDelivered: 0 });
const countKey: Record<FindingKind, keyof IntegrityReport['counts']> = {
  digest: 'digests',
  log: 'logs',
  chain: 'chain',
  gap: 'gaps',
};

/** Builds the report from findings: counts, and problems sorted first (then by time). */
export function buildReport(
  mode: IntegrityReport['mode'],
  source: string,
  findings: Finding[],
  notes: string[],
  window: IntegrityReport['window'],
  now: number,
): IntegrityReport {
  const counts = { digests: emptyCounts(), logs: emptyCounts(), chain: emptyCounts(), gaps: emptyCounts() };
  for (const f of findings) counts[countKey[f.kind]][f.verdict]++;
  const rank = (f: Finding): number => VERDICTS.indexOf(f.verdict);
  const sorted = [...findings].sort(
    (a, b) => rank(a) - rank(b) || (a.time ?? '').localeCompare(b.time ?? '') || a.location.localeCompare(b.location),
  );
  return {
    mode,
    source,
    window,
    generatedAt: new Date(now).toISOString(),
    counts,
    findings: sorted,
    notes: [...new Set(notes)],
  };
}

/**
 * The verdict for the heading: problems when anything is altered or missing; not verified when
 * nothing is, but no digest's signature could be verified (so no hash was proven); else intact.
 */
export type Outcome = 'intact' | 'problems' | 'notVerified';

/** The report's overall outcome (see {@link Outcome}). */
export function outcome(r: IntegrityReport): Outcome {
  if (!Object.values(r.counts).every((c) => c.invalid === 0 && c.missing === 0)) return 'problems';
  return r.counts.digests.valid > 0 ? 'intact' : 'notVerified';
}

/** True when nothing was found altered or missing and at least one digest's signature verified. */
export function isIntact(r: IntegrityReport): boolean {
  return outcome(r) === 'intact';
}

/** One line: "INTACT — 24/24 digests, 310/310 log files valid" or what is wrong. */
export function summaryLine(r: IntegrityReport): string {
  const c = r.counts;
  const total = (x: Counts): number => x.valid + x.invalid + x.missing + x.unverifiable + x.notDelivered;
  const parts = [
    `${c.digests.valid}/${total(c.digests)} digests valid`,
    `${c.logs.valid}/${total(c.logs)} log files valid`,
  ];
  const bad = [
    c.digests.invalid + c.chain.invalid && `${c.digests.invalid + c.chain.invalid} digest or chain problem(s)`,
    c.logs.invalid && `${c.logs.invalid} log file(s) modified`,
    c.logs.missing + c.digests.missing && `${c.logs.missing + c.digests.missing} file(s) missing`,
    c.gaps.missing && `${c.gaps.missing} gap(s)`,
    c.digests.unverifiable + c.logs.unverifiable && `${c.digests.unverifiable + c.logs.unverifiable} not verifiable`,
  ].filter(Boolean);
  const head = { intact: 'INTACT', problems: 'PROBLEMS FOUND', notVerified: 'NOT VERIFIED' }[outcome(r)];
  return `${head}: ${parts.join(', ')}${bad.length ? `; ${bad.join(', ')}` : ''}.`;
}

/** The report as pretty JSON, with a format marker so later versions can read old files. */
export function reportToJson(r: IntegrityReport): string {
  return JSON.stringify({ format: 'cloudtrail-lens.integrity-report/1', summary: summaryLine(r), ...r }, null, 2);
}
