import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { normalizeEvent } from '../../../src/core/model/records';
import { cidrContains, compileRegex, parseCidr } from '../../../src/core/query/patterns';
import { fieldTerm, parseQuery, queryWords, type CidrPattern, type Term } from '../../../src/core/query/query';
import { SearchEngine } from '../../../src/core/query/search';
import { EventStore } from '../../../src/core/store/store';
import { anEvent } from '../../builders/events';

function engineOf(events: Array<Record<string, unknown>>): SearchEngine {
  const store = new EventStore();
  for (const e of events) store.add(normalizeEvent(e), 0);
  return new SearchEngine(store);
}

/** Rows of a query, planned and dense evaluation agreeing (they are two code paths). */
function rowsOf(engine: SearchEngine, q: string): number[] {
  engine.usePlan = true;
  const planned = engine.search(q, 'newest');
  engine.usePlan = false;
  const dense = engine.search(q, 'newest');
  engine.usePlan = true;
  assert.deepEqual(planned.errors, [], `${q}: ${planned.errors.join(' ')}`);
  const a = Array.from(planned.rows).sort((x, y) => x - y);
  assert.deepEqual(
    Array.from(dense.rows).sort((x, y) => x - y),
    a,
    `planned and dense differ for ${q}`,
  );
  return a;
}

const only = (q: string): Term => {
  const p = parseQuery(q);
  assert.deepEqual(p.errors, [], p.errors.join(' '));
  assert.equal(p.terms.length, 1);
  return p.terms[0];
};
const errorOf = (q: string): string => parseQuery(q).errors.join(' ');

