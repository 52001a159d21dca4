/**
 * The store worker's identity requests, through StoreService and StoreClient over a
 * MessageChannel (as a log view asks them), on the real invictus sample: the chain an opened
 * event carries, the `origin:` / `issuedBy:` row sets computed with detections, the identity
 * graph and the queries its nodes and edges carry, the access-key report, and policy drafts for
 * a search, a principal and a session. Hostile chains (a loop) arrive with their note.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { after, before, describe, test } from 'node:test';
import { decodeToBatch } from '../../../src/core/ingest/decode';
import { StoreClient } from '../../../src/core/engine/storeClient';
import { StoreService } from '../../../src/core/engine/storeService';
import { Investigation } from '../../../src/core/engine/investigation';
import { issuedByRows, originRows } from '../../../src/core/investigate/identity/rowSets';
import { aLogFile, gz, samplesDir } from '../../builders/events';
import { assumeRole, iamUser, roleSession, callBy } from '../investigate/identity/chainBuilders';
import { loadFolder } from '../../support/loadFolder';

const stratus = join(samplesDir(), 'invictus-ir_aws_dataset/CloudTrail');

function serviceClient(): { client: StoreClient; service: StoreService } {
  const { port1, port2 } = new MessageChannel();
  const service = new StoreService(port2);
  const client = new StoreClient(port1, () => {
    port1.close();
    port2.close();
  });
  return { client, service };
}

/** The first row of a query's results. */
async function firstRow(client: StoreClient, query: string): Promise<number> {
  const q = await client.query(query, 'oldest');
  assert.ok(q && q.total > 0, `${query} finds events`);
  return (await client.rows(q.version, 0, 1))![0].id;
}

const STRATUS_KEY = 'ASIATFQR7NSCWLLE7IWW';
const BERT_JAN_KEY = 'AKIATFQR7NSC8Q4X20BJ';
const ROLE = 'stratus-red-team-ec2-get-password-data-role';

