import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ChainIndex } from '../../../../src/core/investigate/identity/chains';
import { keyReport } from '../../../../src/core/investigate/identity/keyReport';
import { anEvent } from '../../../builders/events';
import { assumeRole, callBy, iamUser, roleSession, sampleStore, storeOf } from './chainBuilders';

describe('access-key report', () => {
  test("invictus: bert-jan's key — use, errors, addresses, agents, services, and the sessions it minted", () => {
    const store = sampleStore('invictus-ir_aws_dataset/CloudTrail');
    const index = new ChainIndex(store);
    const k = keyReport(index, 'AKIATFQR7NSC8Q4X20BJ', 3);
    assert.equal(k.kind, 'longTerm');
    assert.equal(k.events, 2104);
    assert.equal(k.errors, 224);
    assert.equal(k.errorRate, 224 / 2104);
    assert.equal(new Date(k.firstSeen).toISOString(), '2023-07-10T11:54:33.000Z');
    assert.equal(new Date(k.lastSeen).toISOString(), '2023-07-10T12:29:09.000Z');
    assert.deepEqual(k.principals, [{ value: 'bert-jan', count: 2104 }]);
    assert.deepEqual(k.sourceIps, [{ value: '192.168.10.20', count: 2104 }]);
    assert.deepEqual(k.eventSources, [
      { value: 'ec2.amazonaws.com', count: 736 },
      { value: 'ssm.amazonaws.com', count: 467 },
      { value: 'iam.amazonaws.com', count: 392 },
    ]);
    assert.deepEqual(k.errorCodes[0], { value: 'ThrottlingException', count: 102 });
    assert.equal(k.userAgents.length, 3);
    assert.equal(k.sessions.length, 10);
    assert.deepEqual(
      k.sessions.find((s) => s.key === 'ASIATFQR7NSCWLLE7IWW'),
      {
        row: k.sessions.find((s) => s.key === 'ASIATFQR7NSCWLLE7IWW')!.row,
        time: Date.parse('2023-07-10T11:54:47Z'),
        eventName: 'AssumeRole',
        identity: 'stratus-red-team-ec2-get-password-data-role/aws-go-sdk-1688990082523310002',
        key: 'ASIATFQR7NSCWLLE7IWW',
        events: 29,
      },
    );
    assert.equal(
      k.sessions.reduce((s, x) => s + x.events, 0),
      47,
    );
    assert.deepEqual(k.life, [], 'created before the logs begin');
  });

  test('invictus: a backdoor key created and deleted by bert-jan, never used', () => {
    const store = sampleStore('invictus-ir_aws_dataset/CloudTrail');
    const k = keyReport(new ChainIndex(store), 'AKIATFQR7NSC3ZO6PKAZ');
    assert.deepEqual(
      k.life.map((l) => [l.eventName, l.by, l.userName, new Date(l.time).toISOString()]),
      [
        ['CreateAccessKey', 'bert-jan', 'stratus-red-team-backdoor-u-user', '2023-07-10T12:24:29.000Z'],
        ['DeleteAccessKey', 'bert-jan', 'stratus-red-team-backdoor-u-user', '2023-07-10T12:28:24.000Z'],
      ],
    );
    assert.equal(k.events, 0);
    assert.ok(Number.isNaN(k.firstSeen));
    assert.equal(k.errorRate, 0);
  });

  test('a temporary key: the call that minted it; status changes; hostile ids', () => {
    const alice = iamUser('alice', 'AKIAALICE00000000001');
    const store = storeOf([
      assumeRole({
        caller: alice,
        role: 'Ops',
        session: 's',
        key: 'ASIAOPS0000000000001',
        time: '2024-03-01T09:00:00Z',
      }),
      callBy(roleSession('Ops', 's', 'ASIAOPS0000000000001'), '2024-03-01T09:01:00Z', { errorCode: 'AccessDenied' }),
      callBy(roleSession('Ops', 's', 'ASIAOPS0000000000001'), '2024-03-01T09:02:00Z'),
      anEvent({
        eventSource: 'iam.amazonaws.com',
        eventName: 'UpdateAccessKey',
        eventTime: '2024-03-01T10:00:00Z',
        requestParameters: { accessKeyId: 'AKIAALICE00000000001', status: 'Inactive', userName: 'alice' },
      }),
      anEvent({
        eventSource: 'iam.amazonaws.com',
        eventName: 'UpdateAccessKey',
        eventTime: '2024-03-01T10:00:00Z',
        requestParameters: { accessKeyId: '__proto__', status: 'Active' },
      }),
    ]);
    const index = new ChainIndex(store);
    const t = keyReport(index, 'ASIAOPS0000000000001');
    assert.equal(t.kind, 'temporary');
    assert.equal(t.mintedBy!.row, 0);
    assert.equal(t.mintedBy!.callerKey, 'AKIAALICE00000000001');
    assert.equal(t.errorRate, 0.5);
    const a = keyReport(index, 'AKIAALICE00000000001');
    assert.deepEqual(
      a.life.map((l) => [l.eventName, l.status]),
      [['UpdateAccessKey', 'Inactive']],
    );
    assert.deepEqual(
      a.sessions.map((s) => [s.key, s.events]),
      [['ASIAOPS0000000000001', 2]],
    );
    const proto = keyReport(index, '__proto__');
    assert.deepEqual(
      proto.life.map((l) => l.status),
      ['Active'],
    );
    assert.equal(keyReport(index, '').events, 0);
  });
});
