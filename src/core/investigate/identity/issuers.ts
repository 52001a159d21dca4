/**
 * Credential-issuing events: the calls that mint temporary credentials, read from their raw JSON.
 *
 * STS's AssumeRole, AssumeRoleWithSAML, AssumeRoleWithWebIdentity, GetSessionToken and
 * GetFederationToken name the key they minted in `responseElements.credentials.accessKeyId`
 * (CloudTrail redacts the secret and keeps the key id). Identity Center's portal call
 * `GetRoleCredentials` (sso.amazonaws.com) names none: its credentials surface in the member
 * account as an AssumeRoleWithSAML through the `AWSSSO_…_DO_NOT_DELETE` SAML provider, which
 * chains.ts reads as the Identity Center origin. Only these few events (a few per thousand) are
 * ever parsed: the rest of the store is read through its columns.
 */
import { isObject, str } from '../../model/json';
import { parseRaw } from '../../query/eventPath';
import type { EventStore } from '../../store/store';
import { whoOf, type Who } from './who';
import { lowerBound } from '../../model/sorted';

/** Event names that mint credentials, with the event source that writes them. */
export const ISSUING_EVENTS: ReadonlyMap<string, string> = new Map([
  ['AssumeRole', 'sts.amazonaws.com'],
  ['AssumeRoleWithSAML', 'sts.amazonaws.com'],
  ['AssumeRoleWithWebIdentity', 'sts.amazonaws.com'],
  ['GetSessionToken', 'sts.amazonaws.com'],
  ['GetFederationToken', 'sts.amazonaws.com'],
  ['GetRoleCredentials', 'sso.amazonaws.com'],
]);

/** One issuing call, as chains and the graph need it ('' where the event says nothing). */
export interface Issuance {
  row: number;
  eventName: string;
  time: number;
  errorCode: string;
  /** The key it minted; '' for failed calls and GetRoleCredentials. */
  issuedKey: string;
  /** Who called (holding the parent credentials). */
  caller: Who;
  sourceIp: string;
  userAgent: string;
  /** `requestParameters.roleArn` (AssumeRole*), or the Identity Center role's name for GetRoleCredentials. */
  roleArn: string;
  /** The identity created: `assumedRoleUser.arn` / `federatedUser.arn`. */
  sessionArn: string;
  /** `roleSessionName`, or the federated user's `name`. */
  sessionName: string;
  /** The created identity's account (from its ARN, else the caller's). */
  account: string;
  sourceIdentity: string;
  /** SAML provider ARN (`principalArn`) or web-identity provider. */
  provider: string;
  /** SAML `subject` / `subjectFromWebIdentityToken`. */
  subject: string;
  /** For telling one call logged in two accounts (a cross-account AssumeRole) from a reused key. */
  requestId: string;
  sharedEventId: string;
}

const accountOfArn = (arn: string): string => /^arn:[^:]*:[^:]*:[^:]*:(\d{12}):/.exec(arn)?.[1] ?? '';

/** The Issuance an event describes; undefined when it is not an object. */
export function issuanceOf(event: unknown, row: number, time: number): Issuance | undefined {
  if (!isObject(event)) return undefined;
  const req = isObject(event.requestParameters) ? event.requestParameters : {};
  const res = isObject(event.responseElements) ? event.responseElements : {};
  const creds = isObject(res.credentials) ? res.credentials : {};
  const roleUser = isObject(res.assumedRoleUser)
    ? res.assumedRoleUser
    : isObject(res.federatedUser)
      ? res.federatedUser
      : {};
  const eventName = str(event.eventName);
  const caller = whoOf(event);
  // A denied AssumeRole keeps no request parameters; its error message names the role.
  const denied = /on resource: (arn:[^\s]+:role\/[^\s]+)/.exec(str(event.errorMessage))?.[1] ?? '';
  const roleArn =
    eventName === 'GetRoleCredentials'
      ? str(req.roleName)
      : str(req.roleArn) || (eventName.startsWith('AssumeRole') ? denied : '');
  const sessionArn = str(roleUser.arn);
  const account =
    accountOfArn(sessionArn) ||
    accountOfArn(roleArn) ||
    (eventName === 'GetRoleCredentials' ? str(req.accountId) : '') ||
    caller.account;
  return {
    row,
    eventName,
    time,
    errorCode: str(event.errorCode),
    issuedKey: str(event.errorCode) ? '' : str(creds.accessKeyId),
    caller,
    sourceIp: str(event.sourceIPAddress),
    userAgent: str(event.userAgent),
    roleArn,
    sessionArn,
    sessionName: str(req.roleSessionName) || str(req.name),
    account,
    sourceIdentity: str(req.sourceIdentity) || str(res.sourceIdentity),
    provider: str(req.principalArn) || str(res.provider) || caller.identityProvider,
    subject:
      str(res.subject) ||
      str(res.subjectFromWebIdentityToken) ||
      (caller.type === 'SAMLUser' || caller.type === 'WebIdentityUser' ? caller.userName : ''),
    requestId: str(event.requestID),
    sharedEventId: str(event.sharedEventID),
  };
}

/**
 * Rows of issuing events at or after row `from` (ascending), found through the eventName index:
 * the right name from the right source. Failed calls too (the graph counts them).
 */
export function issuingRows(store: EventStore, from = 0): number[] {
  const names = store.dictionary('eventName');
  const out: number[] = [];
  for (const [name, source] of ISSUING_EVENTS) {
    const id = names.idOf(name);
    if (id === undefined) continue;
    const sourceId = store.dictionary('eventSource').idOf(source);
    const rows = names.rows(id);
    for (let i = lowerBound(rows, from); i < rows.length; i++)
      if (store.valueId('eventSource', rows[i]) === sourceId) out.push(rows[i]);
  }
  return out.sort((a, b) => a - b);
}

/** Parses issuing row `row` (undefined when its raw is not a JSON object). */
export function readIssuance(store: EventStore, row: number): Issuance | undefined {
  return issuanceOf(parseRaw(store.raw(row)), row, store.time(row));
}

/** True when two issuances are one call logged twice (the caller's and the role's account). */
export function sameCall(a: Issuance, b: Issuance): boolean {
  return (
    (a.requestId !== '' && a.requestId === b.requestId) ||
    (a.sharedEventId !== '' && a.sharedEventId === b.sharedEventId)
  );
}

/** Of two copies of one call, the one whose caller says more (not the role account's `AWSAccount` view). */
export function richer(a: Issuance, b: Issuance): Issuance {
  const score = (i: Issuance): number => (i.caller.accessKeyId ? 2 : 0) + (i.caller.type !== 'AWSAccount' ? 1 : 0);
  return score(b) > score(a) ? b : a;
}
