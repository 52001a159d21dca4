import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SearchEngine } from '../../../../src/core/query/search';
import { ChainIndex } from '../../../../src/core/investigate/identity/chains';
import {
  issuedByRows,
  issuedByRowSets,
  originRows,
  originRowSets,
} from '../../../../src/core/investigate/identity/rowSets';
import { B, assumeRole, callBy, iamUser, roleSession, sampleStore, storeOf } from './chainBuilders';

const newestFirst = (store: ReturnType<typeof storeOf>, rows: Uint32Array): boolean =>
  rows.every((r, i) => i === 0 || store.time(rows[i - 1]) >= store.time(r));

describe('origin: and issuedBy: row sets', () => {
  test('invictus: origin:bert-jan is everything bert-jan did, directly or through the roles he assumed', () => {
    const store = sampleStore('invictus-ir_aws_dataset/CloudTrail');
    const index = new ChainIndex(store);
    const sets = originRowSets(index);
    const bert = sets.get('bert-jan')!;
    const direct = [...Array(store.size).keys()].filter((r) => store.value('principal', r) === 'bert-jan');
    const viaRoles = [...bert].filter((r) => store.value('identityType', r) === 'AssumedRole');
    assert.equal(direct.length, 2642);
    assert.equal(viaRoles.length, 47, "the Stratus role sessions' events");
    assert.equal(bert.length, direct.length + viaRoles.length);
    assert.ok(newestFirst(store, bert));
    assert.deepEqual(
      [...sets.get('arn:aws:iam::123837392027:user/bert-jan')!],
      [...bert].filter(
        (r) => store.value('principalArn', r) !== '' || store.value('identityType', r) === 'AssumedRole',
      ),
    );
    assert.equal(sets.get('i-0dbc91f429e48eeed')!.length, 15);
    // Globs, ignoring case, as the search term will.
    assert.deepEqual([...originRows(index, 'BERT-*')], [...bert]);
    assert.equal(originRows(index, 'i-0*').length, 15 + 8);
    // issuedBy: the sessions bert-jan's key minted are exactly the role events above.
    assert.deepEqual([...issuedByRows(index, 'AKIATFQR7NSC8Q4X20BJ')], viaRoles);
  });

  test('the sets are what SearchEngine.setRowSets takes: a set term selects them', () => {
    const store = sampleStore('invictus-ir_aws_dataset/CloudTrail');
    const index = new ChainIndex(store);
    const engine = new SearchEngine(store);
    // `detection` is the family the parser knows today; `origin` works the same once added.
    engine.setRowSets('detection', originRowSets(index));
    const rows = engine.search('detection:i-0dbc* ip:192.168.10.20').rows;
    assert.deepEqual(
      [...rows].map((r) => store.value('eventName', r)).sort(),
      ['DescribeInstances', 'GetCallerIdentity'],
      'the stolen credentials, used off the instance',
    );
    assert.equal(engine.search('detection:I-0DBC91F429E48EEED').rows.length, 15);
  });

  test("issuedBy follows any number of hops; origin: matches a multi-hop chain's first identity", () => {
    const alice = iamUser('alice', 'AKIAALICE00000000001');
    const store = storeOf([
      assumeRole({
        caller: alice,
        role: 'Deploy',
        roleAccount: B,
        session: 'ci',
        key: 'ASIAD00000000000001',
        time: '2024-03-01T10:00:00Z',
      }),
      assumeRole({
        caller: roleSession('Deploy', 'ci', 'ASIAD00000000000001', B),
        role: 'Admin',
        roleAccount: B,
        session: 'x',
        key: 'ASIAX00000000000001',
        time: '2024-03-01T10:05:00Z',
      }),
      callBy(roleSession('Admin', 'x', 'ASIAX00000000000001', B), '2024-03-01T10:06:00Z'),
      callBy(roleSession('Deploy', 'ci', 'ASIAD00000000000001', B), '2024-03-01T10:07:00Z'),
      callBy(alice, '2024-03-01T10:08:00Z'),
      callBy(iamUser('bob', 'AKIABOB0000000000001'), '2024-03-01T10:09:00Z'),
    ]);
    const index = new ChainIndex(store);
    const by = issuedByRowSets(index);
    assert.deepEqual([...by.get('AKIAALICE00000000001')!], [3, 2, 1]);
    assert.deepEqual([...by.get('ASIAD00000000000001')!], [2]);
    assert.equal(by.has('AKIABOB0000000000001'), false);
    assert.deepEqual([...originRowSets(index).get('alice')!], [4, 3, 2, 1, 0]);
    assert.deepEqual([...originRowSets(index, Uint32Array.of(2, 5)).get('alice')!], [2], 'restricted to given rows');
  });
});
