import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  activeProfileName,
  loadProfiles,
  parseProfiles,
  profileFilePaths,
  type AwsProfile,
} from '../../../src/core/aws/profiles';
import { isRegionCode, regionName, REGIONS } from '../../../src/core/aws/regions';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLETOKENvalue';
const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';

function byName(profiles: AwsProfile[], name: string): AwsProfile {
  const p = profiles.find((x) => x.name === name);
  assert.ok(p, `profile ${name} in ${profiles.map((x) => x.name).join(', ')}`);
  return p;
}
const one = (config: string, credentials = '', name = 'p'): AwsProfile =>
  byName(parseProfiles({ config, credentials }), name);
const names = (ps: AwsProfile[]): string[] => ps.map((p) => p.name);

describe('profiles: the two files', () => {
  test('default and named profiles from both files, sorted default first then by name', () => {
    const ps = parseProfiles({
      config:
        '[profile zeta]\nregion = eu-west-1\n[default]\nregion = us-east-1\n[profile Alpha]\nregion = us-west-2\n',
      credentials: `[beta]\naws_access_key_id = ${KEY_ID}\naws_secret_access_key = ${SECRET}\n[default]\naws_access_key_id = ${KEY_ID}\naws_secret_access_key = ${SECRET}\n`,
    });
    assert.deepEqual(names(ps), ['default', 'Alpha', 'beta', 'zeta']);
    const d = byName(ps, 'default');
    assert.deepEqual(d, {
      name: 'default',
      kind: 'static',
      detail: 'access key AKIA…MPLE',
      region: 'us-east-1',
      sources: ['config', 'credentials'],
      problems: [],
    });
    assert.deepEqual(byName(ps, 'beta').sources, ['credentials']);
    assert.deepEqual(byName(ps, 'zeta'), {
      name: 'zeta',
      kind: 'unknown',
      detail: 'no credentials configured',
      region: 'eu-west-1',
      sources: ['config'],
      problems: [],
    });
  });

  test('the credentials file wins for keys set in both; region prefers the config file', () => {
    const p = one(
      '[profile p]\naws_access_key_id = AKIACONFIGFILE0000001\naws_secret_access_key = x\nregion = eu-west-1\n',
      '[p]\naws_access_key_id = AKIACREDSFILE00000002\nregion = ap-south-1\n',
    );
    assert.equal(p.detail, 'access key AKIA…0002');
    assert.equal(p.region, 'eu-west-1');
    assert.equal(one('', '[p]\nregion = ap-south-1\n').region, 'ap-south-1');
  });

  test('[profile default] means default and overrides [default] key by key', () => {
    const ps = parseProfiles({
      config: '[profile default]\nregion = eu-west-1\n[default]\nregion = us-east-1\noutput = json\n',
    });
    assert.deepEqual(names(ps), ['default']);
    assert.equal(ps[0].region, 'eu-west-1');
    assert.match(ps[0].problems.join(), /both \[default\] and \[profile default\] define it/);
    assert.deepEqual(parseProfiles({ config: '[profile default]\nregion = eu-west-1\n' })[0].problems, []);
  });

  test('config sections that are not profiles are ignored; credentials sections have no prefix', () => {
    const ps = parseProfiles({
      config: `[services s]\ns3 =\n  endpoint_url = http://x\n[preview]\ncloudfront = true\n[profile]\nregion = x\n[profile a b]\nregion = x\n[profile "with space"]\nregion = us-east-1\n[profile 'with space']\noutput = json\n`,
      credentials: '[profile oops]\naws_access_key_id = AKIAOOPS000000000000\naws_secret_access_key = s\n',
    });
    assert.deepEqual(names(ps), ['profile oops', 'with space']);
    assert.match(byName(ps, 'profile oops').problems.join(), /uses \[NAME\], not \[profile NAME\]/);
    assert.deepEqual(byName(ps, 'with space').problems, [
      `both [profile "with space"] and [profile 'with space'] define it in the config file`,
    ]);
  });
});

