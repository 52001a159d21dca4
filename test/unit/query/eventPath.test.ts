import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePath, valueMatcher, valuesAt } from '../../../src/core/query/eventPath';
import { parseQuery } from '../../../src/core/query/query';
import { normalizeEvent } from '../../../src/core/model/records';
import { SearchEngine } from '../../../src/core/query/search';
import { EventStore } from '../../../src/core/store/store';
import { applyPathTerms } from '../../../src/core/query/termFilters';
import { anEvent } from '../../builders/events';

function engineOf(events: Array<Record<string, unknown>>): { engine: SearchEngine; store: EventStore } {
  const store = new EventStore();
  for (const e of events) store.add(normalizeEvent(e), 0);
  return { engine: new SearchEngine(store), store };
}

const rowsOf = (engine: SearchEngine, q: string): number[] =>
  Array.from(engine.search(q, 'newest').rows).sort((a, b) => a - b);

describe('path parsing', () => {
  test('a dotted name is a path only from a CloudTrail top-level key', () => {
    assert.deepEqual(parsePath('additionalEventData.MFAUsed', false), ['additionalEventData', 'MFAUsed']);
    assert.deepEqual(parsePath('REQUESTPARAMETERS.policyArn', false), ['requestParameters', 'policyArn']);
    assert.deepEqual(parsePath('errorMessage', true), ['errorMessage']);
    assert.equal(parsePath('errorMessage', false), undefined, 'a bare root needs single');
    assert.equal(parsePath('example.com', false), undefined);
    assert.equal(parsePath('requestParameters..x', false), undefined);
  });

  test('the query parser makes path terms, and leaves hostnames and ports as text', () => {
    const q = parseQuery(
      'additionalEventData.MFAUsed:No -requestParameters.policyArn:*Admin*,*PowerUser* userIdentity.sessionContext.sessionIssuer.userName:"ad min" errorMessage:"" example.com:443 s3.amazonaws.com:443 requestParameters.x-amz-acl:public-read',
    );
    assert.deepEqual(q.errors, []);
    assert.deepEqual(
      q.terms.map((t) =>
        t.kind === 'path'
          ? `${t.negate ? '-' : ''}${t.segments.join('/')}=${t.values.join('|')}${t.literal ? ' (literal)' : ''}`
          : t.kind === 'text'
            ? `text:${t.text}`
            : t.kind,
      ),
      [
        'additionalEventData/MFAUsed=No',
        '-requestParameters/policyArn=*Admin*|*PowerUser*',
        'userIdentity/sessionContext/sessionIssuer/userName=ad min (literal)',
        'errorMessage= (literal)',
        'text:example.com:443',
        'text:s3.amazonaws.com:443',
        'requestParameters/x-amz-acl=public-read',
      ],
    );
  });

  test('a misspelt path root is reported, not searched as text; short hostnames stay text', () => {
    const q = parseQuery('requestParameter.userName:bob additionalEvntData.MFAUsed:No events.example.com:443');
    assert.deepEqual(q.errors, [
      '"requestParameter.userName" is not a path into the event: did you mean requestParameters?',
      '"additionalEvntData.MFAUsed" is not a path into the event: did you mean additionalEventData?',
    ]);
    assert.deepEqual(q.terms, [{ kind: 'text', text: 'events.example.com:443' }]);
  });

  test('a path needs a value; CloudTrail names for indexed fields use the index', () => {
    assert.match(parseQuery('requestParameters.userName:').errors[0], /needs a value/);
    const q = parseQuery('errorCode:AccessDenied awsRegion:us-east-1 sourceIPAddress:10.0.0.1');
    assert.deepEqual(
      q.terms.map((t) => t.kind === 'field' && t.fields.join()),
      ['errorCode', 'awsRegion', 'sourceIp'],
    );
  });
});

