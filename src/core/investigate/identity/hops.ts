/**
 * One hop of a credential chain (chains.ts): the call that minted a key, read from a loaded
 * issuing event (`hopOf`) or inferred from the identity of a session whose minting call is not
 * loaded (`inferredHops`), and the identity of a row as far as the store's columns tell it.
 */
import { assumedRoleParts } from '../../model/principal';
import type { EventStore } from '../../store/store';
import type { Issuance } from './issuers';
import { EMPTY_WHO, isTemporaryKey, roleSession, type Who } from './who';

export interface ChainHop {
  /** The issuing event's row; undefined when inferred from a later identity. */
  row?: number;
  inferred: boolean;
  /** AssumeRole, AssumeRoleWithSAML, GetSessionToken, ConsoleLogin (inferred), … */
  eventName: string;
  /** The identity this hop created (`Role/session`), its ARN and account. */
  identity: string;
  identityArn: string;
  account: string;
  /** The key it minted, and the key its caller held ('' when not known). */
  key: string;
  callerKey: string;
  callerAccount: string;
  /** Caller and created identity in different accounts. */
  crossAccount: boolean;
  /** NaN when not known. */
  time: number;
  sourceIp: string;
  sourceIdentity: string;
}

const accountOfArn = (arn: string): string => /^arn:[^:]*:[^:]*:[^:]*:(\d{12}):/.exec(arn)?.[1] ?? '';

/** The hop a loaded issuing call makes. */
export function hopOf(i: Issuance): ChainHop {
  const parts = assumedRoleParts(i.sessionArn);
  const roleName = parts?.[0] || i.roleArn.slice(i.roleArn.lastIndexOf('/') + 1);
  let identity: string;
  if (i.eventName === 'GetSessionToken') identity = `${i.caller.userName || 'root'} (session)`;
  else if (i.eventName === 'GetFederationToken') identity = `federated/${i.sessionName}`;
  else if (i.eventName === 'GetRoleCredentials') identity = `${i.roleArn} (Identity Center permission set)`;
  else identity = `${roleName}/${parts?.[1] || i.sessionName}`;
  const callerAccount = i.caller.account;
  return {
    row: i.row,
    inferred: false,
    eventName: i.eventName,
    identity,
    identityArn: i.sessionArn || i.roleArn,
    account: i.account,
    key: i.issuedKey,
    callerKey: i.caller.accessKeyId,
    callerAccount,
    crossAccount:
      i.caller.type === 'AWSAccount' || (callerAccount !== '' && i.account !== '' && callerAccount !== i.account),
    time: i.time,
    sourceIp: i.sourceIp,
    sourceIdentity: i.sourceIdentity,
  };
}

/** The hop a session's own identity implies when the call that minted it is not loaded. */
export function inferredHops(who: Who): ChainHop[] {
  const base = {
    inferred: true,
    identityArn: who.arn,
    account: who.account || accountOfArn(who.arn),
    key: who.accessKeyId,
    callerKey: '',
    callerAccount: '',
    crossAccount: false,
    time: NaN,
    sourceIp: '',
    sourceIdentity: who.sourceIdentity,
  };
  if (who.type === 'AssumedRole') {
    const { role, session } = roleSession(who);
    const eventName = role.startsWith('AWSReservedSSO_') ? 'AssumeRoleWithSAML' : 'AssumeRole';
    return [{ ...base, eventName, identity: `${role || '?'}/${session || '?'}` }];
  }
  if (who.type === 'FederatedUser')
    return [
      {
        ...base,
        eventName: 'GetFederationToken',
        identity: `federated/${/:federated-user\/(.+)$/.exec(who.arn)?.[1] ?? who.principalId}`,
      },
    ];
  if ((who.type === 'IAMUser' || who.type === 'Root') && isTemporaryKey(who.accessKeyId)) {
    return [
      {
        ...base,
        eventName: who.console ? 'ConsoleLogin' : 'GetSessionToken',
        identity: `${who.type === 'Root' ? 'root' : who.userName || who.arn.slice(who.arn.lastIndexOf('/') + 1)} (${who.console ? 'console' : 'session'})`,
      },
    ];
  }
  return [];
}

/** A Who from the store's columns only (no session issuer, source identity or onBehalfOf). */
export function whoFromColumns(store: EventStore, row: number): Who {
  const type = store.value('identityType', row);
  const name = store.value('principal', row);
  const arn = store.value('principalArn', row);
  return {
    ...EMPTY_WHO,
    type,
    accessKeyId: store.value('accessKeyId', row),
    arn,
    account: accountOfArn(arn) || store.value('account', row),
    userName:
      type === 'IdentityCenterUser' ? name.replace(/^identity-center\//, '') : type === 'AssumedRole' ? '' : name,
    invokedBy: type === 'AWSService' || type === '' ? name : '',
  };
}
