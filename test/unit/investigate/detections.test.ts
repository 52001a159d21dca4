import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { inlineDecoder } from '../../../src/core/ingest/decoderPool';
import {
  loadRules,
  parseRule,
  type DetectionRule,
  type RuleFile,
} from '../../../src/core/investigate/detections/rules';
import { runDetections, runRule } from '../../../src/core/investigate/detections/run';
import { Investigation } from '../../../src/core/engine/investigation';
import { expandRoots, loadFiles, type LogFileSystem } from '../../../src/core/ingest/loader';
import { normalizeEvent } from '../../../src/core/model/records';
import { SearchEngine } from '../../../src/core/query/search';
import { EventStore } from '../../../src/core/store/store';
import { builtInRuleFiles } from '../../support/ruleLibrary';
import { anEvent, samplesDir } from '../../builders/events';

const builtInFiles = (): RuleFile[] => builtInRuleFiles();
const library = loadRules(builtInFiles());

function storeOf(events: Array<Record<string, unknown>>): { store: EventStore; engine: SearchEngine } {
  const store = new EventStore();
  for (const e of events) store.add(normalizeEvent(e), 0);
  return { store, engine: new SearchEngine(store) };
}

const rule = (over: Record<string, unknown> = {}): string =>
  JSON.stringify({ id: 'my-rule', title: 'Mine', severity: 'low', query: 'eventName:CreateUser', ...over });

