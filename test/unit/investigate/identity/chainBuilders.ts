/** Builders for credential chains: identities and the STS calls that mint keys, with valid defaults. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeLogBytes } from '../../../../src/core/ingest/decode';
import { normalizeEvent } from '../../../../src/core/model/records';
import { EventStore } from '../../../../src/core/store/store';
import { anEvent, samplesDir } from '../../../builders/events';

export const A = '111122223333';
export const B = '444455556666';

export function storeOf(events: Array<Record<string, unknown>>): EventStore {
  const store = new EventStore();
  for (const e of events) store.add(normalizeEvent(e), 0);
  return store;
}

/** A real sample folder's events in one store (files in name order). */
export function sampleStore(folder: string): EventStore {
  const store = new EventStore();
  const dir = join(samplesDir(), folder);
  readdirSync(dir)
    .filter((f) => /\.json$/.test(f))
    .sort()
    .forEach((f, i) => {
      const r = decodeLogBytes(readFileSync(join(dir, f)));
      if (r.kind === 'events') for (const rec of r.records) store.add(rec, i);
    });
  return store;
}

export function iamUser(name: string, key: string, account = A): Record<string, unknown> {
  return {
    type: 'IAMUser',
    principalId: `AIDA${name.toUpperCase()}`,
    arn: `arn:aws:iam::${account}:user/${name}`,
    accountId: account,
    accessKeyId: key,
    userName: name,
  };
}

export function roleSession(
  role: string,
  session: string,
  key: string,
  account = A,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: 'AssumedRole',
    principalId: `AROA${role.toUpperCase().replace(/[^A-Z0-9]/g, '')}:${session}`,
    arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
    accountId: account,
    accessKeyId: key,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: `AROA${role.toUpperCase().replace(/[^A-Z0-9]/g, '')}`,
        arn: `arn:aws:iam::${account}:role/${role}`,
        accountId: account,
        userName: role,
      },
      attributes: { creationDate: '2024-03-01T09:00:00Z', mfaAuthenticated: 'false' },
      ...extra,
    },
  };
}

export interface Mint {
  caller: Record<string, unknown>;
  role: string;
  roleAccount?: string;
  session: string;
  key: string;
  time: string;
  eventName?: string;
  requestParameters?: Record<string, unknown>;
  responseElements?: Record<string, unknown>;
  errorCode?: string;
  sourceIp?: string;
  requestId?: string;
}

/** An STS AssumeRole* call by `caller` minting `key` for `role`/`session`. */
export function assumeRole(m: Mint): Record<string, unknown> {
  const account = m.roleAccount ?? A;
  const roleArn = `arn:aws:iam::${account}:role/${m.role}`;
  return anEvent({
    eventTime: m.time,
    eventSource: 'sts.amazonaws.com',
    eventName: m.eventName ?? 'AssumeRole',
    userIdentity: m.caller,
    sourceIPAddress: m.sourceIp ?? '198.51.100.7',
    requestParameters: { roleArn, roleSessionName: m.session, ...m.requestParameters },
    responseElements: m.errorCode
      ? null
      : {
          credentials: { accessKeyId: m.key, sessionToken: 'redacted', expiration: 'Mar 1, 2024, 11:00:00 AM' },
          assumedRoleUser: {
            assumedRoleId: `AROAX:${m.session}`,
            arn: `arn:aws:sts::${account}:assumed-role/${m.role}/${m.session}`,
          },
          ...m.responseElements,
        },
    ...(m.errorCode
      ? {
          errorCode: m.errorCode,
          errorMessage: `User is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
        }
      : {}),
    resources: [{ accountId: account, type: 'AWS::IAM::Role', ARN: roleArn }],
    recipientAccountId: account,
    readOnly: true,
    ...(m.requestId ? { requestID: m.requestId } : {}),
  });
}

/** A call made with a session's or user's credentials. */
export function callBy(
  identity: Record<string, unknown>,
  time: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return anEvent({ userIdentity: identity, eventTime: time, recipientAccountId: identity.accountId, ...overrides });
}