describe('profiles: kinds', () => {
  const sso =
    '[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n';

  test('SSO with an sso_session', () => {
    const p = one(
      `${sso}[profile p]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = AdministratorAccess\nregion = eu-west-1\n`,
    );
    assert.deepEqual(p, {
      name: 'p',
      kind: 'sso',
      detail: 'SSO · corp (123456789012 / AdministratorAccess)',
      region: 'eu-west-1',
      sources: ['config'],
      problems: [],
      ssoSession: 'corp',
      ssoStartUrl: 'https://corp.awsapps.com/start',
      ssoAccountId: '123456789012',
      ssoRoleName: 'AdministratorAccess',
    });
    assert.deepEqual(parseProfiles({ config: sso }), [], 'an [sso-session] is not a profile');
  });

  test('SSO problems: missing session, conflicting settings, no account or role', () => {
    assert.match(
      one('[profile p]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = R\n').problems.join(),
      /sso_session "nope" has no \[sso-session nope\] section/,
    );
    assert.match(
      one(
        `${sso}[profile p]\nsso_session = corp\nsso_region = eu-west-1\nsso_account_id = 1\nsso_role_name = R\n`,
      ).problems.join(),
      /sso_region differs/,
    );
    const loginOnly = one(`${sso}[profile p]\nsso_session = corp\n`);
    assert.equal(loginOnly.kind, 'sso');
    assert.equal(loginOnly.detail, 'SSO · corp');
    assert.match(loginOnly.problems.join(), /sso_account_id and sso_role_name missing/);
  });

  test('legacy SSO with sso_start_url', () => {
    const p = one(
      '[profile p]\nsso_start_url = https://d-1234.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 111122223333\nsso_role_name = ReadOnly\n',
    );
    assert.equal(p.kind, 'sso');
    assert.equal(p.ssoSession, undefined);
    assert.equal(p.ssoStartUrl, 'https://d-1234.awsapps.com/start');
    assert.equal(p.detail, 'SSO · d-1234.awsapps.com (111122223333 / ReadOnly)');
    assert.deepEqual(p.problems, []);
    assert.match(
      one('[profile p]\nsso_account_id = 1\nsso_role_name = R\n').problems.join(),
      /the profile has no sso_start_url.*the profile has no sso_region/,
    );
  });

  test('assume role via source_profile and via credential_source, with MFA', () => {
    const ps = parseProfiles({
      config:
        '[profile p]\nrole_arn = arn:aws:iam::1:role/X\nsource_profile = default\nmfa_serial = arn:aws:iam::1:mfa/me\n[profile ec2]\nrole_arn = arn:aws:iam::1:role/Y\ncredential_source = Ec2InstanceMetadata\n',
      credentials: `[default]\naws_access_key_id = ${KEY_ID}\naws_secret_access_key = ${SECRET}\n`,
    });
    const p = byName(ps, 'p');
    assert.equal(p.kind, 'assumeRole');
    assert.equal(p.detail, 'assume role arn:aws:iam::1:role/X via default (MFA)');
    assert.deepEqual(
      [p.roleArn, p.sourceProfile, p.mfaSerial, p.problems],
      ['arn:aws:iam::1:role/X', 'default', 'arn:aws:iam::1:mfa/me', []],
    );
    const e = byName(ps, 'ec2');
    assert.equal(e.detail, 'assume role arn:aws:iam::1:role/Y via Ec2InstanceMetadata');
    assert.deepEqual([e.credentialSource, e.problems], ['Ec2InstanceMetadata', []]);
  });

  test('assume role problems', () => {
    assert.match(
      one('[profile p]\nrole_arn = arn:aws:iam::1:role/X\n').problems.join(),
      /without source_profile or credential_source/,
    );
    assert.match(
      one('[profile p]\nrole_arn = r\nsource_profile = ghost\n').problems.join(),
      /source_profile "ghost" does not exist/,
    );
    assert.match(
      one('[profile p]\nrole_arn = r\ncredential_source = Laptop\n').problems.join(),
      /credential_source "Laptop" is not one of/,
    );
    assert.match(
      one('[profile p]\nrole_arn = r\nsource_profile = p\ncredential_source = Environment\n').problems.join(),
      /both source_profile and credential_source/,
    );
    assert.match(
      one('[profile base]\nregion = us-east-1\n[profile p]\nrole_arn = r\nsource_profile = base\n').problems.join(),
      /"base" has no credentials configured/,
    );
  });

  test('chained roles are fine; loops are reported; a self-reference with static keys is allowed', () => {
    const chain = parseProfiles({
      config:
        '[profile a]\nrole_arn = ra\nsource_profile = b\n[profile b]\nrole_arn = rb\nsource_profile = c\n[profile c]\nsso_session = s\nsso_account_id = 1\nsso_role_name = R\n[sso-session s]\nsso_start_url = https://x\nsso_region = us-east-1\n',
    });
    assert.deepEqual(
      chain.map((p) => p.problems),
      [[], [], []],
    );
    const loop = parseProfiles({
      config:
        '[profile a]\nrole_arn = ra\nsource_profile = b\n[profile b]\nrole_arn = rb\nsource_profile = a\n[profile c]\nrole_arn = rc\nsource_profile = a\n',
    });
    assert.match(byName(loop, 'a').problems.join(), /loops: a → b → a/);
    assert.match(byName(loop, 'c').problems.join(), /loops: c → a → b → a/);
    assert.match(one('[profile p]\nrole_arn = r\nsource_profile = p\n').problems.join(), /loops: p → p/);
    assert.deepEqual(
      one(
        '[profile p]\nrole_arn = r\nsource_profile = p\n',
        `[p]\naws_access_key_id = ${KEY_ID}\naws_secret_access_key = s\n`,
      ).problems,
      [],
    );
    const ring = (n: number): string =>
      Array.from({ length: n }, (_, i) => `[profile r${i}]\nrole_arn = x\nsource_profile = r${(i + 1) % n}\n`).join('');
    assert.deepEqual(byName(parseProfiles({ config: ring(12) }), 'r0').problems, [
      'source_profile chain loops: r0 → r1 → r2 → … → r10 → r11 → r0',
    ]);
    assert.match(byName(parseProfiles({ config: ring(3000) }), 'r0').problems.join(), /longer than 50 profiles/);
    // A source with static keys ends the chain even if it also has a role_arn (botocore).
    assert.deepEqual(
      byName(
        parseProfiles({
          config:
            '[profile a]\nrole_arn = ra\nsource_profile = b\n[profile b]\nrole_arn = rb\nsource_profile = a\naws_access_key_id = AKIA0000000000000000\naws_secret_access_key = s\n',
        }),
        'a',
      ).problems,
      [],
    );
  });

  test('credential_process, web identity, static with session token, partial keys', () => {
    assert.deepEqual(one('[profile p]\ncredential_process = /bin/creds --secret hunter2\n'), {
      name: 'p',
      kind: 'process',
      detail: 'credential process',
      sources: ['config'],
      problems: [],
    });
    const w = one(
      '[profile p]\nrole_arn = arn:aws:iam::1:role/W\nweb_identity_token_file = /var/run/token\nsource_profile = nowhere\n',
    );
    assert.deepEqual(
      [w.kind, w.detail, w.roleArn, w.problems],
      ['webIdentity', 'web identity → arn:aws:iam::1:role/W', 'arn:aws:iam::1:role/W', []],
    );
    assert.match(one('[profile p]\nweb_identity_token_file = /t\n').problems.join(), /without role_arn/);
    assert.equal(
      one(
        '',
        `[p]\naws_access_key_id = ASIAEXAMPLE000000001\naws_secret_access_key = ${SECRET}\naws_session_token = ${TOKEN}\n`,
      ).detail,
      'access key ASIA…0001 (temporary)',
    );
    assert.match(one('', `[p]\naws_access_key_id = ${KEY_ID}\n`).problems.join(), /without aws_secret_access_key/);
    assert.deepEqual(
      [
        one('', '[p]\naws_secret_access_key = s\n').detail,
        one('', '[p]\naws_access_key_id = SHORT\naws_secret_access_key = s\n').detail,
      ],
      ['access key (missing)', 'access key ****'],
    );
  });

  test('environment credentials become an (environment) profile', () => {
    const ps = parseProfiles(
      { config: '[profile a]\nregion = us-east-1\n' },
      {
        AWS_ACCESS_KEY_ID: KEY_ID,
        AWS_SECRET_ACCESS_KEY: SECRET,
        AWS_SESSION_TOKEN: TOKEN,
        AWS_DEFAULT_REGION: 'eu-west-1',
      },
    );
    assert.deepEqual(names(ps), ['(environment)', 'a']);
    assert.deepEqual(ps[0], {
      name: '(environment)',
      kind: 'env',
      detail: 'environment variables',
      region: 'eu-west-1',
      sources: [],
      problems: [],
    });
    assert.equal(
      parseProfiles({}, { AWS_ACCESS_KEY_ID: KEY_ID, AWS_REGION: 'ap-south-1', AWS_DEFAULT_REGION: 'x' })[0].region,
      'ap-south-1',
    );
    assert.match(parseProfiles({}, { AWS_ACCESS_KEY_ID: KEY_ID })[0].problems.join(), /without AWS_SECRET_ACCESS_KEY/);
    assert.deepEqual(parseProfiles({}, { AWS_SECRET_ACCESS_KEY: SECRET }), []);
    assert.deepEqual(parseProfiles({}), []);
  });
});