describe('rule files', () => {
  test('a valid rule parses, with defaults for the optional keys', () => {
    const { rule: r, problems } = parseRule(
      rule({
        query: ['eventName:A', 'eventName:B requestParameters.x:y'],
        threshold: { count: 3, withinMinutes: 5, by: 'principal' },
        mitre: ['T1098.001'],
      }),
      'mine.json',
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(r, {
      id: 'my-rule',
      title: 'Mine',
      severity: 'low',
      description: '',
      query: ['eventName:A', 'eventName:B requestParameters.x:y'],
      threshold: { count: 3, withinMinutes: 5, by: 'principal' },
      mitre: ['T1098.001'],
      references: [],
      origin: 'user',
      file: 'mine.json',
    });
  });

  test('every problem is named: unknown keys, bad severity, query errors, bad thresholds and comparisons', () => {
    const p = (text: string): string => parseRule(text, 'x.json').problems.join(' | ');
    assert.match(
      p(rule({ severity: 'urgent', colour: 'red' })),
      /Unknown key "colour".*\| "severity" must be one of critical, high, medium, low, info/,
    );
    assert.match(
      p(rule({ query: 'evntName:X' })),
      /"query" "evntName:X": Unknown field "evntName": did you mean eventName/,
    );
    assert.match(p(rule({ query: 'eventName:X detection:cis-4.1' })), /cannot use detection: terms/);
    assert.match(p(rule({ query: 'stoplogging' })), /field: and path terms only/);
    assert.match(p(rule({ query: 'last:1d eventName:X' })), /field: and path terms only/);
    assert.match(p(rule({ query: '   ' })), /"query" is empty/);
    assert.match(p(rule({ query: [] })), /"query" is required/);
    assert.match(p(rule({ id: 'has space' })), /"id" is required/);
    assert.match(p(rule({ title: '' })), /"title" is required/);
    assert.match(p(rule({ threshold: { count: 1, withinMinutes: 5 } })), /"threshold" is/);
    assert.match(p(rule({ threshold: { count: 5, withinMinutes: 5, by: 'nonsense' } })), /"threshold.by"/);
    assert.match(
      p(rule({ threshold: { count: 5, withinMinutes: 5, by: 'resource' } })),
      /"threshold.by"/,
      'resources are many per event',
    );
    assert.match(p(rule({ compare: { differs: ['requestParameters.userName'] } })), /"compare" is/);
    assert.match(p(rule({ compare: { equals: ['principal', 'ip'] } })), /"compare" is/);
    assert.match(p(rule({ references: ['javascript:alert(1)'] })), /"references" is a list of http\(s\) URLs/);
    assert.match(p(rule({ mitre: ['1098'] })), /"mitre"/);
    assert.match(p('{"id": '), /Not valid JSON/);
    assert.match(p('[]'), /one JSON object/);
    assert.match(p(' '.repeat(300_000)), /at most/);
    assert.equal(parseRule(rule({ severity: 'urgent' }), 'x.json').rule, undefined);
  });

  test('a "__proto__" key is reported as unknown and pollutes nothing', () => {
    const { problems } = parseRule(
      '{"__proto__": {"polluted": 1}, "id": "a", "title": "t", "severity": "low", "query": "eventName:X"}',
      'x.json',
    );
    assert.match(problems.join(), /Unknown key "__proto__"/);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('user rules: a built-in id is overridden (and said so); duplicates and bad files are reported; other files skipped', () => {
    const lib = loadRules(builtInFiles(), [
      { name: 'root.json', text: rule({ id: 'CIS-4.3', title: 'My root rule', query: 'type:Root' }) },
      { name: 'a.json', text: rule({ id: 'mine' }) },
      { name: 'b.json', text: rule({ id: 'MINE' }) },
      { name: 'bad.json', text: rule({ severity: 'urgent' }) },
      { name: 'README.md', text: '# notes' },
    ]);
    assert.deepEqual(lib.overridden, [{ id: 'cis-4.3', file: 'root.json' }]);
    assert.deepEqual(
      lib.problems.map((p) => [p.origin, p.file, p.problems.length]),
      [
        ['user', 'b.json', 1],
        ['user', 'bad.json', 1],
      ],
    );
    assert.match(lib.problems[0].problems[0], /already used by a\.json/);
    const root = lib.rules.find((r) => r.id.toLowerCase() === 'cis-4.3')!;
    assert.equal(root.title, 'My root rule');
    assert.equal(root.origin, 'user');
    assert.equal(lib.rules.length, library.rules.length + 1);
  });
});

describe('the built-in library', () => {
  test('every file is valid and documented; ids are unique; the 15 CIS controls are there, in order', () => {
    assert.deepEqual(library.problems, []);
    const ids = library.rules.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(
      ids.filter((id) => id.startsWith('cis-')),
      Array.from({ length: 15 }, (_, i) => `cis-4.${i + 1}`),
      'numbers in numeric order',
    );
    for (const r of library.rules) {
      assert.ok(r.description.length > 20, `${r.id} describes itself`);
      assert.ok(r.references.length > 0, `${r.id} cites a reference`);
      assert.equal(r.origin, 'built-in');
      assert.equal(`${r.id}.json`, r.file, 'one file per rule, named by its id');
    }
  });
  // Each rule's own cases (its `tests` key) run in ruleTests.test.ts.
});

describe('running rules', () => {
  const burst = (by?: string): DetectionRule =>
    parseRule(
      rule({
        id: 'b',
        query: 'eventName:GetSecretValue',
        threshold: { count: 3, withinMinutes: 5, ...(by ? { by } : {}) },
      }),
      'b.json',
      'built-in',
    ).rule!;
  const at = (min: number, user = 'alice'): Record<string, unknown> =>
    anEvent({
      eventName: 'GetSecretValue',
      eventTime: new Date(Date.UTC(2024, 0, 1) + min * 60_000).toISOString(),
      userIdentity: { type: 'IAMUser', userName: user, arn: `arn:aws:iam::1:user/${user}` },
    });

  test('a threshold keeps exactly the events inside windows that reach the count, per key', () => {
    // alice: 0, 1, 5 (a window of 5 minutes holds 0..5 inclusive: three), then 20, 21 (two: out).
    // bob: 2, 3 — with alice's they would make a burst only without a key.
    const events = [at(0), at(1), at(5), at(20), at(21), at(2, 'bob'), at(3, 'bob')];
    const { engine, store } = storeOf(events);
    const rowsOf = (r: DetectionRule): number[] => Array.from(runRule(engine, store, r).rows).sort((a, b) => a - b);
    assert.deepEqual(rowsOf(burst('principal')), [0, 1, 2]);
    assert.deepEqual(rowsOf(burst()), [0, 1, 2, 5, 6]);
    assert.deepEqual(rowsOf(burst('requestParameters.secretId')), [0, 1, 2, 5, 6], 'a missing path value is one group');
  });

  test('a principal key tells apart same-named users of different accounts', () => {
    const other = (min: number): Record<string, unknown> => ({
      ...at(min),
      userIdentity: { type: 'IAMUser', userName: 'alice', arn: 'arn:aws:iam::2:user/alice' },
    });
    const { engine, store } = storeOf([at(0), at(1), other(2), other(3)]);
    assert.equal(runRule(engine, store, burst('principal')).count, 0);
    assert.equal(
      runRule(engine, store, burst('userIdentity.userName')).count,
      4,
      'while the user name alone groups them',
    );
  });

  test('a query union counts an event once; results are newest first', () => {
    const r = parseRule(rule({ query: ['eventName:A', 'eventName:A,B'] }), 'u.json').rule!;
    const { engine, store } = storeOf([
      anEvent({ eventName: 'A', eventTime: '2024-01-01T00:00:00Z' }),
      anEvent({ eventName: 'B', eventTime: '2024-01-02T00:00:00Z' }),
      anEvent({ eventName: 'C' }),
    ]);
    assert.deepEqual(Array.from(runRule(engine, store, r).rows), [1, 0]);
  });

  test('runDetections feeds detection: row sets, and stops when aborted', async () => {
    const { engine, store } = storeOf([
      anEvent({ eventName: 'StopLogging', eventSource: 'cloudtrail.amazonaws.com' }),
      anEvent(),
    ]);
    const results = await runDetections(engine, store, library.rules);
    assert.equal(results.length, library.rules.length);
    assert.deepEqual(
      results.filter((r) => r.count > 0).map((r) => r.rule.id),
      ['cis-4.5', 'cloudtrail-stopped'],
    );
    assert.deepEqual(Array.from(engine.search('detection:cloudtrail-stopped').rows), [0]);
    assert.deepEqual(Array.from(engine.search('-detection:cis-4.*').rows), [1]);
    assert.deepEqual(
      Array.from(engine.search('detection:cis-4.7').rows),
      [],
      'a rule that matched nothing is known, and empty',
    );
    assert.match(
      engine.search('detection:nope').errors.join(),
      /Unknown detection "nope"\. Known: access-analyzer-deleted, access-key-for-other-user, .*, and \d+ more\./,
    );
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await assert.rejects(runDetections(engine, store, library.rules, ac.signal), /stop/);
  });

  test('a rule whose path terms are left out reports it and matches nothing rather than everything', () => {
    const r = parseRule(rule({ query: 'requestParameters.userName:eve' }), 'p.json').rule!;
    const { engine, store } = storeOf([anEvent({ requestParameters: { userName: 'eve' } })]);
    assert.equal(runRule(engine, store, r).count, 1);
    const big = storeOf(Array.from({ length: 3 }, () => anEvent()));
    const limited = runRule(new SearchEngineWithLimit(big.store), big.store, r);
    assert.equal(limited.count, 0);
    assert.match(limited.errors.join(), /path terms were left out/);
  });
});

/** An engine that behaves as past its path-term bound, without a million events to get there. */
class SearchEngineWithLimit extends SearchEngine {
  override search(...args: Parameters<SearchEngine['search']>): ReturnType<SearchEngine['search']> {
    const r = super.search(...args);
    // As the real engine does past its bound: the path term is dropped, so every row is returned.
    return typeof args[0] === 'string' && args[0].includes('.')
      ? {
          ...r,
          rows: super.search('', 'newest').rows,
          errors: [...r.errors, 'requestParameters.userName: ... The path terms were left out.'],
        }
      : r;
  }
}

describe('the Stratus Red Team run in ../shared/samples/invictus-ir_aws_dataset', () => {
  test('loaded through the real loader, the library fires on the techniques it contains (counts checked with jq)', async () => {
    const dir = join(samplesDir(), 'invictus-ir_aws_dataset/CloudTrail');
    const fs: LogFileSystem<string> = {
      stat: async (p) => ({ kind: statSync(p).isDirectory() ? 'directory' : 'file', size: statSync(p).size }),
      list: async (p) =>
        readdirSync(p, { withFileTypes: true }).map((d) => ({
          loc: join(p, d.name),
          name: d.name,
          kind: d.isDirectory() ? 'directory' : 'file',
        })),
      read: async (p) => readFileSync(p),
      label: (p) => relative(dir, p),
    };
    const inv = new Investigation();
    const { files } = await expandRoots(fs, [dir]);
    await loadFiles(fs, inlineDecoder, files, {
      limits: { maxBytes: 64 * 1024 * 1024 },
      concurrency: 2,
      onFile: (_l, label, r) => inv.addFile(label, r),
    });
    assert.equal(inv.store.size, 2900);
    assert.match(inv.query('detection:cloudtrail-stopped', 'newest').errors.join(), /No detection has run yet/);
    const results = await runDetections(inv.engine, inv.store, library.rules);
    assert.equal(inv.query('detection:cloudtrail-stopped', 'newest').total, 3, 'the same query, no longer stale');
    const fired = Object.fromEntries(results.filter((r) => r.count > 0).map((r) => [r.rule.id, r.count]));
    assert.deepEqual(fired, {
      'cis-4.1': 60, // 44 Client.UnauthorizedOperation + 16 AccessDenied
      'cis-4.2': 1, // the Stratus user's ConsoleLogin, MFAUsed: No (bert-jan's used MFA)
      'cis-4.4': 26,
      'cis-4.5': 13, // CreateTrail 2, DeleteTrail 3, StartLogging 5, StopLogging 3
      'cis-4.8': 6,
      'cis-4.10': 8,
      'cis-4.12': 15,
      'cis-4.13': 40,
      'cis-4.14': 16,
      'cis-4.15': 1, // LeaveOrganization, refused
      'cloudtrail-stopped': 3,
      'cloudtrail-deleted': 3,
      'cloudtrail-selectors-reduced': 1, // ReadOnly without management events; the other call restores All
      'flow-logs-deleted': 1,
      'secrets-burst': 60, // bursts of 40 and 20 in seconds
      // First-seen and correlation rules (ruleKinds.ts). The run spans 55 minutes, shorter than any
      // first-seen baseline, so those stay silent; the sequences fire on the Stratus principal:
      'secrets-many-distinct': 60, // 20 distinct secrets in seconds
      'seq-user-key-admin': 3, // CreateUser, CreateAccessKey, AttachUserPolicy AdministratorAccess
      'seq-logging-stopped-then-activity': 363, // the writes within 30 minutes after StopLogging/PutEventSelectors
      'ssm-parameters-burst': 87,
      'ec2-password-data': 29,
      'access-key-for-other-user': 2, // stratus-red-team-backdoor-u-user, malicious-iam-user
      'login-profile-for-other-user': 2,
      'admin-policy-attached': 2, // the backdoor role and malicious-iam-user
      'iam-user-created': 4,
      'trust-policy-changed': 2,
      'ebs-snapshot-shared': 1, // the add, not the remove
      'ami-shared': 1,
      'rds-snapshot-shared': 1,
      's3-bucket-policy-cross-account': 1, // Principal arn:aws:iam::193672423079:root
      // The Stratus-specific rules (detections/COVERAGE.md), each on its technique's events:
      'ec2-ami-deregistered': 1,
      'ec2-gpu-instances-requested': 2, // two p2.xlarge attempts, Client.VcpuLimitExceeded
      'ec2-user-data-harvest': 15, // DescribeInstanceAttribute userData, all denied
      'iam-trust-policy-external-account': 1, // the backdoored role now trusts 193672423079
      'instance-credentials-whoami': 1, // the stolen i-0dbc91f429e48eeed credentials' GetCallerIdentity
      'lambda-code-replaced': 2,
      'lambda-invocable-from-outside': 1, // principal "*"
      'organizations-leave': 1, // denied
      'rolesanywhere-profile-created': 1,
      'rolesanywhere-trust-anchor-changed': 1,
      's3-lifecycle-short-expiration': 1, // the trail bucket's one-day expiration
      'security-group-admin-port-open': 1, // port 22 from 0.0.0.0/0
      'ssm-send-command': 2, // one to the instance whose credentials are then stolen, one to a bad id
      'cloudwatch-logs-deleted': 1, // the flow-logs technique's log group, /stratus-red-team/vpc-flow-logs
    });
    assert.ok(results.every((r) => r.errors.length === 0));
    // The detection row sets drive the search box.
    const { total } = inv.query('detection:cloudtrail-stopped,cloudtrail-deleted', 'newest');
    assert.equal(total, 6);
  });
});