describe('identity requests to the store worker (invictus sample)', () => {
  let client: StoreClient;
  let service: StoreService;
  before(async () => {
    ({ client, service } = serviceClient());
    await loadFolder((label, r) => client.addFile(label, r), stratus);
  });
  after(() => client.dispose());

  test('an opened event carries its chain: bert-jan → the Stratus role session, the AssumeRole hop openable', async () => {
    const row = await firstRow(client, `accessKey:${STRATUS_KEY}`);
    const opened = await client.open(row, 30 * 60_000);
    const chain = opened!.chain!;
    assert.equal(chain.end, 'origin');
    assert.equal(chain.origin.label, 'bert-jan (IAM user)');
    assert.equal(chain.origin.arn, 'arn:aws:iam::123837392027:user/bert-jan');
    assert.equal(chain.hops.length, 1);
    const hop = chain.hops[0];
    assert.equal(hop.identity, `${ROLE}/aws-go-sdk-1688990082523310002`);
    assert.equal(hop.timeUtc, '2023-07-10 11:54:47Z');
    assert.equal(hop.sourceIp, '192.168.10.20');
    assert.equal(hop.inferred, false);
    assert.equal(hop.crossAccount, false);
    assert.equal(typeof hop.row, 'number');
    // The hop is the issuing event, and the client remembers which row it last opened.
    assert.deepEqual({ row: client.lastOpened?.row, chain: client.lastOpened?.chain }, { row, chain });
    const issuing = await client.open(hop.row!, 30 * 60_000);
    const ev = JSON.parse(issuing!.raw) as {
      eventName: string;
      responseElements: { credentials: { accessKeyId: string } };
    };
    assert.equal(ev.eventName, 'AssumeRole');
    assert.equal(ev.responseElements.credentials.accessKeyId, STRATUS_KEY);
    assert.equal(issuing!.chain!.origin.label, 'bert-jan (IAM user)', 'the issuing call itself was made by bert-jan');
    assert.deepEqual(issuing!.chain!.hops, []);
    assert.equal(await client.open(-1, 1000), undefined);
  });

  test('after detections, origin: and issuedBy: select the rows the chains say (needs the parser to know both set families)', async () => {
    await client.detections([]);
    const local = new Investigation();
    await loadFolder((label, r) => local.addFile(label, r), stratus);
    const viaOrigin = originRows(local.chains, 'bert-jan');
    assert.ok(viaOrigin.length > 2641, "bert-jan's own events and his role sessions'");
    const q = await client.query('origin:bert-jan', 'newest');
    assert.deepEqual(q?.errors, []);
    assert.equal(q?.total, viaOrigin.length);
    const shown = await client.rows(q.version, 0, 5000);
    assert.deepEqual(Uint32Array.from(shown!.map((r) => r.id)), viaOrigin);
    const issued = issuedByRows(local.chains, BERT_JAN_KEY);
    assert.ok(issued.length >= 29, 'the events of the sessions bert-jan minted');
    const i = await client.query(`issuedBy:${BERT_JAN_KEY}`, 'newest');
    assert.deepEqual(i?.errors, []);
    assert.equal(i?.total, issued.length);
    // Case and wildcards as the engine's set terms take them; an instance profile is an origin too.
    assert.equal((await client.query('origin:BERT-*', 'newest'))?.total, viaOrigin.length);
    assert.ok(((await client.query('origin:i-0dbc91f429e48eeed', 'newest'))?.total ?? 0) > 0);
  });

  test('the identity graph: bert-jan → the Stratus role, with counts, and queries that select what they count', async () => {
    const { graph, events, ms } = await client.identityGraph();
    assert.equal(events, 2900);
    assert.ok(ms >= 0);
    const user = graph.nodes.find((n) => n.id === 'user:arn:aws:iam::123837392027:user/bert-jan')!;
    const role = graph.nodes.find((n) => n.id === `role:123837392027:${ROLE}`)!;
    assert.ok(user && role);
    const edge = graph.edges.find((e) => e.from === user.id && e.to === role.id)!;
    assert.deepEqual(
      { eventName: edge.eventName, ok: edge.ok, failed: edge.failed, crossAccount: edge.crossAccount },
      { eventName: 'AssumeRole', ok: 2, failed: 3, crossAccount: false },
    );
    for (const [query, want] of [
      [user.query!, user.events],
      [role.query!, role.events],
      [edge.query!, edge.ok],
      [edge.failedQuery!, edge.failed],
    ] as const) {
      const q = await client.query(query, 'newest');
      assert.deepEqual(q?.errors, [], query);
      assert.equal(q?.total, want, query);
    }
    assert.equal(user.events, 2641);
    assert.ok(
      graph.edges.some((e) => e.from === 'service:ec2.amazonaws.com'),
      'EC2 instance profiles assume roles too',
    );
    const small = await client.identityGraph(5);
    assert.equal(small.graph.nodes.length, 5);
    assert.equal(small.graph.nodes[4].id, 'other');
  });

  test("the access key report of bert-jan's long-term key", async () => {
    const r = await client.keyReport(BERT_JAN_KEY);
    const q = await client.query(`accessKey:${BERT_JAN_KEY}`, 'newest');
    assert.equal(r.kind, 'longTerm');
    assert.equal(r.events, q?.total);
    assert.equal(r.events, 2104);
    assert.equal(r.sessions.length, 10, 'the AssumeRole calls it made');
    assert.ok(r.sessions.some((s) => s.key === STRATUS_KEY));
    assert.deepEqual(
      r.principals.map((p) => p.value),
      ['bert-jan'],
    );
    assert.ok(r.firstSeen <= r.lastSeen);
    const temp = await client.keyReport(STRATUS_KEY);
    assert.equal(temp.kind, 'temporary');
    assert.equal(temp.mintedBy?.callerKey, BERT_JAN_KEY);
    const none = await client.keyReport('AKIANOTLOADED0000000');
    assert.equal(none.events, 0);
    assert.ok(Number.isNaN(none.firstSeen), 'NaN survives the trip from the worker');
  });

  test('policy drafts: for a search, for a role (every session) and for one session (its key)', async () => {
    const bySearch = await client.draftPolicy({ kind: 'query', text: `accessKey:${STRATUS_KEY}`, sort: 'newest' });
    const keyed = await client.query(`accessKey:${STRATUS_KEY}`, 'newest');
    assert.equal(bySearch.events, keyed?.total);
    assert.match(bySearch.scope, /the search "accessKey:ASIATFQR7NSCWLLE7IWW"/);
    // The Stratus technique's calls were all refused: nothing to grant, each denial listed.
    assert.deepEqual(bySearch.policy.Statement, []);
    assert.deepEqual(
      bySearch.denied.map((d) => [d.action, d.count, d.errorCodes]),
      [['ec2:GetPasswordData', keyed?.total, ['Client.UnauthorizedOperation']]],
    );
    const row = await firstRow(client, `accessKey:${STRATUS_KEY}`);
    const session = await client.draftPolicy({ kind: 'session', row, gapMs: 30 * 60_000 });
    assert.equal(session.events, keyed?.total);
    assert.deepEqual(session.policy, bySearch.policy);
    assert.match(session.scope, /access key ASIATFQR7NSCWLLE7IWW/);
    const principal = await client.draftPolicy({ kind: 'principal', row, gapMs: 30 * 60_000 });
    const roleEvents = await client.query(`principal:arn:aws:sts::123837392027:assumed-role/${ROLE}/*`, 'newest');
    assert.equal(principal.events, roleEvents?.total);
    assert.equal(principal.scope, `role ${ROLE} (every session of it)`);
    const user = await client.draftPolicy({
      kind: 'principal',
      row: await firstRow(client, 'principal:bert-jan'),
      gapMs: 30 * 60_000,
    });
    assert.equal(user.events, 2641);
    assert.ok(user.denied.length > 0, 'bert-jan was refused some calls');
    assert.ok(user.policy.Statement.length > 3);
    assert.ok(
      user.policy.Statement.some((st) => st.Action.includes('sts:AssumeRole')),
      'the roles he assumed',
    );
    assert.equal(JSON.parse(user.json).Version, '2012-10-17');
    await assert.rejects(client.draftPolicy({ kind: 'session', row: 1e9, gapMs: 1000 }), /No event at row/);
    assert.equal(service.investigation.store.size, 2900);
  });
});

