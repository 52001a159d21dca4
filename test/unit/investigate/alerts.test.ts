import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { exportAlerts, shellQuote } from '../../../src/core/investigate/alerts/export';
import { eventEnvelope, eventPatternMatches } from '../../../src/core/investigate/alerts/eventPatternMatch';
import { parseMetricFilter } from '../../../src/core/investigate/alerts/metricFilterMatch';
import { renderAlertExport } from '../../../src/core/investigate/alerts/render';
import { parseRule, type DetectionRule } from '../../../src/core/investigate/detections/rules';
import { anEvent } from '../../builders/events';

const mf = (pattern: string, event: unknown): boolean => parseMetricFilter(pattern).matches(event);
const eb = (pattern: unknown, event: unknown): boolean => eventPatternMatches(pattern, event);

describe('metric filter matcher (AWS "Filter pattern syntax", JSON examples)', () => {
  // The JSON example of the CloudWatch Logs user guide, and what it says each filter does.
  const doc = {
    eventType: 'UpdateTrail',
    sourceIPAddress: '111.111.111.111',
    arrayKey: ['value', 'another value'],
    objectList: [
      { name: 'a', id: 1 },
      { name: 'b', id: 2 },
    ],
    SomeObject: null,
    ThisFlag: true,
  };
  test('the documented filters match the documented event', () => {
    for (const p of [
      '{ $.eventType = "UpdateTrail" }',
      '{ $.sourceIPAddress != 123.123.* }',
      '{ $.arrayKey[0] = "value" }',
      '{ $.objectList[1].id = 2 }',
      '{ $.SomeObject IS NULL }',
      '{ $.SomeOtherObject NOT EXISTS }',
      '{ $.ThisFlag IS TRUE }',
    ])
      assert.equal(mf(p, doc), true, p);
  });
  test('and the near misses do not', () => {
    for (const p of [
      '{ $.eventType = "updatetrail" }', // case-sensitive
      '{ $.arrayKey = "value" }', // a list is not a value
      '{ $.arrayKey != "value" }',
      '{ $.objectList[2].id = 2 }',
      '{ $.objectList[1].id = "2" }', // a quoted operand is a string
      '{ $.SomeObject NOT EXISTS }', // null exists
      '{ $.Missing IS NULL }',
      '{ $.Missing != "x" }', // a missing selector satisfies NOT EXISTS only
      '{ $.ThisFlag IS FALSE }',
      '{ $.ThisFlag = "true" }',
      '{ $.eventType = "Update*Trail" }', // a * inside is a character
    ])
      assert.equal(mf(p, doc), false, p);
  });
  test('wildcards at either end, numbers, && before ||, parentheses', () => {
    const compound = {
      user: { id: 1, email: 'John.Stiles@example.com' },
      users: [{ id: 2, email: 'John.Doe@example.com' }],
      actions: ['GET', 'PUT', 'DELETE'],
      coordinates: [[0, 1, 2]],
    };
    assert.equal(mf('{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', compound), true);
    assert.equal(mf('{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', compound), false);
    assert.equal(
      mf(
        '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }',
        compound,
      ),
      true,
    );
    assert.equal(
      mf(
        '{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }',
        compound,
      ),
      false,
    );
    assert.equal(mf('{ $.coordinates[0][1] = 1 }', compound), true);
    assert.equal(mf('{ $.user.email = "*@example.com" }', compound), true);
    assert.equal(mf('{ $.user.email = "John*" }', compound), true);
    assert.equal(mf('{ $.user.email = "*Stiles*" }', compound), true);
    assert.equal(mf('{ $.user.id >= 1 && $.user.id < 1.5 }', compound), true);
    assert.equal(mf('{ $.user.id > +1 }', compound), false);
    assert.equal(mf('', compound), true, 'an empty pattern matches everything');
  });
  test('bad patterns are refused with a reason', () => {
    assert.throws(() => parseMetricFilter('{ $.a = "x" '), /expected "}"/);
    assert.throws(() => parseMetricFilter('{ a = "x" }'), /selector/);
    assert.throws(() => parseMetricFilter('{ $.a < "x" }'), /needs a number/);
    assert.throws(() => parseMetricFilter('{ $.a = x@y }'), /must be quoted/);
  });
});

