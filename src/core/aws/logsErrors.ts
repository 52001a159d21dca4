/**
 * CloudWatch Logs Insights failures as what to do (the CloudWatch Logs search's error message),
 * the counterpart of athenaErrors.ts. Names the permission when AWS's message does not.
 */
import type { ExplainedError } from './awsErrors';

export interface LogsErrorContext {
  /** The log group's ARN or name. */
  logGroup: string;
  region: string;
  timeoutSeconds?: number;
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  kind?: unknown;
  $metadata?: { httpStatusCode?: number };
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** A Logs Insights search failure, explained. */
export function explainLogsError(err: unknown, ctx: LogsErrorContext): ExplainedError {
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as ErrorLike;
  const name = text(e.name);
  const kind = text(e.kind);
  const message = text(e.message);
  const both = `${name} ${message}`;
  if (kind === 'cancelled') return { title: 'Query cancelled', detail: 'Logs Insights stopped it (StopQuery).' };
  if (kind === 'timeout')
    return {
      title: 'Query timed out',
      detail: `The Logs Insights query ran longer than ${ctx.timeoutSeconds ?? '?'} s and was stopped. Narrow the time range (after:, before:, last:) or add a field term, then try again.`,
      action: 'retry',
    };
  if (kind === 'failed')
    return {
      title: 'Query failed',
      detail: `${message} Logs Insights gives no reason; a query over a very long range can fail where a shorter one works.`,
      action: 'retry',
    };
  if (/ResourceNotFound/i.test(both)) {
    return {
      title: 'Log group not found',
      detail: `The log group ${ctx.logGroup} does not exist in ${ctx.region}, or the profile's account cannot see it. The trail names it as its CloudWatch Logs destination; check the trail's configuration. AWS said: ${message || name}`,
    };
  }
  if (/MalformedQuery/i.test(both))
    return { title: 'Query rejected', detail: `Logs Insights did not accept the compiled query: ${message || name}` };
  if (/LimitExceeded/i.test(both))
    return {
      title: 'Too many queries',
      detail: `Logs Insights runs a limited number of queries at once per account (${message || name}). Wait for others to finish, then try again.`,
      action: 'retry',
    };
  const permission = /perform:?\s+([a-z0-9-]+:[A-Za-z0-9*]+)/i.exec(message)?.[1];
  if (/AccessDenied|not authorized|Unauthorized/i.test(both) || e.$metadata?.httpStatusCode === 403) {
    return {
      title: 'Access denied (CloudWatch Logs)',
      detail: `The profile may not query ${ctx.logGroup} in ${ctx.region}: it needs ${permission ?? 'logs:StartQuery, logs:GetQueryResults and logs:StopQuery'} on the log group. AWS said: ${message || name}`,
    };
  }
  if (/Throttl|TooManyRequests|Rate exceeded/i.test(both))
    return {
      title: 'Throttled by CloudWatch Logs',
      detail: `CloudWatch Logs kept throttling requests even after retries (${message || name}); wait a moment and try again.`,
      action: 'retry',
    };
  if (/InvalidParameter/i.test(both))
    return {
      title: 'Invalid query',
      detail: `CloudWatch Logs refused the query: ${message || name}. A time range older than the log group's retention, or in the future, is refused.`,
    };
  return {
    title: name || 'CloudWatch Logs request failed',
    detail: message || name || 'The request failed for an unknown reason.',
    action: 'retry',
  };
}
