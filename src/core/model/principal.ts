/**
 * A short, readable name for whoever made a call, for every `userIdentity.type` CloudTrail writes:
 * Root, IAMUser, AssumedRole (role/session), FederatedUser, AWSService, AWSAccount,
 * IdentityCenterUser, SAMLUser, WebIdentityUser, Unknown, and events with no identity type.
 */
import { isObject, str } from './json';

export interface PrincipalInfo {
  type: string;
  name: string;
  arn: string;
  accessKeyId: string;
  account: string;
}

/** The part of an ARN after the last '/', or the whole string when it has none. */
function lastSegment(arn: string): string {
  const i = arn.lastIndexOf('/');
  return i >= 0 ? arn.slice(i + 1) : arn;
}

/** `arn:aws:sts::1:assumed-role/Role/Session` → ['Role', 'Session']. */
export function assumedRoleParts(arn: string): [string, string] | undefined {
  const m = /:assumed-role\/(.+)\/([^/]+)$/.exec(arn);
  if (!m) return undefined;
  return [lastSegment(m[1]), m[2]];
}

/**
 * An IAM role's ARN (`arn:aws:iam::123456789012:role/path/Name`) as the glob of its sessions' ARNs
 * (`arn:aws:sts::123456789012:assumed-role/Name/*`: a session's ARN names the role without its
 * path), or undefined for anything else. A role's own ARN is in no event's identity: its sessions are.
 */
export function roleSessionsGlob(arn: string): string | undefined {
  const m = /^arn:([a-z-]+):iam::(\d{12}):role\/(?:[^*]*\/)?([^/*]+)$/.exec(arn);
  return m ? `arn:${m[1]}:sts::${m[2]}:assumed-role/${m[3]}/*` : undefined;
}

/** Describes the principal in a `userIdentity` object (undefined when the event has none). */
export function describePrincipal(ui: Record<string, unknown> | undefined): PrincipalInfo {
  if (!ui) return { type: '', name: '', arn: '', accessKeyId: '', account: '' };
  const type = str(ui.type);
  const arn = str(ui.arn);
  const account = str(ui.accountId);
  const userName = str(ui.userName);
  const invokedBy = str(ui.invokedBy);
  const principalId = str(ui.principalId);
  const session = isObject(ui.sessionContext) ? ui.sessionContext : undefined;
  const issuer = session && isObject(session.sessionIssuer) ? session.sessionIssuer : undefined;
  let name: string;
  switch (type) {
    case 'Root':
      name = 'root';
      break;
    case 'IAMUser':
      name = userName || (arn ? lastSegment(arn) : principalId);
      break;
    case 'AssumedRole': {
      const parts = assumedRoleParts(arn);
      const role = str(issuer?.userName) || parts?.[0] || '';
      const sessionName = parts?.[1] || (principalId.includes(':') ? principalId.split(':').pop()! : '');
      name = role && sessionName ? `${role}/${sessionName}` : role || sessionName || principalId || 'assumed role';
      break;
    }
    case 'FederatedUser': {
      const m = /:federated-user\/(.+)$/.exec(arn);
      name = `federated/${m?.[1] || userName || lastSegment(principalId)}`;
      break;
    }
    case 'AWSService':
      name = invokedBy || 'AWS service';
      break;
    case 'AWSAccount':
      name = `account ${account || principalId}${invokedBy ? ` via ${invokedBy}` : ''}`;
      break;
    case 'IdentityCenterUser': {
      const onBehalfOf = isObject(ui.onBehalfOf) ? ui.onBehalfOf : undefined;
      name = `identity-center/${userName || str(onBehalfOf?.userId) || str(ui.credentialId) || principalId}`;
      break;
    }
    case 'SAMLUser':
    case 'WebIdentityUser':
      name = userName || principalId || type;
      break;
    case 'Unknown':
      name = userName || principalId || 'unknown';
      break;
    default:
      // No type: service events carry only {accountId, invokedBy}; anything else keeps its name.
      name =
        userName || invokedBy || (arn ? lastSegment(arn) : '') || (account ? `account ${account}` : '') || principalId;
  }
  return { type, name, arn, accessKeyId: str(ui.accessKeyId), account };
}
