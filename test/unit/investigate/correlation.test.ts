/**
 * First-seen and correlation rules (ruleKinds.ts, firstSeen.ts, sequence.ts, sigmaCorrelation.ts):
 * the built-in ones against their own cases through a real StoreService (the store worker's
 * code), Sigma correlation files parsed and run, and every kind of bad input refused with the
 * file and the reason while the other rules still load.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { describe, test } from 'node:test';
import { decodeToBatch } from '../../../src/core/ingest/decode';
import { StoreClient } from '../../../src/core/engine/storeClient';
import { StoreService } from '../../../src/core/engine/storeService';
import { loadRules, type DetectionRule, type RuleFile } from '../../../src/core/investigate/detections/rules';
import { userAgentFamily } from '../../../src/core/investigate/detections/groupKeys';
import { aLogFile, anEvent } from '../../builders/events';
import { repoRoot } from '../../support/repoRoot';

interface Case {
  name: string;
  events: Array<Record<string, unknown>>;
  fires: string[];
}

const dir = join(repoRoot(), 'detections');
const mine = readdirSync(dir)
  .filter((n) => n.endsWith('.json'))
  .map((name) => ({ name, data: JSON.parse(readFileSync(join(dir, name), 'utf8')) as Record<string, unknown> }))
  .filter((f) => f.data.firstSeen !== undefined || f.data.correlation !== undefined || f.data.travel !== undefined);

/** A StoreService holding `events`, as a log view's worker would. */
async function serviceWith(events: unknown[]): Promise<{ client: StoreClient; service: StoreService; close(): void }> {
  const { port1, port2 } = new MessageChannel();
  const service = new StoreService(port2);
  const client = new StoreClient(port1, () => undefined);
  await client.addFile('case.json', decodeToBatch(new TextEncoder().encode(aLogFile(events)), { maxBytes: 1 << 22 }));
  return { client, service, close: () => (port1.close(), port2.close()) };
}

/** The eventIDs `rule` flags over `events`, oldest first, read back through detection:<id>. */
async function flagged(rule: DetectionRule, events: unknown[]): Promise<string[]> {
  const s = await serviceWith(events);
  try {
    const d = await s.client.detections([rule]);
    assert.deepEqual(d.problems, []);
    const inv = s.service.investigation;
    return Array.from(inv.engine.search(`detection:${rule.id}`, 'oldest').rows, (row) =>
      String((JSON.parse(inv.store.raw(row)) as { eventID: string }).eventID),
    );
  } finally {
    s.close();
  }
}

const one = (name: string, text: string): ReturnType<typeof loadRules> => loadRules([], [{ name, text }]);
const problemsOf = (name: string, text: string): string => {
  const lib = one(name, text);
  assert.equal(lib.rules.length, 0, `${name} should be refused`);
  assert.equal(lib.problems[0].file, name);
  return lib.problems[0].problems.join(' | ');
};

describe('built-in first-seen and correlation rules', () => {
  test('there are the eight first-seen, three correlation and one travel rules, and they load', () => {
    // Four by address, principal or region; four by the source IP's country or network (#24).
    assert.equal(mine.filter((f) => f.data.firstSeen).length, 8);
    assert.equal(mine.filter((f) => f.data.correlation).length, 3);
    assert.equal(mine.filter((f) => f.data.travel).length, 1);
    const lib = loadRules(mine.map((f) => ({ name: f.name, text: JSON.stringify(f.data) })));
    assert.deepEqual(lib.problems, []);
  });

  for (const f of mine) {
    test(`${f.name}: its own cases`, async () => {
      const lib = loadRules([{ name: f.name, text: JSON.stringify(f.data) }]);
      const rule = lib.rules[0];
      const cases = f.data.tests as Case[];
      assert.ok(
        cases.some((c) => c.fires.length > 0) && cases.some((c) => c.fires.length === 0),
        'a firing case and a near miss',
      );
      for (const c of cases) assert.deepEqual(await flagged(rule, c.events), c.fires, c.name);
    });
  }
});