describe('regular-expression values', () => {
  test('parse to a regex pattern on fields and paths; flags kept in i, m, s order', () => {
    assert.deepEqual(only('userAgent:/^aws-cli\\/2\\./'), {
      kind: 'field',
      name: 'userAgent',
      fields: ['userAgent'],
      values: [],
      negate: false,
      patterns: [{ kind: 'regex', source: '^aws-cli\\/2\\.', flags: '' }],
    });
    assert.deepEqual(only('-requestParameters.bucketName:/^prod-/si'), {
      kind: 'path',
      name: 'requestParameters.bucketName',
      segments: ['requestParameters', 'bucketName'],
      values: [],
      negate: true,
      patterns: [{ kind: 'regex', source: '^prod-', flags: 'is' }],
    });
    // A regex is one value: its commas are not alternatives.
    assert.deepEqual((only('eventName:/a{1,3}/') as { patterns: unknown }).patterns, [
      { kind: 'regex', source: 'a{1,3}', flags: '' },
    ]);
  });

  test('what RE2 cannot do is a parse error naming the construct; so are length and bad syntax', () => {
    assert.match(errorOf('userAgent:/(?=x)y/'), /uses lookaround .*RE2 does not support/);
    assert.match(errorOf('userAgent:/(?<!x)y/'), /uses lookaround/);
    assert.match(errorOf('userAgent:/(a)\\1/'), /uses backreferences/);
    assert.match(errorOf('userAgent:/(?>a)/'), /uses atomic groups/);
    assert.match(errorOf('userAgent:/a++/'), /uses possessive quantifiers/);
    assert.match(errorOf(`userAgent:/${'a'.repeat(1001)}/`), /is 1001 characters; at most 1000/);
    assert.match(errorOf('userAgent:/a[/'), /is not valid: missing closing \]/);
    // Inside a class, "(?=" is three characters, not lookaround.
    assert.deepEqual(parseQuery('userAgent:/[(?=]/').errors, []);
    assert.equal(parseQuery('userAgent:/(?=x)y/').terms.length, 0, 'the broken term is left out');
  });

  test('values that merely contain slashes stay plain; quoting keeps a regex-looking value exact', () => {
    assert.deepEqual(only('requestParameters.key:/path/file'), {
      kind: 'path',
      name: 'requestParameters.key',
      segments: ['requestParameters', 'key'],
      values: ['/path/file'],
      negate: false,
    });
    assert.deepEqual(only('requestParameters.key:"/a/"'), {
      kind: 'path',
      name: 'requestParameters.key',
      segments: ['requestParameters', 'key'],
      values: ['/a/'],
      negate: false,
      literal: true,
    });
    assert.equal(fieldTerm('userAgent', '/a/'), 'userAgent:"/a/"');
    assert.equal(fieldTerm('ip', '10.0.0.0/8'), 'ip:"10.0.0.0/8"');
    assert.equal(fieldTerm('ip', '10.0.0.1'), 'ip:10.0.0.1');
  });

  test('matching: case-sensitive unless i, found anywhere, over indexed values and raw paths', () => {
    const engine = engineOf([
      anEvent({ userAgent: 'aws-cli/2.15.0 Python/3.11', requestParameters: { bucketName: 'prod-logs' } }),
      anEvent({ userAgent: 'AWS-CLI/2.1', requestParameters: { bucketName: 'PROD-data' } }),
      anEvent({ userAgent: 'Boto3/1.34 aws-cli/1.0', requestParameters: { bucketName: 'dev-prod-x' } }),
    ]);
    assert.deepEqual(rowsOf(engine, 'userAgent:/^aws-cli\\/2\\./'), [0]);
    assert.deepEqual(rowsOf(engine, 'userAgent:/^aws-cli\\/2\\./i'), [0, 1]);
    assert.deepEqual(rowsOf(engine, 'userAgent:/aws-cli/'), [0, 2], 'unanchored');
    assert.deepEqual(rowsOf(engine, '-userAgent:/aws-cli/'), [1]);
    assert.deepEqual(rowsOf(engine, 'eventName:DescribeInstances requestParameters.bucketName:/^prod-/i'), [0, 1]);
    assert.deepEqual(rowsOf(engine, 'eventName:DescribeInstances requestParameters.bucketName:/^prod-/'), [0]);
    assert.deepEqual(rowsOf(engine, 'eventName:DescribeInstances userAgent:/python\\/\\d/i'), [0]);
    assert.deepEqual(
      rowsOf(engine, 'eventName:DescribeInstances userAgent:/Boto3\\x20?\\/1\\.34\\saws/'),
      [2],
      'a space written \\s',
    );
  });

  test('a catastrophic pattern on a 50 KB attacker value runs in linear time', () => {
    const hostile = `${'a'.repeat(50_000)}!`;
    const engine = engineOf([
      anEvent({ userAgent: hostile, requestParameters: { name: hostile } }),
      anEvent({ userAgent: 'aaa' }),
    ]);
    const t0 = performance.now();
    assert.deepEqual(rowsOf(engine, 'userAgent:/(a+)+$/'), [1]);
    assert.deepEqual(rowsOf(engine, 'eventName:DescribeInstances requestParameters.name:/(a|aa)+$/'), []);
    assert.deepEqual(rowsOf(engine, 'eventName:DescribeInstances requestParameters.name:/(a+)+!/'), [0]);
    const ms = performance.now() - t0;
    assert.ok(ms < 2000, `took ${ms} ms`);
    const r = compileRegex('(a*)*b', '');
    assert.ok('re' in r);
    const t1 = performance.now();
    assert.equal(r.re.test('a'.repeat(50_000)), false);
    assert.ok(performance.now() - t1 < 500);
  });
});

