/**
 * The identity documents' Markdown: the access-key report and a policy draft's notes, from the
 * real invictus sample and from hostile events. Event text is only ever inside code spans (no
 * markup, no HTML, no broken tables), and hidden characters are made visible.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ChainIndex } from '../../../src/core/investigate/identity/chains';
import { keyReport } from '../../../src/core/investigate/identity/keyReport';
import { draftPolicy } from '../../../src/core/investigate/identity/policy';
import { reveal } from '../../../src/core/model/visible';
import { code, keyReportMarkdown, policyNotesMarkdown } from '../../../src/identity/markdown';
import { hostileEvent, INJECTION_PAYLOADS } from '../../builders/injection';
import { sampleStore, storeOf } from '../investigate/identity/chainBuilders';

/** The text of `md` outside its code spans (CommonMark: a run of n backticks closes at the next run of exactly n). */
function outsideCode(md: string): string {
  let out = '';
  let i = 0;
  while (i < md.length) {
    if (md[i] !== '`') {
      out += md[i++];
      continue;
    }
    let n = 0;
    while (md[i + n] === '`') n++;
    const run = '`'.repeat(n);
    let j = md.indexOf(run, i + n);
    while (j >= 0 && (md[j + n] === '`' || md[j - 1] === '`')) j = md.indexOf(run, j + 1);
    if (j < 0) {
      out += run;
      i += n;
    } else i = j + n;
  }
  return out;
}

/** Each table's rows have as many cells as its header (pipes inside code are escaped). */
function assertTablesWhole(md: string): void {
  const cells = (line: string): number => line.split(/(?<!\\)\|/).length;
  let header = 0;
  for (const line of md.split('\n')) {
    if (!line.startsWith('|')) {
      header = 0;
      continue;
    }
    if (header === 0) header = cells(line);
    else assert.equal(cells(line), header, `table row keeps its cells: ${line.slice(0, 120)}`);
  }
}

describe('identity documents (Markdown)', () => {
  const store = sampleStore('invictus-ir_aws_dataset/CloudTrail');
  const index = new ChainIndex(store);

  test("the key report of bert-jan's key: counts, first and last seen, the sessions it minted", () => {
    const md = keyReportMarkdown(keyReport(index, 'AKIATFQR7NSC8Q4X20BJ'), 'AWSLogs');
    assert.match(md, /^# Access key `AKIATFQR7NSC8Q4X20BJ`/);
    assert.match(md, /Long-term access key/);
    assert.match(md, /\*\*Events:\*\* 2,104, /);
    assert.match(md, /\*\*First seen:\*\* 2023-07-10 \d\d:\d\d:\d\dZ/);
    assert.match(md, /\*\*Sessions minted with it:\*\* 10/);
    const sessions = md.slice(md.indexOf('## Sessions minted with this key'));
    assert.equal(sessions.split('\n').filter((l) => l.startsWith('| ') && l.includes('AssumeRole')).length, 10);
    assert.match(
      md,
      /## Event names\n\n\| Value \| Events \| Share \|\n\| --- \| --- \| --- \|\n\| `DescribeRouteTables` \| 155 \| 7\.4 % \|/,
    );
    assert.match(md, /`issuedBy:AKIATFQR7NSC8Q4X20BJ`/);
    assertTablesWhole(md);
    const temp = keyReportMarkdown(keyReport(index, 'ASIATFQR7NSCWLLE7IWW'), 'AWSLogs');
    assert.match(
      temp,
      /\*\*Minted by:\*\* `AssumeRole` at 2023-07-10 11:54:47Z from `192\.168\.10\.20`, with key `AKIATFQR7NSC8Q4X20BJ`/,
    );
    assert.match(keyReportMarkdown(keyReport(index, 'AKIANOPE'), 'v'), /_No loaded event mentions this key\._/);
  });

  test('policy notes: what it allows, denied calls apart, events that are no IAM action', () => {
    const rows: number[] = [];
    for (let r = 0; r < store.size; r++) if (store.value('principal', r) === 'bert-jan') rows.push(r);
    const draft = draftPolicy(store, rows);
    const md = policyNotesMarkdown({ ...draft, scope: 'principal arn:aws:iam::123837392027:user/bert-jan' }, 'AWSLogs');
    assert.ok(rows.length > 2600);
    assert.ok(
      md.includes(
        `Drafted from ${rows.length.toLocaleString('en-US')} events of \`AWSLogs\`: \`principal arn:aws:iam::123837392027:user/bert-jan\`.`,
      ),
    );
    assert.match(md, /\*\*A draft, to review before use\.\*\*/);
    const denied = md.slice(md.indexOf('## Denied calls'), md.indexOf('## Events that are no IAM action'));
    assert.equal(denied.split('\n').filter((l) => l.startsWith('| `')).length, draft.denied.length);
    assert.ok(draft.denied.length > 0);
    assertTablesWhole(md);
  });

  test('code spans hold backticks, pipes and line breaks', () => {
    assert.equal(code('a`b'), '``a`b``');
    assert.equal(code('`a'), '`` `a ``', 'padded only where a backtick starts or ends it');
    assert.equal(code('a|b\nc'), '`a\\|b c`');
    assert.equal(code(''), '(none)');
    assert.ok(code('x'.repeat(10_000)).length < 400);
  });

  INJECTION_PAYLOADS.forEach((payload, i) => {
    test(`hostile event text stays in code: payload ${i} ${JSON.stringify(payload.slice(0, 30))}`, () => {
      const hostile = storeOf([
        hostileEvent(payload, i),
        { ...hostileEvent(payload, i + 1), errorCode: 'AccessDenied', eventID: `h2-${i}` },
        {
          ...hostileEvent(payload, i + 2),
          eventSource: 'signin.amazonaws.com',
          eventName: 'ConsoleLogin',
          errorCode: '',
          eventID: `h3-${i}`,
        },
      ]);
      const key = `ASIA${payload}`;
      const report = keyReport(new ChainIndex(hostile), key);
      assert.ok(report.events > 0);
      const draft = draftPolicy(hostile, [0, 1, 2]);
      for (const md of [
        keyReportMarkdown(report, payload),
        policyNotesMarkdown({ ...draft, scope: `the search ${JSON.stringify(payload)}` }, payload),
      ]) {
        const outside = outsideCode(md);
        assert.doesNotMatch(outside, /(?<!\\)</, 'no HTML outside code spans');
        if (payload.length > 8)
          assert.ok(
            !outside.includes(payload.slice(0, 8)) || /^[A-Za-z_]+$/.test(payload.slice(0, 8)),
            'the payload is only inside code',
          );
        assert.doesNotMatch(md, /[\u202A-\u202E\u2066-\u2069\u200B-\u200F\u0000]/, 'hidden characters are revealed');
        assert.ok(
          md.includes(reveal(payload).slice(0, 40).replace(/\|/g, '\\|')) || payload.includes('\n'),
          'the payload is shown',
        );
        assertTablesWhole(md);
      }
    });
  });
});