const ev = (id: string, minute: number, over: Record<string, unknown> = {}): Record<string, unknown> =>
  anEvent({
    eventID: id,
    eventTime: new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString().replace('.000', ''),
    ...over,
  });
const by = (user: string): Record<string, unknown> => ({
  userIdentity: {
    type: 'IAMUser',
    arn: `arn:aws:iam::111122223333:user/${user}`,
    userName: user,
    accountId: '111122223333',
    accessKeyId: 'AKIAEXAMPLE0000000001',
  },
});

const SIGMA_BASE = `title: Failed console login
name: failed_login
id: 7b3a7e05-8c4f-4a1e-9b6e-0d6f1f0b0a01
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    eventName: ConsoleLogin
    errorMessage: Failed authentication
  condition: selection
---
title: Successful console login
name: good_login
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    eventName: ConsoleLogin
    responseElements.ConsoleLogin: Success
  condition: selection
`;
const corr = (body: string, extra = ''): string => `title: Correlated
id: 0e95725d-7320-415d-80f7-004da920fc11
level: high
tags: [attack.credential-access, attack.t1110.001]
${extra}correlation:
${body}
---
${SIGMA_BASE}`;
const fail = (id: string, minute: number, user = 'ann'): Record<string, unknown> =>
  ev(id, minute, {
    eventName: 'ConsoleLogin',
    eventSource: 'signin.amazonaws.com',
    errorMessage: 'Failed authentication',
    ...by(user),
  });
const good = (id: string, minute: number, user = 'ann'): Record<string, unknown> =>
  ev(id, minute, {
    eventName: 'ConsoleLogin',
    eventSource: 'signin.amazonaws.com',
    responseElements: { ConsoleLogin: 'Success' },
    ...by(user),
  });

