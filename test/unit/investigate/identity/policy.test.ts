import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { iamActionOf, servicePrefix } from '../../../../src/core/investigate/identity/iamActions';
import { draftPolicy, MAX_RESOURCES } from '../../../../src/core/investigate/identity/policy';
import { anEvent } from '../../../builders/events';
import { sampleStore, storeOf } from './chainBuilders';

const rowsOf = (store: ReturnType<typeof storeOf>, f: (r: number) => boolean): Uint32Array =>
  Uint32Array.from([...Array(store.size).keys()].filter(f));

describe('event → IAM action', () => {
  test('the documented exceptions', () => {
    assert.equal(servicePrefix('monitoring.amazonaws.com'), 'cloudwatch');
    assert.equal(servicePrefix('email.amazonaws.com'), 'ses');
    assert.equal(servicePrefix('evil.example.com'), '');
    const action = (src: string, name: string): string | undefined => iamActionOf(src, name).action;
    assert.equal(action('s3.amazonaws.com', 'ListObjects'), 's3:ListBucket');
    assert.equal(action('s3.amazonaws.com', 'HeadObject'), 's3:GetObject');
    assert.equal(action('s3.amazonaws.com', 'ListBuckets'), 's3:ListAllMyBuckets');
    assert.equal(action('s3.amazonaws.com', 'DeleteBucketCors'), 's3:PutBucketCORS');
    assert.equal(action('s3.amazonaws.com', 'UploadPart'), 's3:PutObject');
    assert.equal(action('lambda.amazonaws.com', 'GetFunction20150331v2'), 'lambda:GetFunction');
    assert.equal(action('lambda.amazonaws.com', 'Invoke'), 'lambda:InvokeFunction');
    assert.equal(action('cloudfront.amazonaws.com', 'ListDistributions2020_05_31'), 'cloudfront:ListDistributions');
    assert.equal(action('apigateway.amazonaws.com', 'GetRestApis'), 'apigateway:GET');
    assert.equal(action('ec2messages.amazonaws.com', 'GetMessages'), 'ec2messages:GetMessages');
    assert.equal(action('monitoring.amazonaws.com', 'DescribeAlarms'), 'cloudwatch:DescribeAlarms');
    for (const [src, name] of [
      ['signin.amazonaws.com', 'ConsoleLogin'],
      ['sts.amazonaws.com', 'GetCallerIdentity'],
      ['sts.amazonaws.com', 'AssumeRoleWithSAML'],
      ['sso.amazonaws.com', 'GetRoleCredentials'],
      ['s3.amazonaws.com', '__proto__'],
      ['s3.amazonaws.com', 'a b'],
    ]) {
      assert.equal(action(src, name), undefined, name);
    }
    assert.equal(action('s3.amazonaws.com', 'constructor'), 's3:constructor');
    assert.equal(iamActionOf('s3.amazonaws.com', 'toString').action, 's3:toString');
  });
});

