import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describePrincipal } from '../../../src/core/model/principal';
import { parseEventTime, formatUtc } from '../../../src/core/model/time';

const name = (ui: Record<string, unknown> | undefined): string => describePrincipal(ui).name;

test('a short readable name for every identity type', () => {
  assert.equal(name({ type: 'Root', arn: 'arn:aws:iam::1:root', accountId: '1' }), 'root');
  assert.equal(name({ type: 'IAMUser', userName: 'bert-jan', arn: 'arn:aws:iam::1:user/bert-jan' }), 'bert-jan');
  assert.equal(name({ type: 'IAMUser', arn: 'arn:aws:iam::1:user/path/alice' }), 'alice');
  assert.equal(
    name({
      type: 'AssumedRole',
      arn: 'arn:aws:sts::1:assumed-role/Admin/alice@example.com',
      sessionContext: { sessionIssuer: { userName: 'Admin' } },
    }),
    'Admin/alice@example.com',
  );
  assert.equal(name({ type: 'AssumedRole', principalId: 'AROAEXAMPLE:i-0abc' }), 'i-0abc');
  assert.equal(name({ type: 'FederatedUser', arn: 'arn:aws:sts::1:federated-user/bob' }), 'federated/bob');
  assert.equal(name({ type: 'AWSService', invokedBy: 'cloudtrail.amazonaws.com' }), 'cloudtrail.amazonaws.com');
  assert.equal(
    name({ type: 'AWSAccount', accountId: '999988887777', invokedBy: 'ec2.amazonaws.com' }),
    'account 999988887777 via ec2.amazonaws.com',
  );
  assert.equal(name({ type: 'IdentityCenterUser', onBehalfOf: { userId: 'u-123' } }), 'identity-center/u-123');
  assert.equal(name({ type: 'SAMLUser', userName: 'jane@corp' }), 'jane@corp');
  assert.equal(name({ type: 'WebIdentityUser', principalId: 'accounts.google.com:sub' }), 'accounts.google.com:sub');
  assert.equal(name({ type: 'Unknown', principalId: '' }), 'unknown');
  assert.equal(name({ accountId: '1', invokedBy: 'secretsmanager.amazonaws.com' }), 'secretsmanager.amazonaws.com');
  assert.equal(name(undefined), '');
});

test('access key and account travel with the principal', () => {
  const p = describePrincipal({ type: 'IAMUser', userName: 'u', accessKeyId: 'AKIA1', accountId: '42' });
  assert.deepEqual([p.type, p.accessKeyId, p.account], ['IAMUser', 'AKIA1', '42']);
});

test('event times in every form the samples use', () => {
  assert.equal(parseEventTime('2023-07-10T11:42:18Z'), Date.UTC(2023, 6, 10, 11, 42, 18));
  assert.equal(parseEventTime('2022-02-08 09:23:37+11:00'), Date.UTC(2022, 1, 7, 22, 23, 37));
  assert.equal(parseEventTime('2026-01-11 22:54:56.000000000'), Date.UTC(2026, 0, 11, 22, 54, 56));
  assert.equal(parseEventTime('2020-09-14T00:44:23.123Z'), Date.UTC(2020, 8, 14, 0, 44, 23, 123));
  assert.equal(parseEventTime('2020-09-14T00:44:23-0530'), Date.UTC(2020, 8, 14, 6, 14, 23));
  assert.ok(Number.isNaN(parseEventTime('ThisIsAWrongEventTime')));
  assert.ok(Number.isNaN(parseEventTime('')));
  assert.equal(formatUtc(Date.UTC(2023, 6, 10, 11, 42, 18)), '2023-07-10 11:42:18Z');
  assert.equal(formatUtc(NaN), '');
});