describe('hostile chains reach the event view with their note', () => {
  test('a key minted by a call made with an identity whose key it mints back: a loop, ended with the note', async () => {
    const { client } = serviceClient();
    try {
      // A's call (with key K1) mints K2; a call made with K2 mints K1: each key's minter used the other.
      const events = [
        assumeRole({
          caller: roleSession('Loop', 'a', 'ASIALOOP00000000000B'),
          role: 'Loop',
          session: 'a',
          key: 'ASIALOOP00000000000A',
          time: '2024-03-01T09:00:00Z',
          requestId: 'r1',
        }),
        assumeRole({
          caller: roleSession('Loop', 'a', 'ASIALOOP00000000000A'),
          role: 'Loop',
          session: 'a',
          key: 'ASIALOOP00000000000B',
          time: '2024-03-01T09:01:00Z',
          requestId: 'r2',
        }),
        callBy(roleSession('Loop', 'a', 'ASIALOOP00000000000A'), '2024-03-01T09:05:00Z', { eventName: 'ListBuckets' }),
        callBy(iamUser('carol', 'AKIACAROL00000000000'), '2024-03-01T09:06:00Z', { eventName: 'GetCallerIdentity' }),
      ];
      await client.addFile('loop.json.gz', decodeToBatch(gz(aLogFile(events)), { maxBytes: 1 << 20 }));
      const row = await firstRow(client, 'eventName:ListBuckets');
      const chain = (await client.open(row, 60_000))!.chain!;
      assert.equal(chain.end, 'loop');
      assert.ok(
        chain.notes.some((n) => /loops/.test(n)),
        chain.notes.join(' | '),
      );
      const plain = (await client.open(await firstRow(client, 'principal:carol'), 60_000))!.chain!;
      assert.deepEqual(
        { end: plain.end, label: plain.origin.label, hops: plain.hops.length },
        { end: 'origin', label: 'carol (IAM user)', hops: 0 },
      );
    } finally {
      client.dispose();
    }
  });
});
