/**
 * Bench figures for "who is behind it" (issue #16), for bench.ts to call: the credential-chain
 * index, the identity graph, the `origin:`/`issuedBy:` row sets and a policy draft, at a million
 * events. The load corpus (corpus.ts) has role sessions but none of the STS calls that mint their
 * keys, so its graph has no edges; this builds its own store in which every session's key was
 * minted by an AssumeRole made by a user or another role (chains of one to three hops, some
 * cross-account, some failed), as in a real organization trail.
 */
import { issuedByRowSets, originRowSets } from '../src/core/investigate/identity/rowSets';
import { ChainIndex } from '../src/core/investigate/identity/chains';
import { identityGraph } from '../src/core/investigate/identity/graph';
import { draftPolicy } from '../src/core/investigate/identity/policy';
import { normalizeEvent } from '../src/core/model/records';
import { EventStore } from '../src/core/store/store';
import { rng } from './corpus';

const ACCOUNTS = ['111111111111', '222222222222', '333333333333'];
const NAMES = [
  'DescribeInstances',
  'GetObject',
  'PutObject',
  'ListBuckets',
  'GetSecretValue',
  'Decrypt',
  'AssumeRole',
  'DescribeStacks',
];
const SOURCES = ['ec2', 's3', 's3', 's3', 'secretsmanager', 'kms', 'sts', 'cloudformation'];

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const key = (prefix: string, n: number): string => `${prefix}${n.toString(36).toUpperCase().padStart(16, 'K')}`;

/** A store of `events` events whose sessions come from AssumeRole calls (one per session). */
function chainedStore(events: number): { store: EventStore; issuing: number } {
  const next = rng(20261202);
  const store = new EventStore();
  const t0 = Date.UTC(2024, 2, 1);
  const users = Array.from({ length: 300 }, (_, i) => ({
    name: `user-${i}`,
    account: ACCOUNTS[i % 3],
    key: key('AKIA', i),
  }));
  const roles = Array.from({ length: 200 }, (_, i) => ({ name: `role-${i}`, account: ACCOUNTS[(i * 7) % 3] }));
  // A session: a role assumed by a user or by an earlier session (a chain), with its own key.
  type Caller = { arn: string; account: string; key: string; identity: Record<string, unknown> };
  const sessions: Caller[] = [];
  let row = 0;
  let issuing = 0;
  const add = (ev: Record<string, unknown>): void => {
    store.add(normalizeEvent(ev), 0);
    row++;
  };
  const userCaller = (u: (typeof users)[number]): Caller => ({
    arn: `arn:aws:iam::${u.account}:user/${u.name}`,
    account: u.account,
    key: u.key,
    identity: {
      type: 'IAMUser',
      principalId: `AIDA${u.name}`,
      arn: `arn:aws:iam::${u.account}:user/${u.name}`,
      accountId: u.account,
      accessKeyId: u.key,
      userName: u.name,
    },
  });
  while (row < events) {
    const time = t0 + Math.floor((row / events) * 21 * 86_400_000);
    // One event in a hundred and twenty mints a session: ~8,300 assumptions at a million events.
    if (next() < 1 / 120 || sessions.length === 0) {
      const caller =
        sessions.length > 20 && next() < 0.3
          ? sessions[Math.floor(next() * sessions.length)]
          : userCaller(users[Math.floor(next() * users.length)]);
      const role = roles[Math.floor(next() * roles.length)];
      const failed = next() < 0.05;
      const sessionName = `s-${issuing}`;
      const sessionKey = key('ASIA', issuing);
      add({
        eventVersion: '1.09',
        userIdentity: caller.identity,
        eventTime: iso(time),
        eventSource: 'sts.amazonaws.com',
        eventName: 'AssumeRole',
        awsRegion: 'us-east-1',
        sourceIPAddress: `10.0.${issuing % 256}.${(issuing >> 8) % 256}`,
        userAgent: 'aws-cli/2.15.0',
        requestID: `req-${row}`,
        eventID: `00000000-0000-4000-9000-${row.toString(16).padStart(12, '0')}`,
        requestParameters: { roleArn: `arn:aws:iam::${role.account}:role/${role.name}`, roleSessionName: sessionName },
        ...(failed
          ? {
              errorCode: 'AccessDenied',
              errorMessage: `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${role.account}:role/${role.name}`,
              responseElements: null,
            }
          : {
              responseElements: {
                credentials: { accessKeyId: sessionKey, sessionToken: 'x', expiration: iso(time + 3_600_000) },
                assumedRoleUser: {
                  assumedRoleId: `AROA${role.name}:${sessionName}`,
                  arn: `arn:aws:sts::${role.account}:assumed-role/${role.name}/${sessionName}`,
                },
              },
            }),
        resources: [
          { ARN: `arn:aws:iam::${role.account}:role/${role.name}`, accountId: role.account, type: 'AWS::IAM::Role' },
        ],
        readOnly: true,
        eventType: 'AwsApiCall',
        managementEvent: true,
        recipientAccountId: caller.account,
        eventCategory: 'Management',
      });
      if (!failed) {
        const arn = `arn:aws:sts::${role.account}:assumed-role/${role.name}/${sessionName}`;
        sessions.push({
          arn,
          account: role.account,
          key: sessionKey,
          identity: {
            type: 'AssumedRole',
            principalId: `AROA${role.name}:${sessionName}`,
            arn,
            accountId: role.account,
            accessKeyId: sessionKey,
            sessionContext: {
              sessionIssuer: {
                type: 'Role',
                principalId: `AROA${role.name}`,
                arn: `arn:aws:iam::${role.account}:role/${role.name}`,
                accountId: role.account,
                userName: role.name,
              },
              attributes: { creationDate: iso(time), mfaAuthenticated: 'false' },
            },
          },
        });
      }
      issuing++;
      continue;
    }
    const who =
      sessions.length && next() < 0.7
        ? sessions[Math.floor(next() * sessions.length)]
        : userCaller(users[Math.floor(next() * users.length)]);
    const n = Math.floor(next() * NAMES.length);
    add({
      eventVersion: '1.09',
      userIdentity: who.identity,
      eventTime: iso(time),
      eventSource: `${SOURCES[n]}.amazonaws.com`,
      eventName: NAMES[n] === 'AssumeRole' ? 'GetCallerIdentity' : NAMES[n],
      awsRegion: 'us-east-1',
      sourceIPAddress: `10.1.${row % 256}.${(row >> 8) % 256}`,
      userAgent: 'aws-sdk-go/1.44',
      requestID: `req-${row}`,
      eventID: `00000000-0000-4000-8000-${row.toString(16).padStart(12, '0')}`,
      ...(next() < 0.03 ? { errorCode: 'AccessDenied', errorMessage: 'denied' } : {}),
      resources:
        n === 1 || n === 2
          ? [{ ARN: `arn:aws:s3:::bucket-${row % 40}/key-${row % 1000}`, type: 'AWS::S3::Object' }]
          : undefined,
      readOnly: n !== 2,
      eventType: 'AwsApiCall',
      managementEvent: n !== 1 && n !== 2,
      recipientAccountId: who.account,
      eventCategory: n === 1 || n === 2 ? 'Data' : 'Management',
    });
  }
  return { store, issuing };
}

