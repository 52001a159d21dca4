import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { normalizeEvent } from '../../../../src/core/model/records';
import { ChainIndex, MAX_CHAIN_HOPS, type Chain } from '../../../../src/core/investigate/identity/chains';
import { anEvent } from '../../../builders/events';
import { A, B, assumeRole, callBy, iamUser, roleSession, sampleStore, storeOf } from './chainBuilders';

/** `origin → hop → hop` as the event view shows it. */
const line = (c: Chain): string =>
  [c.origin.label, ...c.hops.map((h) => `${h.identity}${h.inferred ? '?' : ''}${h.crossAccount ? '(x)' : ''}`)].join(
    ' → ',
  );
const rowWhere = (store: ReturnType<typeof storeOf>, f: (r: number) => boolean): number => {
  for (let r = 0; r < store.size; r++) if (f(r)) return r;
  throw new Error('no such row');
};

describe('credential chains on real sample data', () => {
  test("invictus: a Stratus role session leads back to bert-jan's long-term key", () => {
    const store = sampleStore('invictus-ir_aws_dataset/CloudTrail');
    const index = new ChainIndex(store);
    const row = rowWhere(store, (r) => store.value('accessKeyId', r) === 'ASIATFQR7NSCWLLE7IWW');
    const c = index.chainOf(row);
    assert.equal(c.end, 'origin');
    assert.deepEqual(c.notes, []);
    assert.equal(c.origin.kind, 'iamUser');
    assert.equal(c.origin.name, 'bert-jan');
    assert.equal(c.origin.arn, 'arn:aws:iam::123837392027:user/bert-jan');
    assert.equal(c.origin.inferred, false);
    assert.equal(c.hops.length, 1);
    const hop = c.hops[0];
    assert.equal(hop.identity, 'stratus-red-team-ec2-get-password-data-role/aws-go-sdk-1688990082523310002');
    assert.equal(hop.key, 'ASIATFQR7NSCWLLE7IWW');
    assert.equal(hop.callerKey, 'AKIATFQR7NSC8Q4X20BJ');
    assert.equal(hop.crossAccount, false);
    assert.equal(hop.sourceIp, '192.168.10.20');
    assert.equal(store.value('eventName', hop.row!), 'AssumeRole');
    assert.equal(new Date(hop.time).toISOString(), '2023-07-10T11:54:47.000Z');
    // Every role session with a key in the sample resolves to a loaded call.
    let sessions = 0;
    for (let r = 0; r < store.size; r++) {
      if (store.value('identityType', r) !== 'AssumedRole' || !store.value('accessKeyId', r)) continue;
      sessions++;
      const chain = index.chainOf(r);
      assert.equal(chain.end, 'origin', `row ${r}: ${line(chain)}`);
      assert.ok(chain.hops.every((h) => !h.inferred && h.row !== undefined));
    }
    assert.equal(sessions, 70);
  });

  test('invictus: stolen instance credentials come from an EC2 instance profile, whoever used them', () => {
    const store = sampleStore('invictus-ir_aws_dataset/CloudTrail');
    const index = new ChainIndex(store);
    const stolen = rowWhere(store, (r) => store.value('accessKeyId', r) === 'ASIATFQR7NSC36DZQP7P');
    assert.equal(store.value('sourceIp', stolen), '192.168.10.20', "used from the attacker's address");
    const c = index.chainOf(stolen);
    assert.equal(
      line(c),
      'i-0dbc91f429e48eeed (EC2 instance) → stratus-red-team-ec2-steal-credentials-role/i-0dbc91f429e48eeed',
    );
    assert.equal(c.origin.kind, 'instance');
    assert.equal(c.origin.provider, 'ec2.amazonaws.com');
    assert.equal(c.hops[0].sourceIp, 'ec2.amazonaws.com');
  });

  test('invictus: keyless and service identities are origins themselves; console sessions are inferred', () => {
    const store = sampleStore('invictus-ir_aws_dataset/CloudTrail');
    const index = new ChainIndex(store);
    const svc = index.chainOf(
      rowWhere(
        store,
        (r) =>
          store.value('identityType', r) === 'AWSService' && store.value('principal', r) === 'inspector2.amazonaws.com',
      ),
    );
    assert.equal(line(svc), 'inspector2.amazonaws.com (AWS service)');
    assert.equal(svc.end, 'origin');
    // Inspector's service-linked role session: the path of its role names the service.
    const slr = index.chainOf(
      rowWhere(store, (r) => store.value('principal', r).startsWith('AWSServiceRoleForAmazonInspector2/')),
    );
    assert.equal(slr.origin.name, 'inspector2.amazonaws.com');
    assert.equal(slr.origin.inferred, true);
    assert.equal(slr.end, 'missing');
    const user = index.chainOf(rowWhere(store, (r) => store.value('accessKeyId', r) === 'AKIATFQR7NSC8Q4X20BJ'));
    assert.equal(line(user), 'bert-jan (IAM user)');
    const consoleRow = rowWhere(
      store,
      (r) =>
        store.value('principal', r) === 'benjamin' && store.raw(r).includes('"sessionCredentialFromConsole":"true"'),
    );
    const viaConsole = index.chainOf(consoleRow);
    assert.equal(line(viaConsole), 'benjamin (IAM user) → benjamin (console)?');
    assert.equal(viaConsole.hops[0].eventName, 'ConsoleLogin');
  });

  test("otrf: the exfiltration used the proxy instance's role", () => {
    const store = sampleStore('otrf_security-datasets');
    const index = new ChainIndex(store);
    const row = rowWhere(
      store,
      (r) => store.value('eventName', r) === 'ListObjects' && store.value('identityType', r) === 'AssumedRole',
    );
    assert.equal(
      line(index.chainOf(row)),
      'i-0317f6c6b66ae9c40 (EC2 instance) → MordorNginxStack-BankingWAFRole-9S3E0UAE1MM0/i-0317f6c6b66ae9c40',
    );
  });
});

