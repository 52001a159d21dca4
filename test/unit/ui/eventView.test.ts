import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { JSDOM } from 'jsdom';
import { describeEvent } from '../../../src/core/ui/eventDetail';
import { parseEventViewMessage } from '../../../src/core/ui/eventViewMessages';
import { clientName } from '../../../src/core/model/userAgent';
import { type EventDetail, PIVOT_FIELDS } from '../../../src/protocol/eventView';
import { anEvent, sampleEventsByIdentityType } from '../../builders/events';
import { hostileEvent, INJECTION_PAYLOADS } from '../../builders/injection';

const detail = (ev: Record<string, unknown>): EventDetail => describeEvent(JSON.stringify(ev))!;
const fieldOf = (d: EventDetail, label: string): string | undefined =>
  d.identity.fields.find((f) => f.label === label)?.value;

describe('event view model', () => {
  let byType: Map<string, string>;
  before(() => {
    byType = sampleEventsByIdentityType();
  });

  test('the samples hold every identity type the card is tailored to', () => {
    for (const t of ['Root', 'IAMUser', 'AssumedRole', 'FederatedUser', 'AWSService', 'AWSAccount', 'Unknown', ''])
      assert.ok(byType.has(t), `a sample event of type "${t}"`);
  });

  test('Root is flagged; IAMUser, AssumedRole, AWSService and no-type events get their own card', () => {
    const root = describeEvent(byType.get('Root')!)!;
    assert.equal(root.identity.flag, 'root');
    assert.equal(root.identity.name, 'root');
    const user = describeEvent(byType.get('IAMUser')!)!;
    assert.equal(user.identity.heading, 'IAM user');
    assert.ok(fieldOf(user, 'Access key'));
    const role = describeEvent(byType.get('AssumedRole')!)!;
    assert.equal(role.identity.heading, 'Assumed role session');
    assert.match(fieldOf(role, 'Role') ?? '', /^arn:aws:iam::\d+:role\//);
    assert.ok(fieldOf(role, 'Role session'));
    const svc = describeEvent(byType.get('AWSService')!)!;
    assert.match(svc.identity.name, /amazonaws\.com$/);
    const none = describeEvent(byType.get('')!)!;
    assert.equal(none.identity.type, 'none');
    assert.match(none.identity.heading, /No identity type/);
    assert.equal(describeEvent(byType.get('Unknown')!)!.identity.flag, 'unknown');
  });

  test('identity details: MFA, session creation, credentials type, source identity, TLS', () => {
    const d = detail(
      anEvent({
        userIdentity: {
          type: 'AssumedRole',
          arn: 'arn:aws:sts::1:assumed-role/Admin/alice',
          accessKeyId: 'ASIAEXAMPLE',
          accountId: '1',
          sessionContext: {
            sessionIssuer: { arn: 'arn:aws:iam::1:role/Admin', userName: 'Admin' },
            attributes: { mfaAuthenticated: 'false', creationDate: '2024-03-01T09:00:00Z' },
            sourceIdentity: 'alice@corp',
            ec2RoleDelivery: '2.0',
          },
        },
        tlsDetails: {
          tlsVersion: 'TLSv1.3',
          cipherSuite: 'TLS_AES_128_GCM_SHA256',
          clientProvidedHostHeader: 'iam.amazonaws.com',
        },
      }),
    );
    assert.equal(d.identity.name, 'Admin/alice');
    assert.equal(fieldOf(d, 'Role session'), 'alice');
    assert.equal(fieldOf(d, 'MFA'), 'no');
    assert.equal(d.identity.fields.find((f) => f.label === 'MFA')?.tone, 'warning');
    assert.equal(fieldOf(d, 'Credentials'), 'temporary (STS)');
    assert.equal(fieldOf(d, 'Session created'), '2024-03-01T09:00:00Z');
    assert.equal(fieldOf(d, 'Source identity'), 'alice@corp');
    assert.equal(fieldOf(d, 'EC2 role delivery'), '2.0');
    assert.equal(fieldOf(d, 'TLS'), 'TLSv1.3 · TLS_AES_128_GCM_SHA256');
  });

  test('outcome: errors made prominent; console login failure counts as failure; MFAUsed surfaced', () => {
    const failed = detail(anEvent({ errorCode: 'AccessDenied', errorMessage: 'User is not authorized' }));
    assert.deepEqual(failed.outcome, { ok: false, errorCode: 'AccessDenied', errorMessage: 'User is not authorized' });
    const login = detail(
      anEvent({
        eventName: 'ConsoleLogin',
        responseElements: { ConsoleLogin: 'Failure' },
        additionalEventData: { MFAUsed: 'No' },
      }),
    );
    assert.equal(login.outcome.ok, false);
    assert.equal(login.mfaUsed, 'No');
    assert.equal(detail(anEvent()).outcome.ok, true);
  });

  test('header facts and sections', () => {
    const d = detail(
      anEvent({
        eventName: 'RunInstances',
        readOnly: false,
        requestParameters: { instanceType: 't3.micro' },
        responseElements: null,
      }),
    );
    assert.equal(d.readOnly, 'write');
    assert.equal(d.kind, 'management');
    assert.equal(d.timeUtc.endsWith('Z'), true);
    assert.deepEqual(
      d.sections.map((s) => s.key),
      ['requestParameters'],
    );
    assert.equal(detail(anEvent({ eventCategory: 'Data', managementEvent: false })).kind, 'data');
  });

  test('pivots on principal, access key, IP, event name, error and resources', () => {
    const d = detail(
      anEvent({ errorCode: 'AccessDenied', resources: [{ ARN: 'arn:aws:s3:::bucket', type: 'AWS::S3::Bucket' }] }),
    );
    assert.deepEqual(
      d.pivots.map((p) => [p.field, p.value]),
      [
        ['principal', 'alice'],
        ['accessKey', 'AKIAEXAMPLE0000000001'],
        ['ip', '198.51.100.7'],
        ['eventName', 'DescribeInstances'],
        ['error', 'AccessDenied'],
        ['resource', 'arn:aws:s3:::bucket'],
      ],
    );
  });

  test('not an event object', () => {
    assert.equal(describeEvent('[1]'), undefined);
    assert.equal(describeEvent('{oops'), undefined);
  });
});

describe('user agent client names', () => {
  const cases: Array<[string, string]> = [
    ['aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.ubuntu.22 prompt/off command/s3.ls', 'AWS CLI 2.15.0'],
    ['Boto3/1.28.0 md/Botocore#1.31.0 ua/2.0 os/linux#5.15 lang/python#3.10.12', 'Python (boto3 1.28.0)'],
    [
      'APN/1.0 HashiCorp/1.0 Terraform/1.5.7 (+https://www.terraform.io) terraform-provider-aws/5.17.0',
      'Terraform 1.5.7',
    ],
    ['aws-sdk-java/1.12.500 Linux/5.10 OpenJDK_64-Bit_Server_VM/17', 'Java SDK 1.12.500'],
    ['aws-sdk-go-v2/1.21.0 os/linux lang/go#1.21.1', 'Go SDK v2 1.21.0'],
    ['aws-sdk-js/3.400.0 ua/2.0 os/linux#5.10 lang/js md/nodejs#18.17.0', 'JavaScript SDK 3.400.0'],
    ['signin.amazonaws.com', 'AWS Management Console'],
    ['[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488]', 'AWS Management Console'],
    ['AWS Internal', 'AWS (internal)'],
    ['cloudformation.amazonaws.com', 'AWS CloudFormation'],
    ['ec2.amazonaws.com', 'AWS service (ec2)'],
    ['stratus-red-team_717d4d39-593b-4e6f-9d6e-a0c4ea1bc4ff', 'Stratus Red Team (attack simulation)'],
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
      'Web browser (Chrome)',
    ],
    ['', ''],
  ];
  for (const [ua, name] of cases) test(ua || '(empty)', () => assert.equal(clientName(ua), name));
});