/** Reports `identity_*` lines through `report(name, value, unit)`. */
export function identityBench(
  report: (name: string, value: number | string, unit?: string) => void,
  events: number,
): void {
  let t = performance.now();
  const { store, issuing } = chainedStore(events);
  report('identity_store_events', store.size);
  report('identity_store_assumptions', issuing);
  report('identity_store_build_time', (performance.now() - t) / 1000, 's');
  t = performance.now();
  const index = new ChainIndex(store);
  index.update();
  report('identity_chain_index_time', performance.now() - t, 'ms');
  t = performance.now();
  const graph = identityGraph(index);
  report('identity_graph_time', performance.now() - t, 'ms');
  report('identity_graph_nodes', graph.nodes.length);
  report('identity_graph_edges', graph.edges.length);
  t = performance.now();
  const origins = originRowSets(index);
  report('identity_origin_row_sets_time', performance.now() - t, 'ms');
  report('identity_origins', origins.size);
  t = performance.now();
  issuedByRowSets(index);
  report('identity_issued_by_row_sets_time', performance.now() - t, 'ms');
  t = performance.now();
  let chained = 0;
  for (let r = 0; r < store.size; r += 1000) chained += index.chainOf(r).hops.length;
  report('identity_chain_of_time', (performance.now() - t) / Math.ceil(store.size / 1000), 'ms/event');
  report('identity_chain_hops_sampled', chained);
  t = performance.now();
  const all = new Uint32Array(store.size).map((_, i) => i);
  const draft = draftPolicy(store, all);
  report('identity_policy_draft_time', performance.now() - t, 'ms');
  report('identity_policy_statements', draft.policy.Statement.length);
}