describe('path values', () => {
  const ev = {
    requestParameters: {
      instancesSet: { items: [{ instanceId: 'i-1' }, { instanceId: 'i-2' }] },
      policy: { Statement: [{ Principal: { AWS: ['arn:aws:iam::1:root', '*'] } }] },
      count: 3,
      flag: false,
      nothing: null,
      empty: {},
    },
  };

  test('arrays are transparent, objects give every scalar under them, keys ignore case', () => {
    assert.deepEqual(valuesAt(ev, ['requestParameters', 'instancesSet', 'items', 'instanceId']), ['i-1', 'i-2']);
    assert.deepEqual(valuesAt(ev, ['requestParameters', 'policy', 'statement', 'principal']), [
      'arn:aws:iam::1:root',
      '*',
    ]);
    assert.deepEqual(valuesAt(ev, ['requestParameters', 'count']), ['3']);
    assert.deepEqual(valuesAt(ev, ['requestParameters', 'flag']), ['false']);
    assert.deepEqual(valuesAt(ev, ['requestParameters', 'nothing']), ['']);
    assert.deepEqual(valuesAt(ev, ['requestParameters', 'empty']), []);
    assert.deepEqual(valuesAt(ev, ['requestParameters', 'missing', 'deeper']), []);
    assert.deepEqual(valuesAt(ev, ['requestParameters', 'count', 'deeper']), [], 'a path past a scalar is missing');
  });

  test('__proto__ keys are ordinary keys and nothing inherited is reached', () => {
    const hostile = JSON.parse('{"requestParameters":{"__proto__":{"polluted":"yes"},"constructor":"c"}}') as unknown;
    assert.deepEqual(valuesAt(hostile, ['requestParameters', '__proto__', 'polluted']), ['yes']);
    assert.deepEqual(valuesAt(hostile, ['requestParameters', 'toString']), []);
    assert.deepEqual(valuesAt({ requestParameters: {} }, ['requestParameters', '__proto__']), []);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('deep nesting is cut off instead of overflowing the stack', () => {
    const deep = JSON.parse(`{"requestParameters":${'['.repeat(100_000)}"x"${']'.repeat(100_000)}}`) as unknown;
    assert.deepEqual(valuesAt(deep, ['requestParameters']), []);
  });

  test('matching: exact ignoring case, wildcards, OR, empty, literal stars', () => {
    const m = (alts: string[], values: string[], literal = false): boolean => valueMatcher(alts, literal)(values);
    assert.equal(m(['no'], ['No']), true);
    assert.equal(m(['No'], ['Nope']), false);
    assert.equal(m(['*admin*'], ['arn:aws:iam::aws:policy/AdministratorAccess']), true);
    assert.equal(m(['x', '*Access'], ['AdministratorAccess']), true);
    assert.equal(m(['*'], ['']), false, 'a wildcard never matches empty');
    assert.equal(m(['*'], []), false);
    assert.equal(m([''], []), true, 'missing counts as empty');
    assert.equal(m([''], ['', '']), true);
    assert.equal(m([''], ['', 'x']), false);
    assert.equal(m(['*'], ['*'], true), true);
    assert.equal(m(['*'], ['anything'], true), false, 'a quoted star is a plain character');
  });
});

describe('path terms in the engine', () => {
  const events = [
    anEvent({
      eventName: 'ConsoleLogin',
      additionalEventData: { MFAUsed: 'No' },
      responseElements: { ConsoleLogin: 'Success' },
    }),
    anEvent({
      eventName: 'ConsoleLogin',
      additionalEventData: { MFAUsed: 'Yes' },
      responseElements: { ConsoleLogin: 'Success' },
    }),
    anEvent({
      eventName: 'ConsoleLogin',
      errorMessage: 'Failed authentication',
      responseElements: { ConsoleLogin: 'Failure' },
    }),
    anEvent({
      eventName: 'AttachUserPolicy',
      requestParameters: { userName: 'eve', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
    }),
    anEvent({
      eventName: 'AttachUserPolicy',
      requestParameters: { userName: 'eve', policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
    }),
  ];
  const { engine, store } = engineOf(events);

  test('path terms combine with indexed terms, negation and emptiness', () => {
    assert.deepEqual(rowsOf(engine, 'additionalEventData.MFAUsed:no'), [0]);
    assert.deepEqual(rowsOf(engine, 'eventName:ConsoleLogin -additionalEventData.MFAUsed:Yes'), [0, 2]);
    assert.deepEqual(rowsOf(engine, 'additionalEventData:*'), [0, 1]);
    assert.deepEqual(rowsOf(engine, 'eventName:ConsoleLogin additionalEventData:""'), [2]);
    assert.deepEqual(rowsOf(engine, 'errorMessage:"failed authentication"'), [2]);
    assert.deepEqual(rowsOf(engine, 'requestParameters.policyArn:*AdministratorAccess'), [3]);
    assert.deepEqual(
      rowsOf(engine, 'requestParameters.policyArn:*/AdministratorAccess,*/ReadOnlyAccess eventName:AttachUserPolicy'),
      [3, 4],
    );
    assert.deepEqual(rowsOf(engine, 'userIdentity.userName:alice -requestParameters:*'), [0, 1, 2]);
    assert.deepEqual(rowsOf(engine, 'responseElements.ConsoleLogin:Failure'), [2]);
  });

  test('an event whose raw text is not JSON has every path missing', () => {
    const s = new EventStore();
    const rec = normalizeEvent(anEvent({ eventName: 'X' }));
    rec.raw = '{not json';
    s.add(rec, 0);
    const e = new SearchEngine(s);
    assert.deepEqual(rowsOf(e, 'errorMessage:""'), [0]);
    assert.deepEqual(rowsOf(e, 'errorMessage:*'), []);
  });

  test('the work is bounded: past the limit the path terms are left out with a reason', () => {
    const scores = new Float32Array(store.size);
    const terms = parseQuery('requestParameters.userName:eve').terms as Parameters<typeof applyPathTerms>[1];
    assert.match(applyPathTerms(store, terms, scores, 2) ?? '', /5 events are more than 2.*eventName:/);
    assert.deepEqual(Array.from(scores), [0, 0, 0, 0, 0], 'untouched');
    assert.equal(applyPathTerms(store, terms, scores, 5), undefined);
    assert.deepEqual(Array.from(scores), [Infinity, Infinity, Infinity, 0, 0]);
  });
});

describe("pathName: from the event view's JSONPath to a query name", () => {
  test('indexes drop, bracketed keys that fit a name are kept, others refuse', async () => {
    const { pathName } = await import('../../../src/core/query/eventPath');
    assert.equal(
      pathName('$.requestParameters.instancesSet.items[0].instanceId'),
      'requestParameters.instancesSet.items.instanceId',
    );
    assert.equal(pathName('$.requestParameters["x-amz-acl"][0]'), 'requestParameters.x-amz-acl');
    assert.equal(pathName('$.errorMessage'), 'errorMessage');
    assert.equal(pathName('$.requestParameters["a.b"]'), undefined, 'a dotted key would split');
    assert.equal(pathName('$.requestParameters["xsi:type"]'), undefined);
    assert.equal(pathName('$.notATopLevelKey.x'), undefined);
    assert.equal(pathName('$'), undefined);
    assert.equal(pathName('requestParameters.x'), undefined);
    // The name round-trips through the parser as one path term.
    const t = parseQuery(`${pathName('$.requestParameters["x-amz-acl"][0]')}:public-read`).terms[0];
    assert.deepEqual(t.kind === 'path' && t.segments, ['requestParameters', 'x-amz-acl']);
  });
});
