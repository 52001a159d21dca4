/**
 * Turns an AWS SDK or network failure into what an error node says: what happened, what to do,
 * and an action the UI can offer. Messages are built from error names and AWS's own messages,
 * which never carry secrets; nothing here sees credentials.
 */

export type ErrorAction = 'ssoLogin' | 'retry' | 'checkEndpoint' | 'checkRegion';

export interface ExplainedError {
  /** Short, for the node label. */
  title: string;
  /** What happened and what to do, for the tooltip and the output channel. */
  detail: string;
  action?: ErrorAction;
}

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Explains `err` for a call made with `profile` in `region` (to `endpoint` when overridden). */
export function explainAwsError(
  err: unknown,
  ctx: { profile: string; region: string; endpoint?: string; sso?: boolean },
): ExplainedError {
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as ErrorLike;
  const cause = (typeof e.cause === 'object' && e.cause !== null ? e.cause : {}) as ErrorLike;
  const name = text(e.name) || text(e.code);
  const code = text(e.code) || text(cause.code);
  // A failed credential_process reports "Command failed: <command line>\n<stderr>": either may hold
  // a token, so neither is shown or logged.
  const message = text(e.message).replace(
    /Command failed:[\s\S]*/i,
    'the credential_process command failed (its command line and output are not shown: they may hold secrets)',
  );
  const where = ctx.endpoint ? `the CloudTrail endpoint ${ctx.endpoint}` : `CloudTrail in ${ctx.region}`;
  const status = e.$metadata?.httpStatusCode;

  if (/sso/i.test(message) && /(expired|invalid|refresh|login|token)/i.test(message)) {
    return {
      title: 'SSO session expired or not signed in',
      detail: `The SSO session for profile "${ctx.profile}" has expired or was never started. Run "aws sso login --profile ${ctx.profile}", then refresh.`,
      action: 'ssoLogin',
    };
  }
  if (
    /ExpiredToken|RequestExpired|TokenRefreshRequired/i.test(name) ||
    /security token included in the request is expired/i.test(message)
  ) {
    return {
      title: 'Credentials expired',
      detail: `The credentials of profile "${ctx.profile}" have expired. ${ctx.sso ? `Run "aws sso login --profile ${ctx.profile}"` : 'Refresh them (a new session, a new MFA code)'} and refresh the tree.`,
      action: ctx.sso ? 'ssoLogin' : 'retry',
    };
  }
  if (
    name === 'CredentialsProviderError' ||
    /Could not load credentials|Unable to find|profile .* could not be found/i.test(message)
  ) {
    return {
      title: 'No usable credentials',
      detail: `Profile "${ctx.profile}" gave no credentials: ${message || name}. Check its section in the AWS config and credentials files.`,
    };
  }
  if (
    /UnrecognizedClient|InvalidClientTokenId|SignatureDoesNotMatch|InvalidSignature|IncompleteSignature|AuthFailure/i.test(
      name,
    )
  ) {
    return {
      title: 'Credentials rejected',
      detail: `AWS rejected the credentials of profile "${ctx.profile}" (${name}): the key may be deleted, disabled, or mistyped.`,
    };
  }
  if (/AccessDenied|UnauthorizedOperation|NotAuthorized|OperationNotPermitted/i.test(name) || status === 403) {
    return {
      title: 'Access denied',
      detail: `Profile "${ctx.profile}" may not call this in ${ctx.region}: ${message || name}. It needs the CloudTrail read permissions (cloudtrail:DescribeTrails, GetTrailStatus, GetEventSelectors, GetInsightSelectors, LookupEvents).`,
    };
  }
  if (/Throttl|TooManyRequests|RequestLimitExceeded|SlowDown/i.test(name) || status === 429) {
    return {
      title: 'Throttled by AWS',
      detail: `CloudTrail kept throttling requests even after retries (${message || name}). Wait a moment and try again.`,
      action: 'retry',
    };
  }
  if (
    /TimeoutError|AbortError|RequestTimeout/i.test(name) ||
    /ETIMEDOUT|ESOCKETTIMEDOUT|timed? ?out/i.test(`${code} ${message}`)
  ) {
    return {
      title: 'Timed out',
      detail: `No answer from ${where} in time. Check the network${ctx.endpoint ? ' and the endpoint setting' : ''}, then try again.`,
      action: ctx.endpoint ? 'checkEndpoint' : 'retry',
    };
  }
  if (/ENOTFOUND|EAI_AGAIN/.test(`${code} ${message}`)) {
    return ctx.endpoint
      ? {
          title: 'Endpoint not found',
          detail: `The host of ${where} could not be resolved. Check "cloudtrailLens.endpoint".`,
          action: 'checkEndpoint',
        }
      : {
          title: 'Cannot reach AWS',
          detail: `The CloudTrail host for ${ctx.region} could not be resolved: no network, a proxy in the way, or a region that does not exist.`,
          action: 'checkRegion',
        };
  }
  if (/ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|EPIPE/.test(`${code} ${message}`)) {
    return {
      title: 'Connection failed',
      detail: `Could not connect to ${where} (${code || message}).`,
      action: ctx.endpoint ? 'checkEndpoint' : 'retry',
    };
  }
  if (/UnknownEndpoint|InvalidRegion|Invalid region/i.test(`${name} ${message}`)) {
    return {
      title: 'Unknown region',
      detail: `"${ctx.region}" is not a region CloudTrail answers in.`,
      action: 'checkRegion',
    };
  }
  if (/OptInRequired|not subscribed|region.*not enabled/i.test(`${name} ${message}`)) {
    return {
      title: 'Region not enabled',
      detail: `${ctx.region} is not enabled for this account: ${message || name}.`,
      action: 'checkRegion',
    };
  }
  if (status !== undefined && status >= 500) {
    return {
      title: 'AWS service error',
      detail: `CloudTrail answered ${status} (${name || 'error'}): ${message}. Try again later.`,
      action: 'retry',
    };
  }
  return {
    title: name || 'Request failed',
    detail: message || name || 'The request failed for an unknown reason.',
    action: 'retry',
  };
}
