import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadRules, type DetectionRule, type RuleFile } from '../../../src/core/investigate/detections/rules';
import { runRule } from '../../../src/core/investigate/detections/run';
import { parseSigmaRule, sigmaRuleId } from '../../../src/core/investigate/detections/sigma';
import { normalizeEvent } from '../../../src/core/model/records';
import { SearchEngine } from '../../../src/core/query/search';
import { EventStore } from '../../../src/core/store/store';
import { anEvent, samplesDir } from '../../builders/events';

type Ev = Record<string, unknown>;
const sigmaDir = (): string => join(samplesDir(), 'sigma-cloudtrail');
const sampleFiles = (): RuleFile[] =>
  readdirSync(sigmaDir()).map((name) => ({ name, text: readFileSync(join(sigmaDir(), name), 'utf8') }));
const library = loadRules([], sampleFiles());
const ruleById = (id: string): DetectionRule => library.rules.find((r) => r.id === id)!;

function storeOf(events: Ev[]): { store: EventStore; engine: SearchEngine } {
  const store = new EventStore();
  for (const e of events) store.add(normalizeEvent(e), 0);
  return { store, engine: new SearchEngine(store) };
}
const matches = (rule: DetectionRule, events: Ev[]): boolean[] => {
  const { store, engine } = storeOf(events);
  const r = runRule(engine, store, rule);
  assert.deepEqual(r.errors, [], `${rule.id}: ${r.errors.join(' ')}`);
  const hit = new Set(r.rows);
  return events.map((_, i) => hit.has(i));
};

/** A Sigma rule file around a detection block (YAML text, indented by four). */
const sigma = (detection: string, extra = ''): string => `title: Test rule
id: 0e4a1b7c-0000-4000-8000-000000000001
logsource:
    product: aws
    service: cloudtrail
detection:
${detection.replace(/^/gm, '    ')}
level: high
${extra}`;
const compile = (detection: string): { rule?: DetectionRule; problems: string[] } => {
  const lib = loadRules([], [{ name: 'test.yml', text: sigma(detection) }]);
  return { rule: lib.rules[0], problems: lib.problems.flatMap((p) => p.problems) };
};
const queriesOf = (detection: string): string[] => {
  const { rule, problems } = compile(detection);
  assert.deepEqual(problems, []);
  return rule!.query;
};

const call = (eventSource: string, eventName: string, extra: Ev = {}): Ev =>
  anEvent({ eventSource, eventName, ...extra });
