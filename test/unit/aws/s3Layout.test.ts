import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  baseName,
  dayPrefix,
  keyInWindow,
  parseTrailFileName,
  parseTrailKey,
  windowPrefixes,
} from '../../../src/core/aws/s3Layout';

describe('S3 layout of trail files', () => {
  it('day prefixes, with and without a key prefix and organization', () => {
    const day = Date.UTC(2024, 0, 9, 13);
    assert.equal(
      dayPrefix({ prefix: '' }, '111122223333', 'eu-west-1', 'log', day),
      'AWSLogs/111122223333/CloudTrail/eu-west-1/2024/01/09/',
    );
    assert.equal(
      dayPrefix({ prefix: '/logs/', orgId: 'o-abc123defg' }, '111122223333', 'us-east-1', 'digest', day),
      'logs/AWSLogs/o-abc123defg/111122223333/CloudTrail-Digest/us-east-1/2024/01/09/',
    );
  });

  it('one prefix per day, account and region; digests a little past the end', () => {
    const start = Date.UTC(2024, 0, 31, 22);
    const end = Date.UTC(2024, 1, 1, 1);
    const logs = windowPrefixes({ prefix: 'p' }, ['111122223333', '444455556666'], ['us-east-1'], 'log', start, end);
    assert.deepEqual(
      logs.map((p) => p.split('/').slice(3).join('/')),
      [
        'CloudTrail/us-east-1/2024/01/31/',
        'CloudTrail/us-east-1/2024/02/01/',
        'CloudTrail/us-east-1/2024/01/31/',
        'CloudTrail/us-east-1/2024/02/01/',
      ],
    );
    const late = Date.UTC(2024, 1, 1, 23);
    assert.equal(
      windowPrefixes({ prefix: '' }, ['111122223333'], ['us-east-1'], 'digest', late - 3_600_000, late).length,
      2,
      'the next day holds the last digest',
    );
  });

  it('parses real key shapes back, and refuses others', () => {
    const real =
      'AWSLogs/327878933619/CloudTrail-Digest/ap-northeast-1/2023/10/15/327878933619_CloudTrail-Digest_ap-northeast-1_llm-guard-trail_us-west-2_20231015T230404Z.json.gz';
    assert.deepEqual(parseTrailKey(real), {
      kind: 'digest',
      prefix: '',
      orgId: undefined,
      account: '327878933619',
      region: 'ap-northeast-1',
      time: Date.UTC(2023, 9, 15, 23, 4, 4),
      trailName: 'llm-guard-trail',
      homeRegion: 'us-west-2',
    });
    const log =
      'x/y/AWSLogs/o-abcd123456/811596193553/CloudTrail/us-east-1/2020/09/30/811596193553_CloudTrail_us-east-1_20200930T2200Z_aB3dEf.json.gz';
    assert.deepEqual(parseTrailKey(log), {
      kind: 'log',
      prefix: 'x/y',
      orgId: 'o-abcd123456',
      account: '811596193553',
      region: 'us-east-1',
      time: Date.UTC(2020, 8, 30, 22),
    });
    assert.equal(
      parseTrailFileName('111122223333_CloudTrail-Digest_us-east-1_my_trail_name_eu-west-1_20240101T000000Z.json.gz')
        ?.trailName,
      'my_trail_name',
    );
    assert.equal(parseTrailKey('AWSLogs/811596193553/CloudTrail-Insight/us-east-1/2020/09/30/x.json.gz'), undefined);
    assert.equal(
      parseTrailKey(
        'AWSLogs/811596193553/CloudTrail/us-east-1/2020/09/30/999999999999_CloudTrail_us-east-1_20200930T2200Z_a.json.gz',
      ),
      undefined,
      'account in the name differs',
    );
    assert.equal(baseName('a\\b/c.json'), 'c.json');
  });

  it('cuts listings to the window', () => {
    const k = parseTrailFileName('111122223333_CloudTrail_us-east-1_20240101T1010Z_a.json.gz')!;
    assert.ok(keyInWindow(k, Date.UTC(2024, 0, 1, 10), Date.UTC(2024, 0, 1, 10)));
    assert.ok(!keyInWindow(k, Date.UTC(2024, 0, 1, 11), Date.UTC(2024, 0, 1, 12)));
  });
});
