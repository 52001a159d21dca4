/**
 * The event view's model of one event: who did it (an identity card tailored to the identity
 * type), what they asked for, what happened, and the values worth pivoting on. Pure: the webview
 * only lays this out.
 */
import type { EventDetail, IdentityCard, Pivot, PivotField, DetailField } from '../../protocol/eventView';
import { isObject, parseObject, str } from '../model/json';
import { assumedRoleParts, describePrincipal } from '../model/principal';
import { formatUtc, parseEventTime } from '../model/time';
import { clientName } from '../model/userAgent';

const IDENTITY_HEADINGS: Record<string, string> = {
  Root: 'Root user of the account',
  IAMUser: 'IAM user',
  AssumedRole: 'Assumed role session',
  FederatedUser: 'Federated user (GetFederationToken)',
  AWSService: 'AWS service',
  AWSAccount: 'Another AWS account',
  IdentityCenterUser: 'IAM Identity Center user',
  SAMLUser: 'SAML-federated user',
  WebIdentityUser: 'Web-identity-federated user',
  Unknown: 'Unknown identity',
};

function field(label: string, value: string, opts: Partial<DetailField> = {}): DetailField | undefined {
  return value ? { label, value, ...opts } : undefined;
}

function identityCard(ev: Record<string, unknown>): IdentityCard {
  const ui = isObject(ev.userIdentity) ? ev.userIdentity : undefined;
  const who = describePrincipal(ui);
  const session = ui && isObject(ui.sessionContext) ? ui.sessionContext : undefined;
  const attrs = session && isObject(session.attributes) ? session.attributes : undefined;
  const issuer = session && isObject(session.sessionIssuer) ? session.sessionIssuer : undefined;
  const web = session && isObject(session.webIdFederationData) ? session.webIdFederationData : undefined;
  const onBehalfOf = ui && isObject(ui.onBehalfOf) ? ui.onBehalfOf : undefined;
  const mfa = str(attrs?.mfaAuthenticated);
  const tls = isObject(ev.tlsDetails) ? ev.tlsDetails : undefined;
  const fields = [
    field('Principal', who.name, { pivot: 'principal' }),
    field('ARN', who.arn, { mono: true }),
    field('Role', who.type === 'AssumedRole' || who.type === 'FederatedUser' ? str(issuer?.arn) : '', { mono: true }),
    field('Role session', who.type === 'AssumedRole' ? (assumedRoleParts(who.arn)?.[1] ?? '') : ''),
    field('Source identity', str(session?.sourceIdentity) || str(ui?.sourceIdentity)),
    field('Invoked by', str(ui?.invokedBy), { pivot: 'principal' }),
    field('Account', who.account, { pivot: 'account', mono: true }),
    field('Principal ID', str(ui?.principalId), { mono: true }),
    field('User name', who.type === 'IAMUser' ? '' : str(ui?.userName)),
    field('Identity Center user', str(onBehalfOf?.userId), { mono: true }),
    field('Identity store', str(onBehalfOf?.identityStoreArn), { mono: true }),
    field('Web identity provider', str(web?.federatedProvider)),
    field('Access key', who.accessKeyId, {
      pivot: 'accessKey',
      mono: true,
      title: /^ASIA/.test(who.accessKeyId)
        ? 'Temporary credentials (ASIA…)'
        : /^AKIA/.test(who.accessKeyId)
          ? 'Long-term access key (AKIA…)'
          : undefined,
    }),
    field(
      'Credentials',
      /^ASIA/.test(who.accessKeyId) ? 'temporary (STS)' : /^AKIA/.test(who.accessKeyId) ? 'long-term access key' : '',
    ),
    field('MFA', mfa === 'true' ? 'yes' : mfa === 'false' ? 'no' : '', {
      tone: mfa === 'false' ? 'warning' : undefined,
    }),
    field('Session created', str(attrs?.creationDate)),
    field('Credential from', str(ui?.credentialId) ? `credential ${str(ui?.credentialId)}` : ''),
    field('EC2 role delivery', str(session?.ec2RoleDelivery)),
    field('TLS', tls ? [str(tls.tlsVersion), str(tls.cipherSuite)].filter(Boolean).join(' · ') : ''),
    field('Host header', str(tls?.clientProvidedHostHeader), { mono: true }),
  ].filter((f): f is DetailField => !!f);
  const type = who.type;
  return {
    type: type || 'none',
    heading: Object.hasOwn(IDENTITY_HEADINGS, type)
      ? IDENTITY_HEADINGS[type]
      : type
        ? `${type} identity`
        : 'No identity type (an AWS service event)',
    name: who.name || '(unknown)',
    flag: type === 'Root' ? 'root' : type === 'Unknown' ? 'unknown' : undefined,
    fields,
  };
}

