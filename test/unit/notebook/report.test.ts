import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Notebook } from '../../../src/core/notebook/notebookFile';
import {
  evidenceOf,
  mdCode,
  mdText,
  reportHtml,
  reportMarkdown,
  type ReportInput,
} from '../../../src/core/notebook/report';
import { samplesDir } from '../../builders/events';

const HOSTILE = '<script>alert(1)</script> [x](javascript:alert(1)) `code` | pipe <img src=x onerror=alert(1)>';

const notebook: Notebook = {
  version: 1,
  cells: [
    { kind: 'markdown', source: '# Findings\n\nThe key was used from <b>two</b> places.' },
    {
      kind: 'query',
      source: `userAgent:"${HOSTILE}"`,
      output: {
        ranAt: '2026-12-07T10:00:00.000Z',
        query: 'x',
        count: 2,
        loaded: 10,
        rows: [
          {
            time: '2023-07-10 12:00:42Z',
            eventName: HOSTILE,
            eventSource: 's',
            principal: HOSTILE,
            sourceIp: '1.2.3.4',
            awsRegion: 'us-east-1',
            errorCode: '',
          },
        ],
        facets: [],
        problems: [HOSTILE],
        previousCount: 1,
        // A detection whose title came from someone's rule file: text in both reports.
        detections: [{ id: 'cloudtrail-stopped', title: HOSTILE, severity: 'critical', count: 2 }],
      },
    },
    { kind: 'query', source: 'eventName:StopLogging' },
  ],
};

const input = (evidence: ReportInput['evidence']): ReportInput => ({
  title: `Case ${HOSTILE}`,
  notebook,
  notebookLocation: 'case.ctnb',
  evidence,
  integrity: ['Validated offline: 0 digests found.'],
  generatedAt: '2026-12-07T11:00:00Z',
});

test('evidence hashes are the SHA-256 of the very bytes read: checked against sha256sum over the real sample files', () => {
  const dir = join(samplesDir(), 'invictus-ir_aws_dataset_gzipped-by-us');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json.gz'))
    .sort()
    .slice(0, 8);
  assert.ok(files.length === 8);
  for (const f of files) {
    const path = join(dir, f);
    const e = evidenceOf(f, readFileSync(path), undefined, 'no digest');
    const independent = execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(/\s+/)[0];
    assert.equal(e.sha256, independent, f);
    assert.equal(e.bytes, readFileSync(path).byteLength);
  }
});

test('the HTML report has no script and no markup from the data: every value is escaped text', () => {
  const html = reportHtml(
    input([
      { location: `logs/${HOSTILE}.json.gz`, bytes: 10, sha256: 'ab'.repeat(32), verdict: 'invalid', reason: HOSTILE },
      { location: 'logs/b.json.gz', bytes: 12, sha256: 'cd'.repeat(32), reason: 'no digest in the folder' },
    ]),
  );
  assert.match(
    html,
    /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">/,
  );
  // The only tags are ours: no script, no img, no b from the note, no javascript: link.
  assert.doesNotMatch(html, /<script|<img|<b>|href=/i);
  assert.match(html, /&#60;script&#62;alert\(1\)&#60;\/script&#62;/);
  assert.match(html, /&#60;b&#62;two&#60;\/b&#62;/, "the investigator's own note is text too");
  assert.match(html, /ALTERED/);
  assert.match(html, /no digest covers it: no digest in the folder/);
  assert.match(html, /Changed since the run before: 1 → 2/);
  assert.match(html, /Not run: no saved output/);
  assert.match(html, /<h2>Findings<\/h2>/);
  assert.match(html, /<li><strong>CRITICAL<\/strong> &#60;script&#62;.*\(<code>cloudtrail-stopped<\/code>\): 2<\/li>/);
});

test('the Markdown report escapes every value so none becomes markup, a link or a table cell break', () => {
  const md = reportMarkdown(
    input([{ location: 'a|b.json.gz', bytes: 1, sha256: 'ef'.repeat(32), verdict: 'valid', reason: 'ok' }]),
  );
  // Inside a code span Markdown shows text as it is; outside one, nothing may be markup.
  const outsideCode = md.replace(/(`+) .*? \1/g, '');
  assert.doesNotMatch(outsideCode, /<script|<img|<b>/);
  assert.doesNotMatch(outsideCode, /\[x\]\(javascript/);
  assert.match(md, /\| a\\\|b\.json\.gz \| 1 \| `efef/);
  assert.match(md, /^- CRITICAL .* \(` cloudtrail-stopped `\): 2$/m);
  assert.match(md, /intact \\\(its hash matches a signed digest\\\)/);
  const row = md.split('\n').find((l) => l.includes('1.2.3.4'));
  assert.ok(row);
  assert.equal(row.split(/(?<!\\)\|/).length, 8, 'six cells: no pipe from the data splits the row');
  assert.match(md, /## Search 1: `` userAgent:"/);
});

test('inline code fences outgrow any backtick run in the value', () => {
  assert.equal(mdCode('a`b'), '`` a`b ``');
  assert.equal(mdCode('x``y'), '``` x``y ```');
  assert.equal(mdText('*bold* _i_ <x>'), '\\*bold\\* \\_i\\_ &lt;x\\>');
  assert.equal(mdText('# not a heading'), '\\# not a heading');
  assert.equal(mdText('2023-07-10'), '2023-07-10');
});