describe('event view messages are validated', () => {
  test('well-formed messages pass, the rest are dropped', () => {
    assert.deepEqual(parseEventViewMessage({ type: 'pivot', field: 'ip', value: '1.2.3.4' }), {
      type: 'pivot',
      field: 'ip',
      value: '1.2.3.4',
    });
    assert.deepEqual(parseEventViewMessage({ type: 'copy', text: 'x', what: 'value' }), {
      type: 'copy',
      text: 'x',
      what: 'value',
    });
    for (const bad of [
      { type: 'pivot', field: 'shell', value: 'x' },
      { type: 'pivot', field: 'ip', value: '' },
      { type: 'copy', text: 1, what: 'v' },
      { type: 'run', cmd: 'rm' },
      42,
    ]) {
      assert.equal(parseEventViewMessage(bad), undefined);
    }
  });
});

describe('hidden characters are revealed', () => {
  test('bidi overrides, zero-width and control characters become visible markers', async () => {
    const { reveal } = await import('../../../src/webview/shared/dom');
    assert.equal(reveal('\u202Egnp.exe'), '⟦U+202E⟧gnp.exe');
    assert.equal(reveal('a\u200Bb\u0000c'), 'a⟦U+200B⟧b⟦U+0000⟧c');
    assert.equal(reveal('plain ünïcödé 日本 tab\tok'), 'plain ünïcödé 日本 tab\tok');
  });
});

