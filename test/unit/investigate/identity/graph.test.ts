import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SearchEngine } from '../../../../src/core/query/search';
import { ChainIndex } from '../../../../src/core/investigate/identity/chains';
import { identityGraph } from '../../../../src/core/investigate/identity/graph';
import { B, assumeRole, callBy, iamUser, roleSession, sampleStore, storeOf } from './chainBuilders';

describe('identity graph', () => {
  test('invictus: nodes count events, edges count assumptions (failed ones too), and every query selects exactly them', () => {
    const store = sampleStore('invictus-ir_aws_dataset/CloudTrail');
    const g = identityGraph(new ChainIndex(store), { maxNodes: 1000 });
    const engine = new SearchEngine(store);
    const bert = g.nodes.find((n) => n.id === 'user:arn:aws:iam::123837392027:user/bert-jan')!;
    assert.equal(bert.kind, 'user');
    assert.equal(bert.events, 2641);
    const pwd = g.edges.find(
      (e) => e.from === bert.id && e.to === 'role:123837392027:stratus-red-team-ec2-get-password-data-role',
    )!;
    assert.deepEqual(
      [pwd.ok, pwd.failed, pwd.crossAccount],
      [2, 3, false],
      'three AccessDenied tries: the role is named only by the error message',
    );
    const ec2 = g.edges.find((e) => e.from === 'service:ec2.amazonaws.com' && e.to.endsWith('steal-credentials-role'))!;
    assert.equal(ec2.ok, 2);
    assert.equal(g.nodes.reduce((s, n) => s + n.events, 0) + g.anonymous, store.size);
    for (const n of g.nodes) {
      if (!n.query) continue;
      assert.equal(engine.search(n.query).rows.length, n.events, `${n.id}: ${n.query}`);
    }
    for (const e of g.edges) {
      assert.ok(e.query, e.id);
      assert.equal(engine.search(e.query).rows.length, e.ok, `${e.id}: ${e.query}`);
      if (e.failed) assert.equal(engine.search(e.failedQuery!).rows.length, e.failed, `${e.id}: ${e.failedQuery}`);
    }
    assert.equal(
      pwd.failedQuery,
      'eventName:AssumeRole principal:arn:aws:iam::123837392027:user/bert-jan error:* errorMessage:*arn:aws:iam::123837392027:role/stratus-red-team-ec2-get-password-data-role',
    );
    const role = g.nodes.find((n) => n.id === 'role:123837392027:stratus-red-team-ec2-get-password-data-role')!;
    assert.deepEqual([role.events, role.errors], [29, 29]);
  });

  test('cross-account and failed assumptions are marked; past maxNodes the rest folds into "other"', () => {
    const alice = iamUser('alice', 'AKIAALICE00000000001');
    const events = [
      assumeRole({
        caller: alice,
        role: 'Deploy',
        roleAccount: B,
        session: 'a',
        key: 'ASIAD00000000000001',
        time: '2024-03-01T10:00:00Z',
      }),
      assumeRole({
        caller: alice,
        role: 'Deploy',
        roleAccount: B,
        session: 'b',
        key: '',
        time: '2024-03-01T10:01:00Z',
        errorCode: 'AccessDenied',
      }),
      callBy(roleSession('Deploy', 'a', 'ASIAD00000000000001', B), '2024-03-01T10:02:00Z'),
      callBy(roleSession('Deploy', 'a', 'ASIAD00000000000001', B), '2024-03-01T10:03:00Z'),
      ...Array.from({ length: 5 }, (_, i) => callBy(iamUser(`u${i}`, `AKIAU${i}000000000000`), '2024-03-01T10:04:00Z')),
    ];
    const index = new ChainIndex(storeOf(events));
    const g = identityGraph(index);
    const e = g.edges.find((x) => x.to === `role:${B}:Deploy`)!;
    assert.deepEqual([e.ok, e.failed, e.crossAccount], [1, 1, true]);
    assert.equal(g.nodes.find((n) => n.id === `role:${B}:Deploy`)!.events, 2);
    const engine = new SearchEngine(index.store);
    assert.deepEqual([...engine.search(e.query!).rows], [0]);
    assert.deepEqual([...engine.search(e.failedQuery!).rows], [1]);
    assert.equal(engine.search(g.nodes.find((n) => n.id === `role:${B}:Deploy`)!.query!).rows.length, 2);
    const small = identityGraph(index, { maxNodes: 3 });
    assert.equal(small.nodes.length, 3);
    const other = small.nodes[2];
    assert.deepEqual([other.id, small.folded], ['other', 5]);
    assert.equal(
      small.nodes.reduce((s, n) => s + n.events, 0),
      9,
    );
    assert.equal(other.query, undefined);
  });
});