describe('profiles: INI details and hostile input', () => {
  test('nested sub-sections do not leak into the profile; a non-indented line ends them', () => {
    const p = one(
      '[profile p]\ns3 =\n  max_concurrent_requests = 10\n  region = ap-south-1\n\n  aws_access_key_id = AKIALEAK000000000000\nregion = eu-west-1\n',
    );
    assert.deepEqual([p.kind, p.region], ['unknown', 'eu-west-1']);
    assert.equal(one('[profile p]\ns3 =\n\tregion = x\n').region, undefined);
  });

  test('comments, whitespace, upper-case keys, CRLF, CR and a BOM', () => {
    const p = one(
      '\uFEFF# top\r\n; also\r\n[profile p] # trailing\r\n  REGION\t=   eu-west-1   # why\r\n# role_arn = nope\r\nSSO_Start_URL = https://a.example/start#frag\r\n',
    );
    assert.deepEqual([p.region, p.ssoStartUrl, p.roleArn], ['eu-west-1', 'https://a.example/start#frag', undefined]);
    assert.equal(one('[profile p]\rregion = us-east-2\r').region, 'us-east-2');
    assert.equal(parseProfiles({ config: '\uFEFF[default]\nregion = us-east-1\n' })[0].name, 'default');
  });

  test('duplicate sections and keys are reported (the CLI rejects them); a broken header stops keys leaking', () => {
    const p = one('[profile p]\nregion = a\nregion = b\n[profile p]\noutput = json\n');
    assert.equal(p.region, 'b');
    assert.match(p.problems.join('|'), /region is set twice.*\|.*\[profile p\] appears more than once/);
    assert.equal(one('[profile p]\nregion = a\n[profile q\nregion = b\n[]\nregion = c\n').region, 'a');
  });

  test('garbage never throws', () => {
    const junk = [
      '',
      '=',
      '==\n[',
      ']]]',
      '[profile p]\n=x\n = \nkey\n[[[]]]\n\u0000\n',
      'x'.repeat(100_000),
      '\n'.repeat(1000),
      '[profile \u{1F600}]\nregion=\u{1F600}',
    ];
    let seed = 7;
    for (let i = 0; i < 200; i++) {
      let s = '';
      for (let j = 0; j < 200; j++)
        s += '[]=#; \n\r\tpa\'"~\\'.charAt((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 18);
      junk.push(s);
    }
    for (const text of junk) {
      assert.doesNotThrow(() => parseProfiles({ config: text, credentials: text }, { AWS_ACCESS_KEY_ID: text }));
    }
    assert.equal(one('[profile p]\nregion=\u{1F600}').region, '\u{1F600}');
  });

  test('__proto__ and constructor as section names and keys pollute nothing', () => {
    const ps = parseProfiles({
      config:
        '[profile __proto__]\nregion = x\npolluted = yes\n[profile constructor]\n__proto__ = y\nconstructor = z\n[sso-session __proto__]\nsso_start_url = u\n',
      credentials:
        '[__proto__]\npolluted = yes\n[toString]\naws_access_key_id = AKIA0000000000000000\naws_secret_access_key = s\n',
    });
    assert.deepEqual(names(ps), ['__proto__', 'constructor', 'toString']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(ps[0]), Object.prototype);
    assert.equal(byName(ps, '__proto__').region, 'x');
  });

  test('secret values never appear in the results', () => {
    const config = `[profile p]\naws_secret_access_key = ${SECRET}\naws_session_token = ${TOKEN}\nrole_arn = r\nsource_profile = p\n`;
    const credentials = `[default]\naws_access_key_id = ${KEY_ID}\naws_secret_access_key = ${SECRET}\naws_session_token = ${TOKEN}\n[p]\naws_secret_access_key = ${SECRET}\n[p]\naws_secret_access_key = ${SECRET}x\n`;
    const out = JSON.stringify(
      parseProfiles(
        { config, credentials },
        { AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: TOKEN },
      ),
    );
    for (const secret of [SECRET, TOKEN, KEY_ID, 'hunter2', 'wJal', 'IQoJ']) assert.ok(!out.includes(secret), secret);
    assert.ok(
      !JSON.stringify(one('[profile p]\ncredential_process = /bin/creds --secret hunter2\n')).includes('hunter2'),
    );
  });
});

describe('profiles: files, paths and the environment', () => {
  test('profileFilePaths honours the variables and expands ~', () => {
    assert.deepEqual(profileFilePaths({}), {
      config: join(homedir(), '.aws', 'config'),
      credentials: join(homedir(), '.aws', 'credentials'),
    });
    assert.deepEqual(
      profileFilePaths({ AWS_CONFIG_FILE: '/etc/aws/cfg', AWS_SHARED_CREDENTIALS_FILE: '~/secrets/creds' }),
      {
        config: '/etc/aws/cfg',
        credentials: join(homedir(), 'secrets', 'creds'),
      },
    );
    assert.equal(profileFilePaths({ AWS_CONFIG_FILE: '~' }).config, homedir());
    assert.equal(profileFilePaths({ AWS_CONFIG_FILE: '' }).config, join(homedir(), '.aws', 'config'));
    assert.equal(profileFilePaths({ AWS_CONFIG_FILE: 'rel/~/x' }).config, 'rel/~/x');
  });

  const dir = mkdtemp(join(tmpdir(), 'ctl-profiles-'));
  after(async () => rm(await dir, { recursive: true, force: true }));

  test('loadProfiles reads both files; a missing one is fine', async () => {
    const d = await dir;
    await writeFile(join(d, 'config'), '[default]\nregion = us-east-1\n[profile x]\ncredential_process = c\n');
    const r = await loadProfiles({
      AWS_CONFIG_FILE: join(d, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(d, 'missing', 'credentials'),
    });
    assert.deepEqual(r.problems, []);
    assert.deepEqual(names(r.profiles), ['default', 'x']);
    assert.equal(r.paths.credentials, join(d, 'missing', 'credentials'));
    const none = await loadProfiles({
      AWS_CONFIG_FILE: join(d, 'nope'),
      AWS_SHARED_CREDENTIALS_FILE: join(d, 'config', 'under-a-file'),
    });
    assert.deepEqual([none.profiles, none.problems], [[], []]);
  });

  test('loadProfiles turns an unreadable file into a problem, not a throw', async () => {
    const d = await dir;
    await mkdir(join(d, 'credentials-dir'));
    await writeFile(join(d, 'config2'), '[profile y]\nregion = eu-west-1\n');
    const r = await loadProfiles({
      AWS_CONFIG_FILE: join(d, 'config2'),
      AWS_SHARED_CREDENTIALS_FILE: join(d, 'credentials-dir'),
      AWS_ACCESS_KEY_ID: KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET,
    });
    assert.deepEqual(names(r.profiles), ['(environment)', 'y']);
    assert.equal(r.problems.length, 1);
    assert.match(r.problems[0], /Cannot read the AWS credentials file .*credentials-dir: it is a directory/);
  });

  test('activeProfileName', () => {
    assert.equal(activeProfileName({}), 'default');
    assert.equal(activeProfileName({ AWS_PROFILE: 'prod' }), 'prod');
    assert.equal(activeProfileName({ AWS_DEFAULT_PROFILE: 'legacy' }), 'legacy');
    assert.equal(activeProfileName({ AWS_PROFILE: 'prod', AWS_DEFAULT_PROFILE: 'legacy' }), 'prod');
    assert.equal(activeProfileName({ AWS_PROFILE: '' }), 'default');
  });
});

describe('regions', () => {
  test('the list is complete enough, unique and well-formed', () => {
    const codes = REGIONS.map((r) => r.code);
    assert.equal(new Set(codes).size, codes.length);
    for (const c of [
      'us-east-1',
      'ap-east-2',
      'ap-southeast-5',
      'ap-southeast-7',
      'mx-central-1',
      'ca-west-1',
      'il-central-1',
      'eu-south-2',
      'me-central-1',
      'ap-south-2',
      'ap-southeast-4',
      'us-gov-west-1',
      'cn-northwest-1',
    ]) {
      assert.ok(codes.includes(c), c);
    }
    for (const r of REGIONS) assert.ok(isRegionCode(r.code) && r.name.length > 0, r.code);
    assert.deepEqual(
      REGIONS.find((r) => r.code === 'cn-north-1'),
      { code: 'cn-north-1', name: 'China (Beijing)', partition: 'aws-cn' },
    );
    assert.equal(REGIONS.find((r) => r.code === 'us-gov-east-1')?.partition, 'aws-us-gov');
    assert.ok(Object.isFrozen(REGIONS));
  });

  test('regionName and isRegionCode', () => {
    assert.equal(regionName('us-east-1'), 'US East (N. Virginia)');
    assert.equal(regionName('ap-east-2'), 'Asia Pacific (Taipei)');
    assert.equal(regionName('xx-nowhere-9'), undefined);
    assert.equal(regionName('__proto__'), undefined);
    for (const ok of ['us-east-1', 'us-gov-west-1', 'xx-nowhere-9', 'eusc-de-east-1', 'ap-southeast-12'])
      assert.ok(isRegionCode(ok), ok);
    for (const bad of [
      '',
      'us-east',
      'US-EAST-1',
      'global',
      'aws-global',
      'us-east-1a',
      ' us-east-1',
      'us--east-1',
      'u-east-1',
    ])
      assert.ok(!isRegionCode(bad), bad);
  });
});
