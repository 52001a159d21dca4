/**
 * Logs Insights extracts a bounded number of fields from a JSON event (the fake: the first
 * MAX_EXTRACTED_FIELDS leaves), so in a very large event readOnly, eventType, recipientAccountId
 * and the other fields CloudTrail writes after requestParameters may be absent. A term on one must
 * still find the event: the query keeps events where the field was not extracted and the term is
 * re-checked locally (issue #21, item 5).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileLogsInsights, recordFromLogsRow } from '../../../src/core/query/logsInsights';
import { parseQuery } from '../../../src/core/query/query';
import { applyResidual } from '../../../src/core/query/remoteFilter';
import type { CtRecord } from '../../../src/core/model/records';
import { logEvent, MAX_EXTRACTED_FIELDS, runLogsQuery } from '../../support/fakeLogsInsights';

const T = Date.UTC(2024, 2, 1, 12);
function event(id: string, big: boolean, over: Record<string, unknown> = {}): string {
  const requestParameters: Record<string, string> = {};
  for (let i = 0; i < (big ? MAX_EXTRACTED_FIELDS + 50 : 3); i++) requestParameters[`k${i}`] = `v${i}`;
  return JSON.stringify({
    eventVersion: '1.09',
    userIdentity: { type: 'IAMUser', accountId: '999999999999', arn: 'arn:aws:iam::999999999999:user/u' },
    eventTime: new Date(T).toISOString().replace('.000', ''),
    eventSource: 'iam.amazonaws.com',
    eventName: 'PutRolePolicy',
    awsRegion: 'us-east-1',
    sourceIPAddress: '10.0.0.1',
    userAgent: 'aws-cli',
    requestParameters,
    responseElements: null,
    requestID: `r-${id}`,
    eventID: id,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '111111111111',
    eventCategory: 'Management',
    ...over,
  });
}

const events = [
  event('big-1', true),
  event('small-1', false),
  event('big-2', true, { readOnly: true, recipientAccountId: '222222222222' }),
];
const logs = events.map(logEvent);

function found(q: string): string[] {
  const c = compileLogsInsights(parseQuery(q), { window: { start: T - 3_600_000, end: T + 3_600_000 } });
  assert.deepEqual(c.unsupported, [], q);
  const rows = runLogsQuery(c.queryString, logs, c.startTime, c.endTime, 100).map((e) => [
    { field: '@timestamp', value: new Date(e.timestamp).toISOString() },
    { field: '@message', value: e.message },
  ]);
  const recs = rows.map(recordFromLogsRow).filter((r): r is CtRecord => !!r);
  return applyResidual(recs, c.residual)
    .map((r) => r.eventId)
    .sort();
}

describe('Logs Insights: fields past the extraction bound are never silently dropped', () => {
  it('the fake does not extract them from the large events', () => {
    assert.equal(logs[0].fields.has('readOnly'), false);
    assert.equal(logs[0].fields.has('recipientAccountId'), false);
    assert.equal(logs[1].fields.get('readOnly'), 'false');
  });

  const cases: Array<[string, string[]]> = [
    ['readOnly:false', ['big-1', 'small-1']],
    ['readOnly:true', ['big-2']],
    ['-readOnly:true', ['big-1', 'small-1']],
    ['eventType:AwsApiCall', ['big-1', 'big-2', 'small-1']],
    ['-eventType:AwsApiCall', []],
    ['recipientAccountId:222222222222', ['big-2']],
    ['-recipientAccountId:222222222222', ['big-1', 'small-1']],
    ['account:111111111111', ['big-1', 'small-1']],
    ['eventID:big-1', ['big-1']],
    ['eventCategory:Management readOnly:false', ['big-1', 'small-1']],
  ];
  for (const [q, want] of cases)
    it(`${q} finds what the local engine finds`, () => {
      assert.deepEqual(found(q), want, q);
    });
});