describe('Sigma correlation rules', () => {
  test('event_count: three failed logins of one user within 10 minutes; references by name, metadata from the correlation', async () => {
    const lib = one(
      'mr_brute.yml',
      corr(
        '  type: event_count\n  rules: [failed_login]\n  group-by: [userIdentity.arn]\n  timespan: 10m\n  condition: {gte: 3}',
      ),
    );
    assert.deepEqual(lib.problems, []);
    const r = lib.rules[0];
    assert.equal(r.format, 'sigma');
    assert.equal(r.severity, 'high');
    assert.deepEqual(r.mitre, ['T1110.001']);
    assert.deepEqual(r.correlation, { type: 'event_count', groupBy: ['userIdentity.arn'], withinMinutes: 10, min: 3 });
    const events = [fail('a', 0), fail('b', 2), fail('c', 30, 'bo'), fail('d', 4), fail('e', 40), fail('f', 41)];
    assert.deepEqual(await flagged(r, events), ['a', 'b', 'd']);
  });

  test('value_count: distinct source addresses per user; gt means one more', async () => {
    const lib = one(
      'mr_ips.yml',
      corr(
        '  type: value_count\n  rules: [7b3a7e05-8c4f-4a1e-9b6e-0d6f1f0b0a01]\n  group-by: [userIdentity.arn]\n  timespan: 1h\n  condition: {gt: 2, field: sourceIPAddress}',
      ),
    );
    assert.deepEqual(lib.problems, []);
    assert.equal(lib.rules[0].correlation!.min, 3);
    const ip = (e: Record<string, unknown>, a: string): Record<string, unknown> => ({ ...e, sourceIPAddress: a });
    const same = [
      ip(fail('a', 0), '192.0.2.1'),
      ip(fail('b', 1), '192.0.2.1'),
      ip(fail('c', 2), '192.0.2.2'),
      ip(fail('d', 3), '192.0.2.2'),
    ];
    assert.deepEqual(await flagged(lib.rules[0], same), []);
    assert.deepEqual(await flagged(lib.rules[0], [...same, ip(fail('e', 5), '192.0.2.3')]), ['a', 'b', 'c', 'd', 'e']);
  });

  test('temporal_ordered: a failure then a success of the same user; the other order does not fire', async () => {
    const lib = one(
      'mr_fail_then_ok.yml',
      corr(
        '  type: temporal_ordered\n  rules: [failed_login, good_login]\n  group-by: [userIdentity.arn]\n  timespan: 5m',
      ),
    );
    assert.deepEqual(lib.problems, []);
    const r = lib.rules[0];
    assert.deepEqual(r.correlation!.steps!.length, 2);
    assert.deepEqual(
      await flagged(r, [fail('a', 0), good('b', 3), good('c', 20), fail('d', 21), good('e', 30, 'bo')]),
      ['a', 'b'],
    );
    assert.deepEqual(await flagged(r, [good('a', 0), fail('b', 3)]), []);
  });

  test('temporal: both in any order within the timespan', async () => {
    const lib = one(
      'mr_both.yml',
      corr('  type: temporal\n  rules: [failed_login, good_login]\n  group-by: [userIdentity.arn]\n  timespan: 5m'),
    );
    assert.deepEqual(lib.problems, []);
    assert.deepEqual(await flagged(lib.rules[0], [good('a', 0), fail('b', 3), fail('c', 30)]), ['a', 'b']);
  });

  // runRule stops searching a sequence's steps once one it needs has matched nothing.
  const seq = (type: string, condition?: Record<string, number>): DetectionRule => {
    const lib = loadRules(
      [
        {
          name: 'three.json',
          text: JSON.stringify({
            id: 'three',
            title: 'Three steps',
            severity: 'low',
            correlation: {
              type,
              steps: [
                'errorMessage:"Failed authentication"',
                'eventName:DeleteTrail',
                'responseElements.ConsoleLogin:Success',
              ],
              groupBy: ['principal'],
              withinMinutes: 10,
              ...(condition ? { condition } : {}),
            },
          }),
        },
      ],
      [],
    );
    assert.deepEqual(lib.problems, []);
    return lib.rules[0];
  };
  const events = [fail('a', 0), good('b', 3), fail('c', 30, 'bo')];
  test('a step that matches nothing: temporal_ordered and temporal of every step cannot fire', async () => {
    assert.deepEqual(await flagged(seq('temporal_ordered'), events), []);
    assert.deepEqual(await flagged(seq('temporal'), events), []);
  });
  test('a step that matches nothing: temporal needing 2 of 3 steps still fires on the other two', async () => {
    assert.deepEqual(await flagged(seq('temporal', { gte: 2 }), events), ['a', 'b']);
  });
});