function eventKind(ev: Record<string, unknown>): string {
  const category = str(ev.eventCategory);
  if (category === 'Insight' || str(ev.eventType) === 'AwsCloudTrailInsight') return 'insight';
  if (category === 'Data' || ev.managementEvent === false) return 'data';
  if (category === 'Management' || ev.managementEvent === true) return 'management';
  return '';
}

/** Sections shown as collapsible JSON, in order; absent or null ones are skipped. */
const SECTIONS: Array<[string, string]> = [
  ['requestParameters', 'Request parameters'],
  ['responseElements', 'Response elements'],
  ['additionalEventData', 'Additional event data'],
  ['serviceEventDetails', 'Service event details'],
  ['insightDetails', 'Insight details'],
];

/** Builds the event view's model from an event's JSON text. Undefined when it is not an object. */
export function describeEvent(raw: string): EventDetail | undefined {
  const ev = parseObject(raw);
  if (!ev) return undefined;
  const timeText = str(ev.eventTime) || str(ev['@timestamp']);
  const time = parseEventTime(timeText);
  const ro = ev.readOnly;
  const identity = identityCard(ev);
  const errorCode = str(ev.errorCode);
  const resources = Array.isArray(ev.resources)
    ? ev.resources
        .filter(isObject)
        .map((r) => ({ arn: str(r.ARN) || str(r.arn), type: str(r.type), account: str(r.accountId) }))
    : [];
  const userAgent = str(ev.userAgent);
  const pivots: Pivot[] = [];
  const pivot = (f: PivotField, value: string, label: string): void => {
    if (value && !pivots.some((p) => p.field === f && p.value === value)) pivots.push({ field: f, value, label });
  };
  pivot('principal', identity.name !== '(unknown)' ? identity.name : '', `Events by ${identity.name}`);
  pivot(
    'accessKey',
    describePrincipal(isObject(ev.userIdentity) ? ev.userIdentity : undefined).accessKeyId,
    'Events with this access key',
  );
  pivot('ip', str(ev.sourceIPAddress), `Events from ${str(ev.sourceIPAddress)}`);
  pivot('eventName', str(ev.eventName), `All ${str(ev.eventName)} events`);
  pivot('error', errorCode, `All ${errorCode} errors`);
  for (const r of resources) pivot('resource', r.arn, `Events on ${r.arn}`);
  const mfaUsed = isObject(ev.additionalEventData) ? str(ev.additionalEventData.MFAUsed) : '';
  const loginResult = isObject(ev.responseElements) ? str(ev.responseElements.ConsoleLogin) : '';
  return {
    eventName: str(ev.eventName) || '(no event name)',
    eventSource: str(ev.eventSource),
    time: Number.isNaN(time) ? null : time,
    timeUtc: Number.isNaN(time) ? timeText : formatUtc(time),
    region: str(ev.awsRegion),
    account:
      str(ev.recipientAccountId) || describePrincipal(isObject(ev.userIdentity) ? ev.userIdentity : undefined).account,
    eventId: str(ev.eventID),
    outcome:
      errorCode || str(ev.errorMessage) || loginResult === 'Failure'
        ? {
            ok: false,
            errorCode: errorCode || (loginResult === 'Failure' ? 'ConsoleLogin Failure' : ''),
            errorMessage: str(ev.errorMessage),
          }
        : { ok: true },
    readOnly: ro === true || ro === 'true' ? 'read' : ro === false || ro === 'false' ? 'write' : '',
    eventType: str(ev.eventType),
    eventCategory: str(ev.eventCategory),
    kind: eventKind(ev),
    mfaUsed,
    identity,
    sourceIp: str(ev.sourceIPAddress),
    userAgent,
    client: clientName(userAgent),
    sections: SECTIONS.filter(([key]) => ev[key] !== undefined && ev[key] !== null).map(([key, title]) => ({
      key,
      title,
      value: ev[key],
    })),
    resources,
    pivots,
    event: ev,
  };
}