describe('event pattern matcher (EventBridge docs, event-ruler README)', () => {
  const event = {
    source: 'aws.ec2',
    'detail-type': 'EC2 Instance State-change Notification',
    resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-1'],
    detail: {
      state: 'running',
      'c-count': 5,
      'source-ip': '10.0.0.33',
      ip6: '2001:db8::1',
      empty: '',
      nothing: null,
      obj: { c1: 100 },
      list: ['a', 'b'],
      employees: [
        { first: 'John', last: 'Doe' },
        { first: 'Anna', last: 'Smith' },
      ],
    },
  };
  test('each matcher, on the documented shapes', () => {
    const yes = [
      { source: ['aws.ec2'] },
      { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-1'] },
      { detail: { state: [{ prefix: 'run' }] } },
      { detail: { state: [{ prefix: { 'equals-ignore-case': 'RUN' } }] } },
      { detail: { state: [{ suffix: 'ing' }] } },
      { detail: { state: [{ 'equals-ignore-case': 'RUNNING' }] } },
      { detail: { state: [{ wildcard: 'r*n*g' }] } },
      { detail: { state: [{ 'anything-but': ['stopped', 'pending'] }] } },
      { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
      { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } },
      { detail: { 'c-count': [5] } },
      { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } },
      { detail: { ip6: [{ cidr: '2001:db8::/32' }] } },
      { detail: { empty: [''] } },
      { detail: { nothing: [null] } },
      { detail: { missing: [{ exists: false }] } },
      { detail: { obj: [{ exists: false }] } }, // an object is not a leaf
      { detail: { state: [{ exists: true }] } },
      { detail: { list: ['b'] } }, // a list in the event: any element
      { detail: { list: [{ 'anything-but': 'a' }] } },
      { detail: { employees: { first: ['Anna'], last: ['Smith'] } } },
      { $or: [{ source: ['nope'] }, { detail: { state: ['running'] } }] },
    ];
    for (const p of yes) assert.equal(eb(p, event), true, JSON.stringify(p));
    const no = [
      { source: ['AWS.EC2'] },
      { detail: { state: [{ wildcard: 'R*' }] } },
      { detail: { state: [{ 'anything-but': 'running' }] } },
      { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'RUNNING' } }] } },
      { detail: { missing: [{ 'anything-but': 'x' }] } }, // anything-but needs the key
      { detail: { 'c-count': ['5'] } }, // "5" is not 5
      { detail: { empty: [null] } },
      { detail: { nothing: [''] } },
      { detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } },
      { detail: { obj: [{ exists: true }] } },
      { detail: { state: [{ exists: false }] } },
      { detail: { employees: { first: ['Anna'], last: ['Doe'] } } }, // fields of two elements
      { $or: [{ source: ['nope'] }, { detail: { state: ['stopped'] } }] },
    ];
    for (const p of no) assert.equal(eb(p, event), false, JSON.stringify(p));
  });
  test('wildcard escapes: \\* is a star, \\\\ a backslash', () => {
    assert.equal(eb({ v: [{ wildcard: 'a\\*b' }] }, { v: 'a*b' }), true);
    assert.equal(eb({ v: [{ wildcard: 'a\\*b' }] }, { v: 'axxb' }), false);
    assert.equal(eb({ v: [{ wildcard: 'a\\\\*' }] }, { v: 'a\\zz' }), true);
  });
  test('the envelope of a CloudTrail record', () => {
    const e = eventEnvelope(anEvent({ eventSource: 'iam.amazonaws.com', eventType: 'AwsConsoleSignIn' }));
    assert.equal(e.source, 'aws.iam');
    assert.equal(e['detail-type'], 'AWS Console Sign In via CloudTrail');
  });
});

const ruleOf = (over: Record<string, unknown>): DetectionRule => {
  const r = parseRule(
    JSON.stringify({ id: 'r', title: 'T', severity: 'high', query: 'eventName:X', ...over }),
    'r.json',
    'user',
  );
  assert.deepEqual(r.problems, []);
  return r.rule!;
};