describe('bad input: the file and the reason; the other rules still load', () => {
  const good1: RuleFile = {
    name: 'ok.json',
    text: JSON.stringify({ id: 'ok', title: 'OK', severity: 'low', query: 'eventName:CreateUser' }),
  };
  const json = (over: Record<string, unknown>): string =>
    JSON.stringify({
      id: 'bad',
      title: 'Bad',
      severity: 'low',
      query: 'eventName:GetSecretValue',
      correlation: { type: 'event_count', groupBy: ['principal'], withinMinutes: 10, condition: { gte: 5 } },
      ...over,
    });

  test('a malformed file among good ones', () => {
    const lib = loadRules(
      [good1],
      [
        { name: 'broken.json', text: '{"id": "x", "correlation": ' },
        { name: 'broken.yml', text: 'correlation:\n  type: [unclosed' },
      ],
    );
    assert.deepEqual(
      lib.rules.map((r) => r.id),
      ['ok'],
    );
    assert.deepEqual(
      lib.problems.map((p) => p.file),
      ['broken.json', 'broken.yml'],
    );
    assert.match(lib.problems[0].problems[0], /Not valid JSON/);
    assert.match(lib.problems[1].problems[0], /not valid YAML/);
  });

  test('an unknown correlation type, in JSON and Sigma', () => {
    assert.match(
      problemsOf('a.json', json({ correlation: { type: 'rare_terms', withinMinutes: 5 } })),
      /"correlation.type" "rare_terms" is unknown: one of event_count, value_count, temporal, temporal_ordered/,
    );
    assert.match(
      problemsOf('a.yml', corr('  type: sequence\n  rules: [failed_login]\n  timespan: 5m')),
      /correlation.type "sequence" is unknown/,
    );
  });

  test('a rule referencing a missing rule', () => {
    assert.match(
      problemsOf(
        'm.yml',
        corr('  type: temporal\n  rules: [failed_login, no_such_rule]\n  group-by: [userIdentity.arn]\n  timespan: 5m'),
      ),
      /"no_such_rule" is not the name or id of a rule in this file/,
    );
  });

  test('a window of zero or of years', () => {
    assert.match(
      problemsOf('z.json', json({ correlation: { type: 'event_count', withinMinutes: 0, condition: { gte: 5 } } })),
      /"correlation.withinMinutes" must be more than zero/,
    );
    assert.match(
      problemsOf(
        'y.json',
        json({ correlation: { type: 'event_count', withinMinutes: 3 * 525_600, condition: { gte: 5 } } }),
      ),
      /is 1095 days; at most 90 days/,
    );
    assert.match(
      problemsOf('f.json', json({ correlation: undefined, firstSeen: { fields: ['principal'], baselineDays: 0 } })),
      /"firstSeen.baselineDays" must be more than zero/,
    );
    assert.match(
      problemsOf('g.json', json({ correlation: undefined, firstSeen: { fields: ['principal'], baselineDays: 3650 } })),
      /3650 days; at most 90/,
    );
    assert.match(
      problemsOf('z.yml', corr('  type: event_count\n  rules: [failed_login]\n  timespan: 0m\n  condition: {gte: 3}')),
      /timespan: a timespan of zero/,
    );
    assert.match(
      problemsOf(
        'y.yml',
        corr('  type: event_count\n  rules: [failed_login]\n  timespan: 2000d\n  condition: {gte: 3}'),
      ),
      /more than 90 days/,
    );
    assert.match(
      problemsOf('u.yml', corr('  type: event_count\n  rules: [failed_login]\n  timespan: 1y\n  condition: {gte: 3}')),
      /"1y" is not a timespan/,
    );
  });

  test('absurd group-by: too many fields, a many-valued field, an unknown field, a repeat', () => {
    assert.match(
      problemsOf(
        'g1.json',
        json({
          correlation: {
            type: 'event_count',
            groupBy: ['principal', 'ip', 'region', 'eventName', 'accessKey'],
            withinMinutes: 5,
            condition: { gte: 5 },
          },
        }),
      ),
      /names 0 to 4 fields; it has 5/,
    );
    assert.match(
      problemsOf(
        'g2.json',
        json({ correlation: { type: 'event_count', groupBy: ['resource'], withinMinutes: 5, condition: { gte: 5 } } }),
      ),
      /"resource" is not a single-valued field/,
    );
    assert.match(
      problemsOf(
        'g3.json',
        json({ correlation: { type: 'event_count', groupBy: ['nonsense'], withinMinutes: 5, condition: { gte: 5 } } }),
      ),
      /"nonsense" is not a single-valued field/,
    );
    assert.match(
      problemsOf(
        'g4.json',
        json({ correlation: { type: 'event_count', groupBy: ['ip', 'IP'], withinMinutes: 5, condition: { gte: 5 } } }),
      ),
      /names a field twice/,
    );
    assert.match(
      problemsOf(
        'g5.yml',
        corr(
          '  type: event_count\n  rules: [failed_login]\n  group-by: [a, b, c, d, e]\n  timespan: 5m\n  condition: {gte: 3}',
        ),
      ),
      /group-by names 5 fields; at most 4/,
    );
  });

  test('conditions that cannot mean what they say, and Sigma parts not read', () => {
    assert.match(
      problemsOf('c1.json', json({ correlation: { type: 'event_count', withinMinutes: 5, condition: { lt: 5 } } })),
      /upper bounds and exact counts are not read/,
    );
    assert.match(
      problemsOf('c2.json', json({ correlation: { type: 'value_count', withinMinutes: 5, condition: { gte: 5 } } })),
      /"correlation.condition.field" names/,
    );
    assert.match(
      problemsOf(
        'c3.json',
        json({ query: undefined, correlation: { type: 'temporal_ordered', steps: ['eventName:A'], withinMinutes: 5 } }),
      ),
      /a list of 2 to 8 steps/,
    );
    assert.match(
      problemsOf('c4.json', json({ firstSeen: { fields: ['principal'], baselineDays: 1 } })),
      /cannot go together/,
    );
    assert.match(
      problemsOf(
        'c5.yml',
        corr(
          '  type: temporal\n  rules: [failed_login, good_login]\n  timespan: 5m\n  aliases: {x: {failed_login: a}}',
        ),
      ),
      /aliases: field name aliases are not read/,
    );
    assert.match(
      problemsOf(
        'c6.yml',
        corr('  type: temporal\n  rules: [failed_login, good_login]\n  timespan: 5m\n  generate: true'),
      ),
      /generate: true is not read/,
    );
    assert.match(
      problemsOf(
        'c7.yml',
        `${corr('  type: event_count\n  rules: [failed_login]\n  timespan: 5m\n  condition: {gte: 3}')}---\ntitle: Chained\ncorrelation:\n  type: event_count\n  rules: [Correlated]\n  timespan: 5m\n  condition: {gte: 2}\n`,
      ),
      /2 correlation documents: chained correlations are not read/,
    );
    assert.match(
      problemsOf('c8.yml', 'title: bomb\nx: &a [1]\ny: *a\ncorrelation:\n  type: event_count\n'),
      /aliases are not read/,
    );
  });
});