const iamUser = {
  type: 'IAMUser',
  userName: 'alice',
  arn: 'arn:aws:iam::111122223333:user/alice',
  accountId: '111122223333',
};
const role = { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/ops/s', accountId: '111122223333' };
const s3BrowserPolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::<YOUR-BUCKET-NAME>/*'] }],
});

/** Per sample rule: events it must match and near misses it must not. */
const CASES: Record<string, { pos: Ev[]; neg: Ev[] }> = {
  aws_cloudtrail_bedrock_guardrail_deleted: {
    pos: [call('bedrock.amazonaws.com', 'DeleteGuardrail'), call('BEDROCK.amazonaws.com', 'deleteguardrail')],
    neg: [call('bedrock.amazonaws.com', 'CreateGuardrail'), call('ec2.amazonaws.com', 'DeleteGuardrail')],
  },
  aws_cloudtrail_guardduty_detector_deleted_or_updated: {
    pos: [
      call('guardduty.amazonaws.com', 'DeleteDetector'),
      call('guardduty.amazonaws.com', 'UpdateDetector', { requestParameters: { detectorId: 'd', enable: false } }),
      call('guardduty.amazonaws.com', 'DeleteDetector', { errorCode: 'Success' }),
    ],
    neg: [
      call('guardduty.amazonaws.com', 'UpdateDetector', { requestParameters: { detectorId: 'd', enable: true } }),
      call('guardduty.amazonaws.com', 'DeleteDetector', { errorCode: 'AccessDenied' }),
      call('guardduty.amazonaws.com', 'UpdateDetector'),
      call('ec2.amazonaws.com', 'DeleteDetector'),
    ],
  },
  aws_cloudtrail_security_group_change_ingress_egress: {
    pos: [
      'AuthorizeSecurityGroupEgress',
      'AuthorizeSecurityGroupIngress',
      'RevokeSecurityGroupEgress',
      'RevokeSecurityGroupIngress',
    ].map((n) => call('ec2.amazonaws.com', n)),
    neg: [
      call('ec2.amazonaws.com', 'DescribeSecurityGroups'),
      call('ec2.amazonaws.com', 'CreateSecurityGroup'),
      call('rds.amazonaws.com', 'AuthorizeSecurityGroupIngress'),
    ],
  },
  aws_console_getsignintoken: {
    pos: [
      call('signin.amazonaws.com', 'GetSigninToken', { userAgent: 'python-requests/2.31' }),
      call('signin.amazonaws.com', 'GetSigninToken', { userAgent: 'Jersey/2.x' }),
    ],
    neg: [
      call('signin.amazonaws.com', 'GetSigninToken', { userAgent: 'Jersey/${project.version}' }),
      call('signin.amazonaws.com', 'GetSigninToken', { userAgent: 'x JERSEY/${PROJECT.VERSION} y' }),
      call('signin.amazonaws.com', 'ConsoleLogin'),
    ],
  },
  aws_ec2_startup_script_change: {
    pos: [
      call('ec2.amazonaws.com', 'ModifyInstanceAttribute', {
        requestParameters: { instanceId: 'i-1', attribute: 'userData' },
      }),
    ],
    neg: [
      call('ec2.amazonaws.com', 'ModifyInstanceAttribute', {
        requestParameters: { instanceId: 'i-1', attribute: 'instanceType' },
      }),
      call('ec2.amazonaws.com', 'ModifyInstanceAttribute'),
      call('ec2.amazonaws.com', 'RunInstances', { requestParameters: { attribute: 'userData' } }),
    ],
  },
  aws_elasticache_security_group_created: {
    pos: [call('elasticache.amazonaws.com', 'CreateCacheSecurityGroup')],
    neg: [
      call('elasticache.amazonaws.com', 'DeleteCacheSecurityGroup'),
      call('ec2.amazonaws.com', 'CreateCacheSecurityGroup'),
    ],
  },
  aws_iam_s3browser_templated_s3_bucket_policy_creation: {
    pos: [
      call('iam.amazonaws.com', 'PutUserPolicy', {
        userAgent: 'S3 Browser 10.9.9 https://s3browser.com',
        requestParameters: { userName: 'u', policyName: 'p', policyDocument: s3BrowserPolicy },
      }),
      call('iam.amazonaws.com', 'PutUserPolicy', {
        userAgent: 's3 browser',
        requestParameters: { userName: 'u', policyDocument: JSON.parse(s3BrowserPolicy) as unknown },
      }),
    ],
    neg: [
      call('iam.amazonaws.com', 'PutUserPolicy', {
        userAgent: 'aws-cli/2',
        requestParameters: { userName: 'u', policyDocument: s3BrowserPolicy },
      }),
      call('iam.amazonaws.com', 'PutUserPolicy', {
        userAgent: 'S3 Browser 10',
        requestParameters: {
          userName: 'u',
          policyDocument: s3BrowserPolicy.replace('<YOUR-BUCKET-NAME>', 'real-bucket'),
        },
      }),
      call('iam.amazonaws.com', 'PutUserPolicy', {
        userAgent: 'S3 Browser 10',
        requestParameters: { userName: 'u', policyDocument: s3BrowserPolicy.replace('Allow', 'Deny') },
      }),
      call('iam.amazonaws.com', 'PutRolePolicy', {
        userAgent: 'S3 Browser 10',
        requestParameters: { roleName: 'r', policyDocument: s3BrowserPolicy },
      }),
    ],
  },
  aws_rds_change_master_password: {
    pos: [
      call('rds.amazonaws.com', 'ModifyDBInstance', {
        responseElements: { pendingModifiedValues: { masterUserPassword: '****' } },
      }),
    ],
    neg: [
      call('rds.amazonaws.com', 'ModifyDBInstance', {
        responseElements: { pendingModifiedValues: { allocatedStorage: 50 } },
      }),
      call('rds.amazonaws.com', 'ModifyDBInstance'),
      call('rds.amazonaws.com', 'ModifyDBCluster', {
        responseElements: { pendingModifiedValues: { masterUserPassword: '****' } },
      }),
    ],
  },
  aws_s3_data_management_tampering: {
    pos: [
      'PutBucketLogging',
      'PutBucketWebsite',
      'PutEncryptionConfiguration',
      'PutLifecycleConfiguration',
      'PutReplicationConfiguration',
      'ReplicateObject',
      'RestoreObject',
    ].map((n) => call('s3.amazonaws.com', n)),
    neg: [
      call('s3.amazonaws.com', 'GetBucketLogging'),
      call('s3.amazonaws.com', 'PutBucketPolicy'),
      call('ec2.amazonaws.com', 'RestoreObject'),
    ],
  },
  aws_sts_getsessiontoken_misuse: {
    pos: [call('sts.amazonaws.com', 'GetSessionToken', { userIdentity: iamUser })],
    neg: [
      call('sts.amazonaws.com', 'GetSessionToken', { userIdentity: role }),
      call('sts.amazonaws.com', 'AssumeRole', { userIdentity: iamUser }),
    ],
  },
};

describe('the sample Sigma rules (../shared/samples/sigma-cloudtrail)', () => {
  test('every rule loads, with none unsupported; the README beside them is skipped', () => {
    assert.deepEqual(library.problems, []);
    assert.equal(library.rules.length, sampleFiles().filter((f) => /\.ya?ml$/.test(f.name)).length);
    assert.deepEqual(library.rules.map((r) => r.id).sort(), Object.keys(CASES).sort());
  });

  test('metadata: level → severity, attack tags → MITRE and tactic, Sigma id, author, false positives', () => {
    const r = ruleById('aws_cloudtrail_guardduty_detector_deleted_or_updated');
    assert.deepEqual(
      {
        severity: r.severity,
        level: r.level,
        tactic: r.tactic,
        mitre: r.mitre,
        sigmaId: r.sigmaId,
        author: r.author,
        status: r.status,
        date: r.date,
        format: r.format,
        origin: r.origin,
        file: r.file,
      },
      {
        severity: 'high',
        level: 'high',
        tactic: 'defense-impairment',
        mitre: ['T1685', 'T1685.002'],
        sigmaId: 'd2656e78-c069-4571-8220-9e0ab5913f19',
        author: 'suktech24',
        status: 'experimental',
        date: '2025-11-27',
        format: 'sigma',
        origin: 'user',
        file: 'aws_cloudtrail_guardduty_detector_deleted_or_updated.yml',
      },
    );
    assert.equal(r.title, 'AWS GuardDuty Detector Deleted Or Updated');
    assert.equal(r.falsePositives!.length, 3);
    assert.equal(r.references.length, 12);
    assert.match(r.description, /^Detects successful deletion/);
    assert.equal(ruleById('aws_elasticache_security_group_created').severity, 'low');
    assert.deepEqual(ruleById('aws_iam_s3browser_templated_s3_bucket_policy_creation').mitre, [
      'T1059.009',
      'T1078.004',
    ]);
  });

  test('each compiles to the expected queries', () => {
    const expected: Record<string, string[]> = {
      aws_cloudtrail_bedrock_guardrail_deleted: ['eventName:DeleteGuardrail eventSource:bedrock.amazonaws.com'],
      aws_cloudtrail_guardduty_detector_deleted_or_updated: [
        'eventSource:guardduty.amazonaws.com eventName:DeleteDetector errorCode:Success',
        'eventSource:guardduty.amazonaws.com eventName:DeleteDetector errorCode:""',
        'eventSource:guardduty.amazonaws.com eventName:UpdateDetector requestParameters.enable:false errorCode:Success',
        'eventSource:guardduty.amazonaws.com eventName:UpdateDetector requestParameters.enable:false errorCode:""',
      ],
      aws_cloudtrail_security_group_change_ingress_egress: [
        'eventSource:ec2.amazonaws.com eventName:AuthorizeSecurityGroupEgress,AuthorizeSecurityGroupIngress,RevokeSecurityGroupEgress,RevokeSecurityGroupIngress',
      ],
      aws_console_getsignintoken: [
        'eventSource:signin.amazonaws.com eventName:GetSigninToken -userAgent:*Jersey/${project.version}*',
      ],
      aws_ec2_startup_script_change: [
        'eventSource:ec2.amazonaws.com requestParameters.attribute:userData eventName:ModifyInstanceAttribute',
      ],
      aws_elasticache_security_group_created: [
        'eventSource:elasticache.amazonaws.com eventName:CreateCacheSecurityGroup',
      ],
      aws_iam_s3browser_templated_s3_bucket_policy_creation: [
        'eventSource:iam.amazonaws.com eventName:PutUserPolicy userAgent:*"S3 Browser"* json.requestParameters:*"\\"arn:aws:s3:::<YOUR-BUCKET-NAME>/"*"\\""* json.requestParameters:*"\\"s3:GetObject\\""* json.requestParameters:*"\\"Allow\\""*',
      ],
      aws_rds_change_master_password: [
        'eventSource:rds.amazonaws.com responseElements.pendingModifiedValues.masterUserPassword:* eventName:ModifyDBInstance',
      ],
      aws_s3_data_management_tampering: [
        'eventSource:s3.amazonaws.com eventName:PutBucketLogging,PutBucketWebsite,PutEncryptionConfiguration,PutLifecycleConfiguration,PutReplicationConfiguration,ReplicateObject,RestoreObject',
      ],
      aws_sts_getsessiontoken_misuse: ['eventSource:sts.amazonaws.com eventName:GetSessionToken type:IAMUser'],
    };
    for (const r of library.rules) assert.deepEqual(r.query, expected[r.id], r.id);
  });

  test('each fires on events built to match it and not on near misses', () => {
    for (const [id, c] of Object.entries(CASES)) {
      const got = matches(ruleById(id), [...c.pos, ...c.neg]);
      assert.deepEqual(got, [...c.pos.map(() => true), ...c.neg.map(() => false)], id);
    }
  });

  test('property: over the real sample events plus every case, each rule matches exactly what a hand-written predicate says', () => {
    const dir = join(samplesDir(), 'invictus-ir_aws_dataset/CloudTrail');
    const real: Ev[] = readdirSync(dir).flatMap(
      (f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { Records: Ev[] }).Records,
    );
    const events = [...real, ...Object.values(CASES).flatMap((c) => [...c.pos, ...c.neg])];
    const s = (v: unknown): string => (v === null || v === undefined ? '' : String(v)).toLowerCase();
    const at = (e: Ev, path: string): unknown =>
      path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Ev)[k] : undefined), e);
    const is = (e: Ev, source: string, ...names: string[]): boolean =>
      s(e.eventSource) === source && names.map((n) => n.toLowerCase()).includes(s(e.eventName));
    const predicates: Record<string, (e: Ev) => boolean> = {
      aws_cloudtrail_bedrock_guardrail_deleted: (e) => is(e, 'bedrock.amazonaws.com', 'DeleteGuardrail'),
      aws_cloudtrail_guardduty_detector_deleted_or_updated: (e) =>
        (is(e, 'guardduty.amazonaws.com', 'DeleteDetector') ||
          (is(e, 'guardduty.amazonaws.com', 'UpdateDetector') && s(at(e, 'requestParameters.enable')) === 'false')) &&
        ['success', ''].includes(s(e.errorCode)),
      aws_cloudtrail_security_group_change_ingress_egress: (e) =>
        is(
          e,
          'ec2.amazonaws.com',
          'AuthorizeSecurityGroupEgress',
          'AuthorizeSecurityGroupIngress',
          'RevokeSecurityGroupEgress',
          'RevokeSecurityGroupIngress',
        ),
      aws_console_getsignintoken: (e) =>
        is(e, 'signin.amazonaws.com', 'GetSigninToken') && !s(e.userAgent).includes('jersey/${project.version}'),
      aws_ec2_startup_script_change: (e) =>
        is(e, 'ec2.amazonaws.com', 'ModifyInstanceAttribute') && s(at(e, 'requestParameters.attribute')) === 'userdata',
      aws_elasticache_security_group_created: (e) => is(e, 'elasticache.amazonaws.com', 'CreateCacheSecurityGroup'),
      aws_iam_s3browser_templated_s3_bucket_policy_creation: (e) => {
        if (!is(e, 'iam.amazonaws.com', 'PutUserPolicy') || !s(e.userAgent).includes('s3 browser')) return false;
        const doc = at(e, 'requestParameters.policyDocument');
        const texts = [JSON.stringify(e.requestParameters), typeof doc === 'string' ? doc : ''].map(s);
        const has = (re: RegExp): boolean => texts.some((t) => re.test(t));
        return has(/"arn:aws:s3:::<your-bucket-name>\/.*"/s) && has(/"s3:getobject"/) && has(/"allow"/);
      },
      aws_rds_change_master_password: (e) =>
        is(e, 'rds.amazonaws.com', 'ModifyDBInstance') &&
        s(at(e, 'responseElements.pendingModifiedValues.masterUserPassword')) !== '',
      aws_s3_data_management_tampering: (e) =>
        is(
          e,
          's3.amazonaws.com',
          'PutBucketLogging',
          'PutBucketWebsite',
          'PutEncryptionConfiguration',
          'PutLifecycleConfiguration',
          'PutReplicationConfiguration',
          'ReplicateObject',
          'RestoreObject',
        ),
      aws_sts_getsessiontoken_misuse: (e) =>
        is(e, 'sts.amazonaws.com', 'GetSessionToken') && s(at(e, 'userIdentity.type')) === 'iamuser',
    };
    const { store, engine } = storeOf(events);
    let fired = 0;
    for (const rule of library.rules) {
      const r = runRule(engine, store, rule);
      const want = events.map((e, i) => (predicates[rule.id](e) ? i : -1)).filter((i) => i >= 0);
      assert.deepEqual(
        Array.from(r.rows).sort((a, b) => a - b),
        want,
        rule.id,
      );
      if (want.some((i) => i < real.length)) fired++;
    }
    // The attack simulation modifies security groups and gets session tokens: real hits, not only built ones.
    assert.ok(fired >= 1, 'some rule fires on the real sample');
  });
});