describe('credential chains built hop by hop', () => {
  const alice = iamUser('alice', 'AKIAALICE00000000001');
  const deploy = roleSession('Deploy', 'ci-run', 'ASIADEPLOY0000000001', B);
  const admin = roleSession('Admin', 'escalate', 'ASIAADMIN00000000001', B);

  test('two hops across accounts: each hop names its call, time, address and account', () => {
    const store = storeOf([
      assumeRole({
        caller: alice,
        role: 'Deploy',
        roleAccount: B,
        session: 'ci-run',
        key: 'ASIADEPLOY0000000001',
        time: '2024-03-01T10:00:00Z',
        sourceIp: '203.0.113.5',
      }),
      assumeRole({
        caller: deploy,
        role: 'Admin',
        roleAccount: B,
        session: 'escalate',
        key: 'ASIAADMIN00000000001',
        time: '2024-03-01T10:05:00Z',
      }),
      callBy(admin, '2024-03-01T10:06:00Z', { eventName: 'CreateUser', eventSource: 'iam.amazonaws.com' }),
    ]);
    const c = new ChainIndex(store).chainOf(2);
    assert.equal(line(c), 'alice (IAM user) → Deploy/ci-run(x) → Admin/escalate');
    assert.deepEqual(
      c.hops.map((h) => [h.row, h.eventName, h.account, h.callerAccount, h.sourceIp]),
      [
        [0, 'AssumeRole', B, A, '203.0.113.5'],
        [1, 'AssumeRole', B, B, '198.51.100.7'],
      ],
    );
    assert.equal(c.end, 'origin');
    assert.equal(c.origin.account, A);
    // The issuing call itself has the shorter chain.
    assert.equal(line(new ChainIndex(store).chainOf(1)), 'alice (IAM user) → Deploy/ci-run(x)');
  });

  test('Identity Center: portal call, SAML sign-in through the AWSSSO provider, then a chained role', () => {
    const ssoRole = 'AWSReservedSSO_AdministratorAccess_0123abcd4567ef89';
    const samlUser = {
      type: 'SAMLUser',
      principalId: 'Z3xg=:alice@corp',
      userName: 'alice@corp',
      identityProvider: 'Z3xg=',
    };
    const store = storeOf([
      anEvent({
        eventTime: '2024-03-01T08:59:58Z',
        eventSource: 'sso.amazonaws.com',
        eventName: 'GetRoleCredentials',
        userIdentity: { type: 'Unknown', principalId: 'u-1', accountId: '999988887777', userName: 'alice@corp' },
        requestParameters: { roleName: 'AdministratorAccess', accountId: A },
        responseElements: null,
        recipientAccountId: '999988887777',
      }),
      assumeRole({
        eventName: 'AssumeRoleWithSAML',
        caller: samlUser,
        role: ssoRole,
        session: 'alice@corp',
        key: 'ASIASSO0000000000001',
        time: '2024-03-01T09:00:00Z',
        requestParameters: { principalArn: `arn:aws:iam::${A}:saml-provider/AWSSSO_1a2b3c_DO_NOT_DELETE` },
        responseElements: { subject: 'alice@corp', subjectType: 'persistent' },
      }),
      assumeRole({
        caller: roleSession(ssoRole, 'alice@corp', 'ASIASSO0000000000001'),
        role: 'Deploy',
        session: 'ci-run',
        key: 'ASIADEPLOY0000000002',
        time: '2024-03-01T09:10:00Z',
      }),
      callBy(roleSession('Deploy', 'ci-run', 'ASIADEPLOY0000000002'), '2024-03-01T09:11:00Z'),
    ]);
    const c = new ChainIndex(store).chainOf(3);
    assert.equal(
      line(c),
      `alice@corp (Identity Center) → AdministratorAccess (Identity Center permission set)?(x) → ${ssoRole}/alice@corp → Deploy/ci-run`,
    );
    assert.equal(c.origin.kind, 'identityCenter');
    assert.equal(c.hops[0].row, 0, 'the portal call, matched by user, role, account and time');
    assert.equal(c.hops[0].crossAccount, true);
    assert.equal(c.end, 'origin');
  });

  test('SAML and web identity federation end at the external identity with its provider and subject', () => {
    const gh = {
      type: 'WebIdentityUser',
      principalId: `arn:aws:iam::${A}:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:repo:org/app:ref:refs/heads/main`,
      userName: 'repo:org/app:ref:refs/heads/main',
      identityProvider: `arn:aws:iam::${A}:oidc-provider/token.actions.githubusercontent.com`,
    };
    const okta = { type: 'SAMLUser', principalId: 'abc=:bob@corp', userName: 'bob@corp', identityProvider: 'abc=' };
    const store = storeOf([
      assumeRole({
        eventName: 'AssumeRoleWithWebIdentity',
        caller: gh,
        role: 'GitHubDeploy',
        session: 'gha-42',
        key: 'ASIAGH00000000000001',
        time: '2024-03-01T09:00:00Z',
        responseElements: {
          subjectFromWebIdentityToken: 'repo:org/app:ref:refs/heads/main',
          provider: `arn:aws:iam::${A}:oidc-provider/token.actions.githubusercontent.com`,
        },
      }),
      callBy(roleSession('GitHubDeploy', 'gha-42', 'ASIAGH00000000000001'), '2024-03-01T09:01:00Z'),
      assumeRole({
        eventName: 'AssumeRoleWithSAML',
        caller: okta,
        role: 'OktaAdmin',
        session: 'bob@corp',
        key: 'ASIAOKTA000000000001',
        time: '2024-03-01T09:00:00Z',
        requestParameters: { principalArn: `arn:aws:iam::${A}:saml-provider/Okta` },
        responseElements: { subject: 'bob@corp' },
      }),
      callBy(roleSession('OktaAdmin', 'bob@corp', 'ASIAOKTA000000000001'), '2024-03-01T09:01:00Z'),
    ]);
    const index = new ChainIndex(store);
    const web = index.chainOf(1).origin;
    assert.deepEqual(
      [web.kind, web.name, web.provider],
      [
        'webIdentity',
        'repo:org/app:ref:refs/heads/main',
        `arn:aws:iam::${A}:oidc-provider/token.actions.githubusercontent.com`,
      ],
    );
    const saml = index.chainOf(3).origin;
    assert.deepEqual(
      [saml.kind, saml.name, saml.provider, saml.subject],
      ['saml', 'bob@corp', `arn:aws:iam::${A}:saml-provider/Okta`, 'bob@corp'],
    );
  });

  test("GetSessionToken: an IAM user's temporary key leads to the user through the loaded call", () => {
    const bob = iamUser('bob', 'AKIABOB0000000000001');
    const store = storeOf([
      anEvent({
        eventTime: '2024-03-01T09:00:00Z',
        eventSource: 'sts.amazonaws.com',
        eventName: 'GetSessionToken',
        userIdentity: bob,
        requestParameters: { durationSeconds: 3600 },
        responseElements: { credentials: { accessKeyId: 'ASIABOBSESSION000001' } },
      }),
      callBy(iamUser('bob', 'ASIABOBSESSION000001'), '2024-03-01T09:01:00Z'),
    ]);
    const c = new ChainIndex(store).chainOf(1);
    assert.equal(line(c), 'bob (IAM user) → bob (session)');
    assert.equal(c.hops[0].row, 0);
    assert.equal(c.end, 'origin');
  });
});