describe('CIDR values', () => {
  test('parse IPv4 and IPv6 ranges (network cleared); pasted IPv6 addresses stay text', () => {
    assert.deepEqual(parseCidr('10.1.2.3/8'), {
      kind: 'cidr',
      version: 4,
      network: '10.0.0.0',
      bits: 8,
      text: '10.1.2.3/8',
    });
    assert.deepEqual(parseCidr('2001:DB8:0:0:1::/32'), {
      kind: 'cidr',
      version: 6,
      network: '2001:db8::',
      bits: 32,
      text: '2001:DB8:0:0:1::/32',
    });
    assert.deepEqual(parseCidr('::ffff:10.0.0.0/104'), {
      kind: 'cidr',
      version: 6,
      network: '::ffff:a00:0',
      bits: 104,
      text: '::ffff:10.0.0.0/104',
    });
    assert.equal(parseCidr('a/b'), undefined);
    assert.match((parseCidr('10.0.0.0/33') as { error: string }).error, /not a CIDR range/);
    assert.match((parseCidr('300.0.0.0/8') as { error: string }).error, /not a CIDR range/);
    assert.deepEqual(only('sourceIPAddress:2001:db8::/32'), {
      kind: 'field',
      name: 'sourceIPAddress',
      fields: ['sourceIp'],
      values: [],
      negate: false,
      patterns: [parseCidr('2001:db8::/32') as CidrPattern],
    });
    const t = only('ip:10.0.0.0/8,192.0.2.7') as { values: string[]; patterns: unknown[] };
    assert.deepEqual([t.values, t.patterns.length], [['192.0.2.7'], 1]);
    assert.match(errorOf('ip:10.0.0.0/40'), /"10.0.0.0\/40" is not a CIDR range/);
    for (const pasted of ['2001:db8::1', 'fe80::1', '2600:1f18:abcd::/48']) {
      const p = parseQuery(pasted);
      assert.deepEqual([p.errors, p.terms], [[], [{ kind: 'text', text: pasted }]], pasted);
    }
  });

  test('containment: same family only, boundaries exact, non-IPs never, the range text itself yes', () => {
    const v4 = parseCidr('192.168.0.0/16') as CidrPattern;
    for (const [ip, inside] of [
      ['192.168.0.0', true],
      ['192.168.255.255', true],
      ['192.169.0.0', false],
      ['192.167.255.255', false],
      ['::ffff:192.168.0.1', false],
      ['AWS Internal', false],
      ['192.168.1', false],
      ['192.168.0.0/16', true],
    ] as const)
      assert.equal(cidrContains(v4, ip), inside, ip);
    const v6 = parseCidr('2001:db8:8000::/33') as CidrPattern;
    for (const [ip, inside] of [
      ['2001:db8:8000::1', true],
      ['2001:db8:ffff:ffff::', true],
      ['2001:db8:7fff::', false],
      ['2001:db9::', false],
      ['10.0.0.1', false],
    ] as const)
      assert.equal(cidrContains(v6, ip), inside, ip);
    assert.ok(cidrContains(parseCidr('0.0.0.0/0') as CidrPattern, '203.0.113.9'));
    assert.ok(cidrContains(parseCidr('::/0') as CidrPattern, '::1'));
  });

  test('matching on the indexed ip field and on paths; cidrIp:0.0.0.0/0 still finds the open rule', () => {
    const engine = engineOf([
      anEvent({ sourceIPAddress: '10.8.8.10' }),
      anEvent({ sourceIPAddress: '2001:db8::5' }),
      anEvent({ sourceIPAddress: 'AWS Internal' }),
      anEvent({
        sourceIPAddress: 'ec2.amazonaws.com',
        requestParameters: { ipPermissions: { items: [{ ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] } },
      }),
      anEvent({
        sourceIPAddress: '192.0.2.1',
        requestParameters: { ipPermissions: { items: [{ ipRanges: { items: [{ cidrIp: '10.0.0.0/8' }] } }] } },
      }),
    ]);
    assert.deepEqual(rowsOf(engine, 'ip:10.0.0.0/8'), [0]);
    assert.deepEqual(rowsOf(engine, 'sourceIPAddress:2001:db8::/32'), [1]);
    assert.deepEqual(rowsOf(engine, 'ip:0.0.0.0/0'), [0, 4]);
    assert.deepEqual(rowsOf(engine, '-ip:0.0.0.0/0,::/0'), [2, 3]);
    assert.deepEqual(
      rowsOf(
        engine,
        'eventName:DescribeInstances requestParameters.ipPermissions.items.ipRanges.items.cidrIp:0.0.0.0/0',
      ),
      [3],
    );
    assert.deepEqual(
      rowsOf(
        engine,
        'eventName:DescribeInstances requestParameters.ipPermissions.items.ipRanges.items.cidrIp:"0.0.0.0/0"',
      ),
      [3],
    );
  });
});

describe('quoted pieces in wildcard values, json. paths and any:', () => {
  test('parse: spaces, commas, stars and quotes inside pieces are characters', () => {
    assert.deepEqual(only('userAgent:*"S3 Browser"*'), {
      kind: 'field',
      name: 'userAgent',
      fields: ['userAgent'],
      values: ['*S3 Browser*'],
      negate: false,
    });
    assert.deepEqual(only('userAgent:"a, b"*,*x'), {
      kind: 'field',
      name: 'userAgent',
      fields: ['userAgent'],
      values: ['a, b*', '*x'],
      negate: false,
    });
    assert.deepEqual(only('requestParameters.p:*"a*b"*'), {
      kind: 'path',
      name: 'requestParameters.p',
      segments: ['requestParameters', 'p'],
      values: [],
      negate: false,
      patterns: [{ kind: 'glob', parts: ['', 'a*b', ''] }],
    });
    assert.deepEqual(only('json.requestParameters:*"\\"s3:GetObject\\""*'), {
      kind: 'path',
      name: 'json.requestParameters',
      segments: ['requestParameters'],
      values: ['*"s3:GetObject"*'],
      negate: false,
      json: true,
    });
    assert.deepEqual(only('-any:*"wget http"*'), {
      kind: 'path',
      name: 'any',
      segments: [],
      values: ['*wget http*'],
      negate: true,
    });
    assert.deepEqual(queryWords('userAgent:*"S3 Browser"* eventName:X'), ['userAgent:*"S3 Browser"*', 'eventName:X']);
    // A quote inside a bare word is a character, as before: the next term is not swallowed.
    assert.deepEqual(queryWords('requestParameters.x:a"b eventName:X'), ['requestParameters.x:a"b', 'eventName:X']);
    assert.match(errorOf('userAgent:*"S3 Browser'), /A quote is not closed/);
  });

  test('matching: JSON text of an object (quotes, keys), literal stars, any value anywhere', () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }],
    };
    const engine = engineOf([
      anEvent({ userAgent: '[S3 Browser 10.9]', requestParameters: { policyDocument: JSON.stringify(policy) } }),
      anEvent({ userAgent: 'S3Browser', requestParameters: { policyDocument: policy } }),
      anEvent({ userAgent: 'x', requestParameters: { name: 'a*b' } }),
      anEvent({ userAgent: 'x', requestParameters: { name: 'axxb' } }),
    ]);
    assert.deepEqual(rowsOf(engine, 'userAgent:*"S3 Browser"*'), [0]);
    // An object's JSON text: the policy as a nested object has "s3:GetObject" with its quotes; as
    // a JSON string inside requestParameters (CloudTrail's way) the string itself is tried too…
    assert.deepEqual(
      rowsOf(engine, 'eventName:DescribeInstances json.requestParameters:*"\\"s3:GetObject\\""*'),
      [0, 1],
    );
    // …while in the object's own text that string's quotes are escaped.
    assert.deepEqual(
      rowsOf(engine, 'eventName:DescribeInstances json.requestParameters:*"\\\\\\"s3:GetObject\\\\\\""*'),
      [0],
    );
    // The plain path still matches scalars under the object, as before.
    assert.deepEqual(rowsOf(engine, 'eventName:DescribeInstances requestParameters:*GetObject*'), [0, 1]);
    assert.deepEqual(
      rowsOf(engine, 'eventName:DescribeInstances json.requestParameters:""'),
      [],
      'every event here has requestParameters',
    );
    assert.deepEqual(rowsOf(engine, 'eventName:DescribeInstances requestParameters.name:*"a*b"*'), [2]);
    assert.deepEqual(rowsOf(engine, 'eventName:DescribeInstances requestParameters.name:a*b'), [2, 3]);
    assert.deepEqual(rowsOf(engine, 'eventName:DescribeInstances any:*axx*'), [3]);
    assert.deepEqual(
      rowsOf(engine, 'eventName:DescribeInstances any:Allow'),
      [1],
      'each scalar whole: row 0 holds Allow only inside a longer string',
    );
    assert.deepEqual(rowsOf(engine, 'eventName:DescribeInstances any:*Allow*'), [0, 1]);
  });
});
