/**
 * Who made a call, as far as one event says, and where a credential chain ends (its origin).
 *
 * An event's `userIdentity` names the credentials it was made with; only temporary credentials
 * (`ASIA…` keys: role sessions, GetSessionToken and federation sessions) were minted by another
 * call. Everything else is an origin: an IAM user's long-term key (`AKIA…`), root, an AWS service,
 * another account, an Identity Center, SAML or web-identity user. When the call that minted a
 * session is not loaded, the session's own identity still says a lot (chains.ts marks it
 * inferred): `sessionContext.sessionIssuer` (the role), the session name in the ARN or
 * `principalId` (`AROA…:session`), `sourceIdentity`, `onBehalfOf` (Identity Center), and
 * conventions AWS follows — Identity Center roles are `AWSReservedSSO_<permission set>_<hash>`
 * with the user's name as session name, EC2 instance-profile sessions are named after the
 * instance (`i-…`), service-linked roles live under `role/aws-service-role/<service>/`.
 * Every value is attacker-written: only own keys are read (json.ts `str`/`isObject`).
 */
import { isObject, str } from '../../model/json';
import { assumedRoleParts } from '../../model/principal';

/** What ends a chain. */
export type OriginKind =
  | 'iamUser'
  | 'root'
  | 'identityCenter'
  | 'saml'
  | 'webIdentity'
  | 'service'
  | 'instance'
  | 'account'
  | 'unknown';

export interface ChainOrigin {
  kind: OriginKind;
  /** What `origin:` matches (with `arn`): a user name, `root`, a service, an instance or account id; '' when unknown. */
  name: string;
  arn: string;
  account: string;
  /** SAML provider ARN, web-identity provider, `IAM Identity Center`, or the service behind an instance. */
  provider: string;
  /** SAML / web-identity subject. */
  subject: string;
  /** Deduced from a later event's identity (the issuing event is not loaded). */
  inferred: boolean;
  /** One line for people: `alice@corp (Identity Center)`. */
  label: string;
}

/** The identity fields of one event that chains need (all strings, '' when absent). */
export interface Who {
  type: string;
  accessKeyId: string;
  arn: string;
  /** `userIdentity.accountId`: the caller's account (recipientAccountId is the logging account). */
  account: string;
  principalId: string;
  userName: string;
  invokedBy: string;
  issuerArn: string;
  issuerName: string;
  sourceIdentity: string;
  onBehalfOf: string;
  identityProvider: string;
  /** `sessionCredentialFromConsole`: a console session's key, which no API call minted. */
  console: boolean;
}

export const EMPTY_WHO: Who = {
  type: '',
  accessKeyId: '',
  arn: '',
  account: '',
  principalId: '',
  userName: '',
  invokedBy: '',
  issuerArn: '',
  issuerName: '',
  sourceIdentity: '',
  onBehalfOf: '',
  identityProvider: '',
  console: false,
};

/** The identity of a parsed event (anything not an object reads as no identity). */
export function whoOf(event: unknown): Who {
  if (!isObject(event) || !isObject(event.userIdentity)) return EMPTY_WHO;
  const ui = event.userIdentity;
  const ctx = isObject(ui.sessionContext) ? ui.sessionContext : undefined;
  const issuer = ctx && isObject(ctx.sessionIssuer) ? ctx.sessionIssuer : undefined;
  const behalf = isObject(ui.onBehalfOf) ? ui.onBehalfOf : undefined;
  return {
    type: str(ui.type),
    accessKeyId: str(ui.accessKeyId),
    arn: str(ui.arn),
    account: str(ui.accountId),
    principalId: str(ui.principalId),
    userName: str(ui.userName),
    invokedBy: str(ui.invokedBy),
    issuerArn: str(issuer?.arn),
    issuerName: str(issuer?.userName),
    sourceIdentity: str(ctx?.sourceIdentity) || str(ui.sourceIdentity),
    onBehalfOf: str(behalf?.userId),
    identityProvider: str(ui.identityProvider),
    console: event.sessionCredentialFromConsole === true || event.sessionCredentialFromConsole === 'true',
  };
}

/** Long-term keys: an IAM user's or root's (`AKIA…`); temporary ones start `ASIA`. */
export function isTemporaryKey(key: string): boolean {
  return key.startsWith('ASIA');
}

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

/** True for an EC2 instance id (`i-0dbc91f429e48eeed`): instance-profile sessions are named so. */
export function isInstanceId(s: string): boolean {
  return INSTANCE_ID.test(s);
}

/** The role and session of an assumed-role identity: from the ARN, the issuer, or `principalId` (`AROA…:session`). */
export function roleSession(who: Who): { role: string; session: string } {
  const parts = assumedRoleParts(who.arn);
  const colon = who.principalId.indexOf(':');
  const session = parts?.[1] || (colon >= 0 ? who.principalId.slice(colon + 1) : '');
  return { role: who.issuerName || parts?.[0] || '', session };
}