describe('Sigma semantics', () => {
  test('maps are AND, lists are OR, `all` is AND; `not`, parentheses, `1 of x*`, `all of them`', () => {
    assert.deepEqual(queriesOf('sel:\n    eventName: [A, B]\n    eventSource: s\ncondition: sel'), [
      'eventName:A,B eventSource:s',
    ]);
    assert.deepEqual(queriesOf('sel:\n    - eventName: A\n    - eventSource: s\ncondition: sel'), [
      'eventName:A',
      'eventSource:s',
    ]);
    assert.deepEqual(queriesOf('sel:\n    userAgent|contains|all: [a, b]\ncondition: sel'), [
      'userAgent:*a* userAgent:*b*',
    ]);
    assert.deepEqual(
      queriesOf('a:\n    eventName: A\nb:\n    eventSource: s\n    errorCode: E\ncondition: a and not b'),
      ['eventName:A -eventSource:s', 'eventName:A -errorCode:E'],
    );
    assert.deepEqual(
      queriesOf('a:\n    eventName: A\nb:\n    eventSource: s\nc:\n    errorCode: E\ncondition: a and (b or c)'),
      ['eventName:A eventSource:s', 'eventName:A errorCode:E'],
    );
    assert.deepEqual(
      queriesOf('a:\n    eventName: A\nb:\n    eventSource: s\nc:\n    errorCode: E\ncondition: a and b or c'),
      ['eventName:A eventSource:s', 'errorCode:E'],
    );
    assert.deepEqual(
      queriesOf(
        's_1:\n    eventName: A\ns_2:\n    eventName: B\nother:\n    errorCode: E\ncondition: 1 of s_* and other',
      ),
      ['eventName:A errorCode:E', 'eventName:B errorCode:E'],
    );
    assert.deepEqual(
      queriesOf('s_1:\n    eventName: A\ns_2:\n    eventSource: B\n_hidden:\n    errorCode: E\ncondition: all of them'),
      ['eventName:A eventSource:B'],
    );
    assert.deepEqual(queriesOf('s_1:\n    eventName: A\ns_2:\n    eventSource: B\ncondition: not 1 of s_*'), [
      '-eventName:A -eventSource:B',
    ]);
    assert.deepEqual(queriesOf('s_1:\n    eventName: A\ns_2:\n    eventSource: B\ncondition: not all of s_*'), [
      '-eventName:A',
      '-eventSource:B',
    ]);
    assert.deepEqual(
      queriesOf('a:\n    eventName: A\nb:\n    eventName: A\ncondition: a and not b or a'),
      ['eventName:A'],
      'a contradiction drops out; repeats merge',
    );
    assert.deepEqual(
      queriesOf('a:\n    eventName: A\nb:\n    eventSource: B\ncondition:\n    - a\n    - b'),
      ['eventName:A', 'eventSource:B'],
      'a list of conditions is OR',
    );
  });

  test('modifiers and values: wildcards, escapes, null, exists, re, cidr, windash, cased, keywords', () => {
    const one = (entry: string): string[] => queriesOf(`sel:\n    ${entry}\ncondition: sel`);
    assert.deepEqual(one("eventName: 'Delete*'"), ['eventName:Delete*']);
    assert.deepEqual(
      one("requestParameters.key: 'a\\*b'"),
      ['requestParameters.key:"a*b"'],
      'an escaped star is a character',
    );
    assert.deepEqual(one("userAgent|startswith: 'S3 Browser'"), ['userAgent:"S3 Browser"*']);
    assert.deepEqual(one("userAgent|endswith: ', x'"), ['userAgent:*", x"']);
    assert.deepEqual(one('errorCode: [null, AccessDenied]'), ['errorCode:"",AccessDenied']);
    assert.deepEqual(one('userIdentity.invokedBy|exists: false'), ['userIdentity.invokedBy:""']);
    assert.deepEqual(one('requestParameters|exists: true'), ['json.requestParameters:*']);
    assert.deepEqual(one('userAgent|re|i: \'^aws-cli/2\\. .*"x"\''), [
      'userAgent:/^aws-cli/2\\.\\x{20}.*\\x{22}x\\x{22}/i',
    ]);
    assert.deepEqual(one("sourceIPAddress|cidr: ['10.0.0.0/8', '2001:db8::/32']"), [
      'sourceIPAddress:10.0.0.0/8,2001:db8::/32',
    ]);
    assert.deepEqual(one("requestParameters.userData|windash|contains: '-enc'"), [
      'requestParameters.userData:*-enc*,*/enc*,*\u2013enc*,*\u2014enc*,*\u2015enc*',
    ]);
    assert.deepEqual(one("userAgent|cased|contains: 'Boto'"), ['userAgent:/^.*Boto.*$/s']);
    assert.deepEqual(one("eventName: 'Get?ession*'"), ['eventName:/^Get.ession.*$/is']);
    assert.deepEqual(one('recipientAccountId: 0123'), ['recipientAccountId:0123'], 'numbers keep their text');
    assert.deepEqual(queriesOf("keywords:\n    - 'wget http'\n    - curl\ncondition: keywords"), [
      'any:*"wget http"*,*curl*',
    ]);
  });

  test('the compiled values match what Sigma means', () => {
    const rule = (detection: string): DetectionRule => compile(detection).rule!;
    const ev = [
      call('s3.amazonaws.com', 'GetSessionToken', { userAgent: 'Boto3/1.34', errorCode: 'AccessDenied' }),
      call('s3.amazonaws.com', 'GetSessionToken', { userAgent: 'boto3/1.34' }),
      call('s3.amazonaws.com', 'PutObject', {
        sourceIPAddress: '2001:db8::7',
        requestParameters: { userData: 'powershell /enc AAA' },
      }),
      call('s3.amazonaws.com', 'PutObject', {
        sourceIPAddress: '10.1.2.3',
        requestParameters: { userData: 'wget http://x' },
      }),
    ];
    assert.deepEqual(matches(rule("sel:\n    userAgent|cased|contains: 'Boto'\ncondition: sel"), ev), [
      true,
      false,
      false,
      false,
    ]);
    assert.deepEqual(matches(rule('sel:\n    errorCode: null\n    eventName: GetSessionToken\ncondition: sel'), ev), [
      false,
      true,
      false,
      false,
    ]);
    assert.deepEqual(
      matches(rule("sel:\n    requestParameters.userData|windash|contains: ' -enc '\ncondition: sel"), ev),
      [false, false, true, false],
    );
    assert.deepEqual(
      matches(rule("sel:\n    sourceIPAddress|cidr: ['10.0.0.0/8', '2001:db8::/32']\ncondition: sel"), ev),
      [false, false, true, true],
    );
    assert.deepEqual(
      matches(rule("k:\n    - 'WGET HTTP'\ncondition: k"), ev),
      [false, false, false, true],
      'keywords ignore case, exact containment',
    );
    assert.deepEqual(matches(rule("s:\n    eventName: 'Get?ession*'\ncondition: s"), ev), [true, true, false, false]);
  });

  test('fieldref compares two fields of one event, negatable, and only at the top of the rule', () => {
    const events = [
      call('iam.amazonaws.com', 'CreateAccessKey', { requestParameters: { userName: 'alice' } }),
      call('iam.amazonaws.com', 'CreateAccessKey', { requestParameters: { userName: 'bob' } }),
    ];
    const pos = compile(
      'sel:\n    eventName: CreateAccessKey\nsame:\n    requestParameters.userName|fieldref: userIdentity.userName\ncondition: sel and same',
    );
    assert.deepEqual(pos.rule?.compare, { equals: ['requestParameters.userName', 'userIdentity.userName'] });
    assert.deepEqual(matches(pos.rule, events), [true, false]);
    const neg = compile(
      'sel:\n    eventName: CreateAccessKey\nsame:\n    requestParameters.userName|fieldref: userIdentity.userName\ncondition: sel and not same',
    );
    assert.deepEqual(matches(neg.rule!, events), [false, true]);
    assert.match(
      compile(
        'sel:\n    eventName: CreateAccessKey\nsame:\n    requestParameters.userName|fieldref: userIdentity.userName\ncondition: sel or same',
      ).problems.join(),
      /fieldref: a field reference must apply to the whole rule once/,
    );
  });

  test('unsupported constructs are named with the reason; the other rules still load', () => {
    const lib = loadRules(
      [],
      [
        ...sampleFiles(),
        {
          name: 'b64.yml',
          text: sigma("selection:\n    CommandLine|base64offset|contains: 'IEX'\ncondition: selection"),
        },
        {
          name: 'b64b.yml',
          text: sigma("selection:\n    requestParameters.x|base64offset: 'IEX'\ncondition: selection"),
        },
        { name: 'num.yml', text: sigma('selection:\n    responseElements.count|gt: 5\ncondition: selection') },
        {
          name: 'agg.yml',
          text: sigma('selection:\n    eventName: X\ncondition: selection | count() by userIdentity.arn > 5'),
        },
        { name: 'nosel.yml', text: sigma('selection:\n    eventName: X\ncondition: selection and filter') },
        { name: 'two.yml', text: sigma('s_1:\n    eventName: X\ncondition: 2 of s_*') },
        { name: 'lookahead.yml', text: sigma("selection:\n    userAgent|re: '(?=x)'\ncondition: selection") },
        {
          name: 'everything.yml',
          text: sigma('selection:\n    eventName: X\ncondition: not (selection and not selection)'),
        },
      ],
    );
    const byFile = new Map(lib.problems.map((p) => [p.file, p.problems.join(' | ')]));
    assert.equal(lib.rules.length, 10);
    assert.match(
      byFile.get('b64.yml')!,
      /^selection\.CommandLine\|base64offset\|contains: the base64offset modifier is not supported: /,
    );
    assert.match(
      byFile.get('b64b.yml')!,
      /^selection\.requestParameters\.x\|base64offset: the base64offset modifier is not supported/,
    );
    assert.match(
      byFile.get('num.yml')!,
      /the gt modifier is not supported: the search language has no numeric comparisons/,
    );
    assert.match(byFile.get('agg.yml')!, /aggregations after "\|"/);
    assert.match(byFile.get('nosel.yml')!, /"filter" names no selection/);
    assert.match(byFile.get('two.yml')!, /"2 of" is not supported/);
    assert.match(byFile.get('lookahead.yml')!, /selection\.userAgent\|re: .*uses lookaround/);
    assert.match(byFile.get('everything.yml')!, /matches every event/);
  });

  test('hostile and foreign input: a clear problem each', () => {
    const p = (text: string, name = 'x.yml'): string =>
      loadRules([], [{ name, text }])
        .problems.flatMap((x) => x.problems)
        .join(' | ');
    const bomb = [
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`,
      ),
    ].join('\n');
    const t0 = performance.now();
    assert.match(
      p(sigma('selection:\n    eventName: X\ncondition: selection', bomb)),
      /alias \*a: YAML anchors and aliases are not read/,
    );
    assert.ok(performance.now() - t0 < 1000);
    assert.match(p(' '.repeat(300_000)), /at most 262144/);
    assert.match(p('just: [some, yaml]\n'), /Not a Sigma rule/);
    assert.match(p('[1, 2'), /Not valid YAML/);
    assert.match(p(''), /empty|Not a Sigma rule/);
    assert.match(
      p(`${sigma('s:\n    eventName: X\ncondition: s')}\n---\n${sigma('s:\n    eventName: Y\ncondition: s')}`),
      /2 YAML documents/,
    );
    assert.match(
      p(
        sigma('s:\n    EventID: 4688\ncondition: s')
          .replace('product: aws', 'product: windows')
          .replace('service: cloudtrail', 'category: process_creation'),
      ),
      /logsource is \{"product":"windows".*only \{product: aws, service: cloudtrail\}/,
    );
    assert.match(
      p(sigma('s:\n    CommandLine: whoami\ncondition: s')),
      /s\.CommandLine: "CommandLine" is not a CloudTrail field/,
    );
    assert.match(
      p(sigma('s:\n    eventName: X\n    eventName: Y\ncondition: s')),
      /Not valid YAML: Map keys must be unique/,
    );
    // De Morgan over 7 selections of 2 fields each: 2^7 = 128 conjunctions, past the bound of 64.
    const many = Array.from({ length: 7 }, (_, i) => `f_${i}:\n    eventName: A${i}\n    eventSource: B${i}`).join(
      '\n',
    );
    assert.match(p(sigma(`${many}\ncondition: not 1 of f_*`)), /expands to more than 64 alternatives/);
    assert.match(
      p(sigma(`s:\n    eventName: X\ncondition: ${'('.repeat(40)}s${')'.repeat(40)}`)),
      /nested more than 32 deep/,
    );
  });

  test('ids come from file names, fit detection:<id>, and stay stable', () => {
    assert.equal(sigmaRuleId('aws_console_getsignintoken.yml'), 'aws_console_getsignintoken');
    assert.equal(sigmaRuleId('My Rule (v2).YAML'), 'My-Rule-v2-');
    const long = sigmaRuleId(`${'x'.repeat(100)}.yml`);
    assert.equal(long.length, 64);
    assert.equal(long, sigmaRuleId(`${'x'.repeat(100)}.yml`));
    assert.notEqual(long, sigmaRuleId(`${'x'.repeat(101)}.yml`));
    assert.equal(parseSigmaRule(sigma('s:\n    eventName: X\ncondition: s'), 'a.yml').rule?.id, 'a');
  });
});