describe('least-privilege draft', () => {
  test("invictus: bert-jan's policy — statements per service, resources where events name them, denied calls apart", () => {
    const store = sampleStore('invictus-ir_aws_dataset/CloudTrail');
    const d = draftPolicy(
      store,
      rowsOf(store, (r) => store.value('principal', r) === 'bert-jan'),
    );
    assert.equal(d.policy.Version, '2012-10-17');
    assert.deepEqual(JSON.parse(d.json), d.policy);
    const st = (sid: string) => d.policy.Statement.find((s) => s.Sid === sid)!;
    assert.deepEqual(st('Kms'), {
      Sid: 'Kms',
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: [
        'arn:aws:kms:us-east-1:123837392027:key/0e5d0ab6-097e-49d8-99ef-747ce3e5f8f4',
        'arn:aws:kms:us-east-1:123837392027:key/dad21b23-9915-42bd-981b-2a9f3c8f20c8',
      ],
    });
    assert.deepEqual(st('Cloudtrail').Action, [
      'cloudtrail:CreateTrail',
      'cloudtrail:DeleteTrail',
      'cloudtrail:DescribeTrails',
      'cloudtrail:GetEventSelectors',
      'cloudtrail:GetTrailStatus',
      'cloudtrail:ListTags',
      'cloudtrail:LookupEvents',
      'cloudtrail:PutEventSelectors',
      'cloudtrail:StartLogging',
      'cloudtrail:StopLogging',
    ]);
    assert.equal(st('Cloudtrail').Resource, '*');
    const sts = st('Sts');
    assert.deepEqual(sts.Action, ['sts:AssumeRole']);
    assert.ok(
      Array.isArray(sts.Resource) &&
        sts.Resource.includes('arn:aws:iam::123837392027:role/stratus-red-team-ec2-get-password-data-role'),
    );
    const putPolicy = d.policy.Statement.find((s) => s.Action.includes('s3:PutBucketPolicy'))!;
    assert.deepEqual(putPolicy.Resource, [
      'arn:aws:s3:::stratus-red-team-bdbp-lhfzvgcamn',
      'arn:aws:s3:::stratus-red-team-ctes-bucket-qyxyekjbtk',
      'arn:aws:s3:::stratus-red-team-ctlr-bucket-zqfsvooxqj',
    ]);
    for (const s of d.policy.Statement) {
      assert.match(s.Sid, /^[A-Za-z0-9]+$/);
      assert.deepEqual(s.Action, [...s.Action].sort());
    }
    assert.equal(new Set(d.policy.Statement.map((s) => s.Sid)).size, d.policy.Statement.length);
    assert.deepEqual(
      d.denied.find((x) => x.action === 'sts:AssumeRole'),
      {
        action: 'sts:AssumeRole',
        eventSource: 'sts.amazonaws.com',
        eventName: 'AssumeRole',
        count: 13,
        errorCodes: ['AccessDenied'],
      },
    );
    assert.ok(!d.policy.Statement.some((s) => s.Action.includes('ce:GetCostAndUsage')), 'only denied: not granted');
    assert.deepEqual(
      d.unmapped.map((u) => [u.eventName, u.count]),
      [
        ['GetCallerIdentity', 14],
        ['GetStorageLensDashboardDataInternal', 2],
        ['(AwsConsoleSignIn)', 2],
      ],
    );
    assert.ok(d.parsed < d.events / 4, `${d.parsed} of ${d.events} events parsed`);
  });

  test("the stolen instance credentials' session: a small policy, its denied call listed", () => {
    const store = sampleStore('invictus-ir_aws_dataset/CloudTrail');
    const d = draftPolicy(
      store,
      rowsOf(store, (r) => store.value('accessKeyId', r) === 'ASIATFQR7NSCWLLE7IWW'),
    );
    assert.deepEqual(d.policy.Statement, []);
    assert.deepEqual(
      d.denied.map((x) => [x.action, x.count, x.errorCodes]),
      [['ec2:GetPasswordData', 29, ['Client.UnauthorizedOperation']]],
    );
  });

  test('S3 objects vs buckets, folding past the limit, and attacker-written ARNs', () => {
    const s3 = (name: string, resources: unknown[]): Record<string, unknown> =>
      anEvent({ eventSource: 's3.amazonaws.com', eventName: name, resources, requestParameters: { bucketName: 'b' } });
    const obj = (k: string) => [
      { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::b/${k}` },
      { type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::b' },
    ];
    const store = storeOf([
      s3('GetObject', obj('k1')),
      s3('HeadObject', obj('k1')),
      s3('ListObjects', [{ type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::b' }]),
      ...Array.from({ length: MAX_RESOURCES + 1 }, (_, i) => s3('PutObject', obj(`many/${i}`))),
      s3('DeleteObject', [{ type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::b/*' }]),
    ]);
    const d = draftPolicy(store, Uint32Array.from([...Array(store.size).keys()]));
    const res = (action: string) => d.policy.Statement.find((s) => s.Action.includes(action))!.Resource;
    assert.deepEqual(res('s3:GetObject'), ['arn:aws:s3:::b/k1']);
    assert.deepEqual(res('s3:ListBucket'), ['arn:aws:s3:::b']);
    assert.deepEqual(res('s3:PutObject'), ['arn:aws:s3:::b/*']);
    assert.match(d.notes.join(' '), /s3:PutObject: more than 50 objects, folded/);
    assert.equal(res('s3:DeleteObject'), '*', 'a wildcard in an event is not copied into the policy');
  });
});