describe('compiled alerts, pinned', () => {
  test("CloudTrail stopped: a pattern like the CIS benchmark's, and an EventBridge pattern", () => {
    const e = exportAlerts(
      ruleOf({ id: 'cloudtrail-stopped', query: 'eventSource:cloudtrail.amazonaws.com eventName:StopLogging' }),
    );
    assert.deepEqual(e.metricFilter.patterns, [
      '{ ($.eventSource = "cloudtrail.amazonaws.com") && ($.eventName = "StopLogging") }',
    ]);
    assert.deepEqual(e.eventBridge.pattern, {
      source: [{ prefix: 'aws.' }],
      'detail-type': [
        'AWS API Call via CloudTrail',
        'AWS Console Sign In via CloudTrail',
        'AWS Service Event via CloudTrail',
        'AWS Console Action via CloudTrail',
        'AWS Insight via CloudTrail',
      ],
      detail: {
        eventSource: [{ 'equals-ignore-case': 'cloudtrail.amazonaws.com' }],
        eventName: [{ 'equals-ignore-case': 'StopLogging' }],
      },
    });
    assert.deepEqual(
      e.metricFilter.differences.map((d) => [d.kind, d.direction]),
      [['case', 'fewer']],
    );
    assert.deepEqual(e.eventBridge.differences, [], 'equals-ignore-case: exactly the rule');
    assert.equal(e.eventBridge.state, 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
    assert.deepEqual(e.metricFilter.alarm, { period: 300, threshold: 1, evaluationPeriods: 1 });
  });

  test('root usage (CIS 4.3): empty and excluded values become NOT EXISTS / IS NULL / != and exists:false / anything-but', () => {
    const e = exportAlerts(ruleOf({ query: 'type:Root userIdentity.invokedBy:"" -eventType:AwsServiceEvent' }));
    assert.deepEqual(e.metricFilter.patterns, [
      '{ ($.userIdentity.type = "Root") && ($.userIdentity.invokedBy NOT EXISTS || $.userIdentity.invokedBy IS NULL || $.userIdentity.invokedBy = "") && ($.eventType NOT EXISTS || $.eventType IS NULL || $.eventType != "AwsServiceEvent") }',
    ]);
    const ors = (e.eventBridge.pattern.$or as Array<{ detail: unknown }>).map((o) => o.detail);
    assert.deepEqual(ors, [
      {
        userIdentity: { type: [{ 'equals-ignore-case': 'Root' }], invokedBy: [{ exists: false }] },
        eventType: [{ exists: false }],
      },
      {
        userIdentity: { type: [{ 'equals-ignore-case': 'Root' }], invokedBy: [{ exists: false }] },
        eventType: [{ 'anything-but': { 'equals-ignore-case': 'AwsServiceEvent' } }],
      },
      {
        userIdentity: { type: [{ 'equals-ignore-case': 'Root' }], invokedBy: [null, ''] },
        eventType: [{ exists: false }],
      },
      {
        userIdentity: { type: [{ 'equals-ignore-case': 'Root' }], invokedBy: [null, ''] },
        eventType: [{ 'anything-but': { 'equals-ignore-case': 'AwsServiceEvent' } }],
      },
    ]);
  });

  test('a burst: the alarm counts within the window; per-principal and sliding windows are declared', () => {
    const e = exportAlerts(
      ruleOf({ query: 'eventName:GetSecretValue', threshold: { count: 10, withinMinutes: 5, by: 'principal' } }),
    );
    assert.deepEqual(e.metricFilter.alarm, { period: 300, threshold: 10, evaluationPeriods: 1 });
    assert.ok(e.metricFilter.differences.some((d) => d.kind === 'threshold' && d.direction === 'more'));
    assert.match(e.metricFilter.notes.join(' '), /fixed periods.*silent/);
    assert.match(e.metricFilter.notes.join(' '), /counts per principal/);
    assert.equal(exportAlerts(ruleOf({ threshold: { count: 3, withinMinutes: 0.5 } })).metricFilter.alarm.period, 60);
  });

  test('terms a target cannot say are named, with the direction', () => {
    const e = exportAlerts(
      ruleOf({
        query: ['eventName:X -noisy', 'eventName:Y resource:arn:aws:s3:::b', 'eventName:Z userAgent:*aws*cli*'],
      }),
    );
    const mfd = e.metricFilter.differences.map((d) => `${d.direction} ${d.ref?.query}.${d.ref?.term}`);
    assert.ok(mfd.includes('more 0.1'), 'free text dropped');
    assert.ok(mfd.includes('more 1.1'), 'resources dropped');
    assert.ok(mfd.includes('more 2.1'), 'an inner * is approximated by pieces');
    assert.match(e.metricFilter.patterns[0], /\$\.userAgent = "\*aws\*" && \$\.userAgent = "\*cli\*"/);
    const ebd = e.eventBridge.differences.map((d) => `${d.kind} ${d.direction}`);
    assert.ok(ebd.includes('case fewer'), 'wildcard is case-sensitive');
    assert.deepEqual((e.eventBridge.pattern.$or as Array<{ detail: Record<string, unknown> }>)[2].detail.userAgent, [
      { wildcard: '*aws*cli*' },
    ]);
  });

  test('CLI commands quote the pattern for the shell; the templates are JSON; the document renders', () => {
    assert.equal(shellQuote(`it's $HOME "x"`), `'it'\\''s $HOME "x"'`);
    const e = exportAlerts(ruleOf({ title: "Bob's `rule`\n$(rm -rf /)", query: 'eventName:StopLogging' }));
    assert.ok(e.metricFilter.cli.includes(`--filter-pattern='{ $.eventName = "StopLogging" }'`));
    assert.ok(
      e.metricFilter.cli.includes(
        `--alarm-description='Bob'\\''s \`rule\` $(rm -rf /) (CloudTrail Lens detection r, high)'`,
      ),
      'one line, single-quoted',
    );
    assert.ok(e.eventBridge.cli.includes(`--event-pattern='${JSON.stringify(e.eventBridge.pattern)}'`));
    const cfn = JSON.parse(e.metricFilter.cloudFormation) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    assert.deepEqual(
      Object.values(cfn.Resources).map((r) => r.Type),
      ['AWS::Logs::MetricFilter', 'AWS::CloudWatch::Alarm'],
    );
    assert.equal(cfn.Resources.MetricFilter.Properties.FilterPattern, '{ $.eventName = "StopLogging" }');
    assert.equal(
      (JSON.parse(e.eventBridge.cloudFormation) as { Resources: { Rule: { Type: string } } }).Resources.Rule.Type,
      'AWS::Events::Rule',
    );
    const md = renderAlertExport(e);
    assert.match(md, /^# Alerts for ``Bob's `rule` \$\(rm -rf \/\)``/);
    assert.match(md, /Matches \*\*fewer\*\* events than the rule/);
  });
});