describe('rendering is inert for hostile strings (jsdom)', () => {
  let window: JSDOM['window'];
  let renderEvent: typeof import('../../../src/webview/eventView/render').renderEvent;
  let setHighlighted: typeof import('../../../src/webview/shared/dom').setHighlighted;
  let reveal: typeof import('../../../src/webview/shared/dom').reveal;
  before(async () => {
    window = new JSDOM('<!DOCTYPE html><body></body>', { runScripts: 'outside-only' }).window;
    Object.assign(globalThis, { document: window.document });
    ({ renderEvent } = await import('../../../src/webview/eventView/render'));
    ({ setHighlighted, reveal } = await import('../../../src/webview/shared/dom'));
  });

  const ALLOWED = new Set([
    'MAIN',
    'HEADER',
    'DIV',
    'H1',
    'H2',
    'SPAN',
    'BUTTON',
    'SECTION',
    'DETAILS',
    'SUMMARY',
    'DL',
    'DT',
    'DD',
    'UL',
    'LI',
    'MARK',
  ]);
  const hooks = {
    copy: () => undefined,
    isCollapsed: () => false,
    setCollapsed: () => undefined,
    pivotable: new Set(PIVOT_FIELDS),
    pivot: () => undefined,
    openJson: () => undefined,
    sessions: [],
    showSession: () => undefined,
  };

  test('only the pivots the origin can perform are offered', () => {
    const d = describeEvent(JSON.stringify(anEvent({ errorCode: 'AccessDenied' })))!;
    const page = renderEvent(d, { ...hooks, pivotable: new Set(['principal', 'eventName'] as const) });
    const fields = Array.from(page.querySelectorAll<HTMLElement>('.pivots .pivot'), (b) => b.dataset.field);
    assert.deepEqual(fields, ['principal', 'eventName']);
    assert.equal(renderEvent(d, { ...hooks, pivotable: new Set() }).querySelectorAll('.pivot').length, 0);
  });

  INJECTION_PAYLOADS.forEach((payload, i) => {
    test(`payload ${i}: ${JSON.stringify(payload.slice(0, 40))}`, () => {
      // The session section shows a key from the event too: the payload goes there as well.
      const sessions = [
        { by: 'principal' as const, key: payload, start: 0, end: 60_000, count: 2, errors: 1, gapMinutes: 30 },
      ];
      const page = renderEvent(describeEvent(JSON.stringify(hostileEvent(payload, i)))!, { ...hooks, sessions });
      assert.equal(page.querySelectorAll('.sessions .session-link').length, 1);
      window.document.body.replaceChildren(page);
      for (const node of Array.from(page.querySelectorAll('*'))) {
        assert.ok(ALLOWED.has(node.tagName), `no <${node.tagName.toLowerCase()}> is created`);
        for (const attr of Array.from(node.attributes)) {
          assert.ok(!/^on/i.test(attr.name), `no ${attr.name} handler`);
          assert.ok(!/^(href|src|style|action|data|srcdoc)$/i.test(attr.name), `no ${attr.name} attribute`);
        }
      }
      const shown = reveal(payload.length > 2000 ? payload.slice(0, 2000) : payload);
      assert.ok((page.textContent ?? '').includes(shown.slice(0, 200)), 'the payload is shown as text');
      assert.doesNotMatch(
        page.textContent ?? '',
        /[\u202A-\u202E\u2066-\u2069\u200B-\u200F\u0000]/,
        'no hidden or direction-changing characters reach the screen',
      );
      assert.equal((window as unknown as { __pwned?: number }).__pwned, undefined);
      const cell = window.document.createElement('div');
      setHighlighted(cell, payload, [[0, 5]]);
      assert.equal(cell.textContent, reveal(payload.slice(0, 5)) + reveal(payload.slice(5)));
      assert.deepEqual(
        Array.from(cell.querySelectorAll('*'), (n) => n.tagName),
        ['MARK'],
      );
    });
  });
});