describe('first-seen details', () => {
  test('user agent family drops versions and platform', () => {
    assert.equal(userAgentFamily('aws-cli/2.13.0 Python/3.11.4 Linux/6.1'), 'aws-cli');
    assert.equal(userAgentFamily('Boto3/1.28.0 md/Botocore#1.31.0'), 'boto3');
    assert.equal(userAgentFamily('console.amazonaws.com'), 'console.amazonaws.com');
    assert.equal(userAgentFamily('[S3Console/0.4, aws-internal/3]'), 's3console');
  });

  test('a principal + user agent family rule fires on the new tool, not on a new version', async () => {
    const lib = loadRules([
      {
        name: 'ua.json',
        text: JSON.stringify({
          id: 'ua',
          title: 'New tool',
          severity: 'low',
          query: 'eventSource:s3.amazonaws.com',
          firstSeen: { fields: ['principal', 'userAgentFamily'], baselineDays: 2 },
        }),
      },
    ]);
    assert.deepEqual(lib.problems, []);
    const s3 = (id: string, minute: number, ua: string): Record<string, unknown> =>
      ev(id, minute, { eventSource: 's3.amazonaws.com', eventName: 'ListBuckets', userAgent: ua, ...by('ann') });
    const day = 1440;
    const events = [
      s3('a', 0, 'aws-cli/2.13.0'),
      s3('a2', day, 'aws-cli/2.13.0'),
      s3('b', 2 * day + 5, 'aws-cli/2.15.1 Python/3.12'),
      s3('c', 2 * day + 6, 'python-requests/2.31'),
    ];
    assert.deepEqual(await flagged(lib.rules[0], events), ['c']);
  });
});