/** `arn:aws:iam::1:role/aws-service-role/rds.amazonaws.com/X` → `rds.amazonaws.com`. */
export function serviceOfRoleArn(arn: string): string {
  return /:role\/aws-service-role\/([^/]+)\//.exec(arn)?.[1] ?? '';
}

const KIND_LABEL: Record<OriginKind, string> = {
  iamUser: 'IAM user',
  root: 'root',
  identityCenter: 'Identity Center',
  saml: 'SAML',
  webIdentity: 'web identity',
  service: 'AWS service',
  instance: 'EC2 instance',
  account: 'account',
  unknown: 'unknown',
};

/** An origin with its label filled in. */
export function origin(
  kind: OriginKind,
  name: string,
  fields: Partial<Omit<ChainOrigin, 'kind' | 'name' | 'label'>> = {},
): ChainOrigin {
  const o: ChainOrigin = {
    kind,
    name,
    arn: '',
    account: '',
    provider: '',
    subject: '',
    inferred: false,
    label: '',
    ...fields,
  };
  o.label =
    kind === 'root'
      ? `root${o.account ? ` (${o.account})` : ''}`
      : kind === 'unknown'
        ? name
          ? `${name} (${o.subject === name ? 'source identity' : 'unknown origin'})`
          : 'unknown origin'
        : `${name} (${KIND_LABEL[kind]})`;
  return o;
}

/**
 * The origin a caller is, when its credentials were not minted by a loaded call: final for
 * long-term keys and external identities, inferred (`inferred: true`) for a session whose
 * issuing call is missing. `role`/`session` describe an assumed role's session when relevant.
 */
export function originOfWho(who: Who): ChainOrigin {
  const account = who.account;
  switch (who.type) {
    case 'Root':
      return origin('root', 'root', { arn: who.arn || (account ? `arn:aws:iam::${account}:root` : ''), account });
    case 'IAMUser':
      return origin('iamUser', who.userName || who.arn.slice(who.arn.lastIndexOf('/') + 1) || who.principalId, {
        arn: who.arn,
        account,
      });
    case 'FederatedUser': {
      // GetFederationToken's caller is the session issuer: an IAM user (or root).
      const user = who.issuerName || who.issuerArn.slice(who.issuerArn.lastIndexOf('/') + 1);
      if (/:root$/.test(who.issuerArn)) return origin('root', 'root', { arn: who.issuerArn, account, inferred: true });
      return origin(user ? 'iamUser' : 'unknown', user, { arn: who.issuerArn, account, inferred: true });
    }
    case 'AWSService':
      return origin('service', who.invokedBy || 'AWS service', {});
    case 'AWSAccount':
      return origin('account', account || who.principalId, { account, provider: who.invokedBy });
    case 'IdentityCenterUser':
      return origin('identityCenter', who.userName || who.onBehalfOf || who.principalId, {
        provider: 'IAM Identity Center',
        account,
      });
    case 'SAMLUser':
      return origin('saml', who.userName || who.principalId, {
        provider: who.identityProvider,
        subject: who.userName,
        account,
      });
    case 'WebIdentityUser':
      return origin('webIdentity', who.userName || who.principalId, {
        provider: who.identityProvider,
        subject: who.userName,
        account,
      });
    case 'AssumedRole':
      return inferredRoleOrigin(who);
    case '':
      if (who.invokedBy) return origin('service', who.invokedBy);
      return origin('unknown', who.userName || who.principalId);
    default:
      // 'Unknown' (the Identity Center portal writes its users so) and anything new.
      return origin('unknown', who.userName || who.principalId);
  }
}

/** Where a role session whose issuing call is not loaded most likely came from. */
function inferredRoleOrigin(who: Who): ChainOrigin {
  const { role, session } = roleSession(who);
  const inferred = true;
  if (who.onBehalfOf) return origin('identityCenter', who.onBehalfOf, { provider: 'IAM Identity Center', inferred });
  if (role.startsWith('AWSReservedSSO_') && session)
    return origin('identityCenter', session, { provider: 'IAM Identity Center', inferred });
  const service = serviceOfRoleArn(who.issuerArn);
  if (service) return origin('service', service, { inferred });
  if (role.startsWith('AWSServiceRoleFor')) return origin('service', role, { inferred });
  if (isInstanceId(session))
    return origin('instance', session, { provider: 'ec2.amazonaws.com', account: who.account, inferred });
  if (who.sourceIdentity) return origin('unknown', who.sourceIdentity, { subject: who.sourceIdentity, inferred });
  return origin('unknown', '', { inferred });
}