describe('missing hops: what the identity still says, marked inferred', () => {
  test('sourceIdentity, Identity Center roles and instance sessions name the origin without the issuing call', () => {
    const store = storeOf([
      callBy(
        roleSession('Ops', 'carol-session', 'ASIAUNSEEN0000000001', A, { sourceIdentity: 'carol' }),
        '2024-03-01T09:00:00Z',
      ),
      callBy(roleSession('AWSReservedSSO_ReadOnly_99aa', 'dave@corp', 'ASIAUNSEEN0000000002'), '2024-03-01T09:00:00Z'),
      callBy(roleSession('WebTier', 'i-0123456789abcdef0', 'ASIAUNSEEN0000000003'), '2024-03-01T09:00:00Z'),
      callBy(roleSession('Mystery', 'x', 'ASIAUNSEEN0000000004'), '2024-03-01T09:00:00Z'),
    ]);
    const index = new ChainIndex(store);
    const chains = [0, 1, 2, 3].map((r) => index.chainOf(r));
    assert.deepEqual(chains.map(line), [
      'carol (source identity) → Ops/carol-session?',
      'dave@corp (Identity Center) → AWSReservedSSO_ReadOnly_99aa/dave@corp?',
      'i-0123456789abcdef0 (EC2 instance) → WebTier/i-0123456789abcdef0?',
      'unknown origin → Mystery/x?',
    ]);
    for (const c of chains) {
      assert.equal(c.end, 'missing');
      assert.equal(c.origin.inferred, true);
    }
    assert.equal(chains[1].hops[0].eventName, 'AssumeRoleWithSAML');
  });

  test("a loaded hop whose own caller's call is missing continues inferred above it", () => {
    const store = storeOf([
      assumeRole({
        caller: roleSession('Jump', 'eve', 'ASIAJUMPNOTLOADED001', A, { sourceIdentity: 'eve' }),
        role: 'Target',
        session: 't',
        key: 'ASIATARGET0000000001',
        time: '2024-03-01T09:00:00Z',
      }),
      callBy(roleSession('Target', 't', 'ASIATARGET0000000001'), '2024-03-01T09:01:00Z'),
    ]);
    const c = new ChainIndex(store).chainOf(1);
    assert.equal(line(c), 'eve (source identity) → Jump/eve? → Target/t');
    assert.equal(c.end, 'missing');
    assert.equal(c.hops[1].row, 0);
  });
});

