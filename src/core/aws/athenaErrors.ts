/**
 * Athena and Glue failures as what to do (the Athena search's error message), and the cost of
 * what a query scanned. Athena's price: $5.00 per TB scanned, each query rounded up to the next
 * megabyte with a 10 MB minimum (aws.amazon.com/athena/pricing; DDL and failed queries are free).
 */
import type { ExplainedError } from './awsErrors';

/** USD per TB (2^40 bytes, as AWS bills) scanned. */
export const ATHENA_USD_PER_TB = 5;
const MB = 1024 * 1024;
const TB = 1024 ** 4;
/** The least a query is billed for. */
export const ATHENA_MIN_BYTES = 10 * MB;

/** What a query scanning `bytes` costs (a DDL statement or a failed query: nothing). */
export function athenaCostUsd(bytes: number, billed = true): number {
  if (!billed) return 0;
  const rounded = Math.max(ATHENA_MIN_BYTES, Math.ceil(Math.max(0, bytes) / MB) * MB);
  return (rounded / TB) * ATHENA_USD_PER_TB;
}

/** "12.4 MB scanned (about $0.00006)". */
export function describeScan(bytes: number, billed = true): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  const size = u === 0 ? `${bytes} bytes` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
  const cost = athenaCostUsd(bytes, billed);
  return `${size} scanned (about $${cost < 0.01 ? cost.toPrecision(2) : cost.toFixed(2)})`;
}

/** Why a query ended other than with results (the SDK adapter raises these). */
export type AthenaQueryEnd = 'failed' | 'cancelled' | 'timeout';

/** Where the query was headed, to name things in messages. */
export interface AthenaErrorContext {
  workGroup: string;
  database: string;
  table?: string;
  /** The trail's bucket and prefix, `s3://bucket/prefix/`. */
  logsLocation?: string;
  outputLocation?: string;
  region: string;
  /** The API call that failed, for naming the permission when AWS's message does not. */
  operation?: string;
  timeoutSeconds?: number;
  /** Bytes scanned before a cancel or timeout. */
  scannedBytes?: number;
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  kind?: unknown;
  reason?: unknown;
  $metadata?: { httpStatusCode?: number };
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The permission an AccessDenied names (`… not authorized to perform: glue:GetTable on …`). */
function namedPermission(message: string): string | undefined {
  return /perform:?\s+([a-z0-9-]+:[A-Za-z0-9*]+)/i.exec(message)?.[1];
}

/** An Athena search failure, explained. */
export function explainAthenaError(err: unknown, ctx: AthenaErrorContext): ExplainedError {
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as ErrorLike;
  const name = text(e.name);
  const kind = text(e.kind);
  const message = text(e.reason) || text(e.message);
  const table = ctx.table ? `${ctx.database}.${ctx.table}` : `a table in ${ctx.database}`;
  const logs = ctx.logsLocation ?? "the trail's bucket";
  const scanned = ctx.scannedBytes !== undefined ? ` It had ${describeScan(ctx.scannedBytes)}.` : '';

  if (kind === 'cancelled')
    return { title: 'Query cancelled', detail: `Athena stopped it (StopQueryExecution).${scanned}` };
  if (kind === 'timeout') {
    return {
      title: 'Query timed out',
      detail: `The Athena query ran longer than ${ctx.timeoutSeconds ?? '?'} s and was stopped.${scanned} Narrow the time range (after:, before:, last:) or add a field term, then try again.`,
      action: 'retry',
    };
  }
  if (
    /output location|OutputLocation|result configuration/i.test(message) &&
    /no |not |required|missing/i.test(message)
  ) {
    return {
      title: 'No query result location',
      detail: `The workgroup "${ctx.workGroup}" has no query result location, and Athena needs one. Set it in the Athena console (Workgroups → ${ctx.workGroup} → Edit → Query result configuration), turn on Athena's managed query results there (then no bucket is needed), or choose a workgroup that has either.`,
    };
  }
  if (/Access denied when writing (the )?output|writing output to url|PutObject/i.test(message)) {
    return {
      title: 'Cannot write query results',
      detail: `Athena could not write results to ${ctx.outputLocation ?? 'the result location'}: the profile needs s3:PutObject (and s3:GetObject, s3:GetBucketLocation) there. Athena said: ${message}`,
    };
  }
  if (
    /TABLE_NOT_FOUND|EntityNotFound|Table .* (does not exist|not found)|MetadataException.*not found/i.test(
      `${name} ${message}`,
    )
  ) {
    return {
      title: 'Table not found',
      detail: `The table ${table} does not exist. Set up the Athena table for this trail first, or choose the database that holds it. Athena said: ${message}`,
    };
  }
  if (/SCHEMA_NOT_FOUND|Database .* (does not exist|not found)/i.test(message)) {
    return {
      title: 'Database not found',
      detail: `The database ${ctx.database} does not exist in the data catalog. Create it (CREATE DATABASE ${ctx.database}) or choose another. Athena said: ${message}`,
    };
  }
  const permission = namedPermission(message);
  if (/glue:/i.test(message) || (permission && permission.startsWith('glue:'))) {
    return {
      title: 'Access denied (Glue)',
      detail: `The profile may not read the table's definition: it needs ${permission ?? 'glue:GetTable, glue:GetDatabase and glue:GetPartitions'} on the Glue catalog, database ${ctx.database}${ctx.table ? ` and table ${ctx.table}` : ''}. AWS said: ${message}`,
    };
  }
  if (
    /Access Denied \(Service: Amazon S3|Permission denied on S3 path|S3 Access Denied|HIVE_CANNOT_OPEN_SPLIT.*Access Denied|s3:GetObject|s3:ListBucket/i.test(
      message,
    )
  ) {
    return {
      title: 'Access denied (S3)',
      detail: `Athena could not read the log files: the profile needs s3:GetObject and s3:ListBucket on ${logs} (and kms:Decrypt if the trail encrypts with KMS). Athena said: ${message}`,
    };
  }
  if (
    /AccessDenied|not authorized|UnauthorizedOperation/i.test(`${name} ${message}`) ||
    e.$metadata?.httpStatusCode === 403
  ) {
    const needed =
      permission ??
      (ctx.operation
        ? `athena:${ctx.operation}`
        : 'athena:StartQueryExecution, athena:GetQueryExecution and athena:GetQueryResults');
    return {
      title: 'Access denied (Athena)',
      detail: `The profile may not run Athena queries in ${ctx.region} (workgroup "${ctx.workGroup}"): it needs ${needed}. AWS said: ${message || name}`,
    };
  }
  if (/Throttl|TooManyRequests|Rate exceeded/i.test(`${name} ${message}`)) {
    return {
      title: 'Throttled by Athena',
      detail: `Athena kept throttling requests even after retries (${message || name}). Too many queries are running in this account; wait a moment and try again.`,
      action: 'retry',
    };
  }
  if (kind === 'failed') {
    const hint = /HIVE_BAD_DATA|HIVE_CURSOR_ERROR|JSON/i.test(message)
      ? ' A file under the table\u2019s location is not CloudTrail JSON (a digest or another file in the log folders?).'
      : '';
    return { title: 'Query failed', detail: `Athena could not run the query: ${message || 'no reason given'}.${hint}` };
  }
  return {
    title: name || 'Athena request failed',
    detail: message || name || 'The request failed for an unknown reason.',
    action: 'retry',
  };
}