describe('hostile chains end with a note, never a hang', () => {
  test('a call minting the key it was made with, and a cycle of two keys', () => {
    const self = roleSession('Loop', 's', 'ASIALOOP000000000001');
    const k1 = roleSession('One', 'a', 'ASIAONE0000000000001');
    const k2 = roleSession('Two', 'b', 'ASIATWO0000000000001');
    const store = storeOf([
      assumeRole({
        caller: self,
        role: 'Loop',
        session: 's',
        key: 'ASIALOOP000000000001',
        time: '2024-03-01T09:00:00Z',
      }),
      callBy(self, '2024-03-01T09:01:00Z'),
      assumeRole({ caller: k2, role: 'One', session: 'a', key: 'ASIAONE0000000000001', time: '2024-03-01T09:00:00Z' }),
      assumeRole({ caller: k1, role: 'Two', session: 'b', key: 'ASIATWO0000000000001', time: '2024-03-01T09:00:00Z' }),
      callBy(k1, '2024-03-01T09:01:00Z'),
    ]);
    const index = new ChainIndex(store);
    const selfUse = index.chainOf(1);
    assert.equal(selfUse.end, 'loop');
    assert.match(selfUse.notes.join(' '), /loops/);
    assert.equal(index.chainOf(0).end, 'loop', 'the minting call itself');
    assert.match(index.chainOf(0).notes.join(' '), /minted the very key/);
    const cycle = index.chainOf(4);
    assert.equal(cycle.end, 'loop');
    assert.equal(cycle.origin.kind, 'unknown');
    assert.ok(cycle.hops.length <= 2);
    assert.equal(index.originOf(4).kind, 'unknown');
  });

  test('a key minted twice: the latest call before each use is taken, and the ambiguity noted', () => {
    const mallory = iamUser('mallory', 'AKIAMALLORY000000001');
    const alice = iamUser('alice', 'AKIAALICE00000000001');
    const use = roleSession('Shared', 's', 'ASIAREUSED0000000001');
    const store = storeOf([
      assumeRole({
        caller: alice,
        role: 'Shared',
        session: 's',
        key: 'ASIAREUSED0000000001',
        time: '2024-03-01T09:00:00Z',
        requestId: 'r-1',
      }),
      assumeRole({
        caller: mallory,
        role: 'Shared',
        session: 's',
        key: 'ASIAREUSED0000000001',
        time: '2024-03-01T12:00:00Z',
        requestId: 'r-2',
      }),
      callBy(use, '2024-03-01T10:00:00Z'),
      callBy(use, '2024-03-01T13:00:00Z'),
      callBy(use, '2024-03-01T08:00:00Z'),
    ]);
    const index = new ChainIndex(store);
    const early = index.chainOf(2);
    assert.equal(early.origin.name, 'alice');
    assert.match(early.notes.join(' '), /minted by 2 different calls \(rows 0, 1\).*row 0/);
    assert.equal(index.chainOf(3).origin.name, 'mallory');
    assert.equal(index.originOf(3).name, 'mallory');
    const before = index.chainOf(4);
    assert.equal(before.origin.name, 'alice', 'used before any minting call: the earliest is taken');
    assert.match(before.notes.join(' '), /minted only after this use/);
  });

  test('one cross-account call logged in both accounts is one minting, not a reused key', () => {
    const alice = iamUser('alice', 'AKIAALICE00000000001');
    const asSeenByB = { type: 'AWSAccount', principalId: 'AIDAALICE', accountId: A };
    const store = storeOf([
      assumeRole({
        caller: asSeenByB,
        role: 'Deploy',
        roleAccount: B,
        session: 'x',
        key: 'ASIAXACCT0000000001',
        time: '2024-03-01T09:00:00Z',
        requestId: 'same',
      }),
      assumeRole({
        caller: alice,
        role: 'Deploy',
        roleAccount: B,
        session: 'x',
        key: 'ASIAXACCT0000000001',
        time: '2024-03-01T09:00:00Z',
        requestId: 'same',
      }),
      callBy(roleSession('Deploy', 'x', 'ASIAXACCT0000000001', B), '2024-03-01T09:01:00Z'),
    ]);
    const index = new ChainIndex(store);
    const c = index.chainOf(2);
    assert.deepEqual(c.notes, []);
    assert.equal(index.mintersOf('ASIAXACCT0000000001').length, 1);
    assert.equal(line(c), 'alice (IAM user) → Deploy/x(x)', "the copy naming the caller's key is kept");
  });

  test(`a chain longer than ${MAX_CHAIN_HOPS} hops is cut`, () => {
    const events: Array<Record<string, unknown>> = [];
    const key = (i: number): string => `ASIACHAIN${String(i).padStart(11, '0')}`;
    for (let i = 0; i < 40; i++) {
      const caller =
        i === 0 ? iamUser('root-cause', 'AKIAROOTCAUSE0000001') : roleSession(`R${i - 1}`, 's', key(i - 1));
      events.push(
        assumeRole({
          caller,
          role: `R${i}`,
          session: 's',
          key: key(i),
          time: `2024-03-01T09:${String(i).padStart(2, '0')}:00Z`,
        }),
      );
    }
    events.push(callBy(roleSession('R39', 's', key(39)), '2024-03-01T10:00:00Z'));
    const store = storeOf(events);
    const index = new ChainIndex(store);
    const c = index.chainOf(40);
    assert.equal(c.end, 'tooLong');
    assert.equal(c.hops.length, MAX_CHAIN_HOPS);
    assert.equal(c.hops[c.hops.length - 1].identity, 'R39/s', 'the hops nearest the event are kept');
    assert.match(c.notes.join(' '), /longer than 16 hops/);
    assert.equal(
      line(index.chainOf(10)),
      'root-cause (IAM user) → R0/s → R1/s → R2/s → R3/s → R4/s → R5/s → R6/s → R7/s → R8/s → R9/s',
    );
  });

  test('__proto__ and constructor as keys, roles and sessions are plain strings', () => {
    const caller = roleSession('__proto__', 'constructor', '__proto__');
    const store = storeOf([
      assumeRole({
        caller: iamUser('__proto__', 'constructor'),
        role: '__proto__',
        session: 'constructor',
        key: '__proto__',
        time: '2024-03-01T09:00:00Z',
      }),
      callBy(caller, '2024-03-01T09:01:00Z'),
      callBy(roleSession('x', 'y', 'toString'), '2024-03-01T09:01:00Z'),
    ]);
    const index = new ChainIndex(store);
    assert.equal(line(index.chainOf(1)), '__proto__ (IAM user) → __proto__/constructor');
    assert.equal(index.chainOf(2).end, 'missing');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf({}), Object.prototype);
  });

  test('the index follows rows added after it was built', () => {
    const store = storeOf([callBy(roleSession('Late', 's', 'ASIALATE000000000001'), '2024-03-01T09:01:00Z')]);
    const index = new ChainIndex(store);
    assert.equal(index.chainOf(0).end, 'missing');
    store.add(
      normalizeEvent(
        assumeRole({
          caller: iamUser('zed', 'AKIAZED0000000000001'),
          role: 'Late',
          session: 's',
          key: 'ASIALATE000000000001',
          time: '2024-03-01T09:00:00Z',
        }),
      ),
      1,
    );
    assert.equal(line(index.chainOf(0)), 'zed (IAM user) → Late/s');
    index.update();
    assert.equal(index.originOf(0).name, 'zed');
    // A memoized chain grows when the call above it arrives.
    store.add(
      normalizeEvent(
        assumeRole({
          caller: roleSession('Jump', 'j', 'ASIAJUMP000000000001'),
          role: 'Next',
          session: 'n',
          key: 'ASIANEXT000000000001',
          time: '2024-03-01T09:05:00Z',
        }),
      ),
      1,
    );
    store.add(normalizeEvent(callBy(roleSession('Next', 'n', 'ASIANEXT000000000001'), '2024-03-01T09:06:00Z')), 1);
    assert.equal(line(index.chainOf(3)), 'unknown origin → Jump/j? → Next/n');
    assert.equal(index.originOf(3).name, '');
    store.add(
      normalizeEvent(
        assumeRole({
          caller: iamUser('yan', 'AKIAYAN0000000000001'),
          role: 'Jump',
          session: 'j',
          key: 'ASIAJUMP000000000001',
          time: '2024-03-01T09:04:00Z',
        }),
      ),
      2,
    );
    assert.equal(line(index.chainOf(3)), 'yan (IAM user) → Jump/j → Next/n');
    assert.equal(index.originOf(3).name, 'yan');
  });
});
