import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  boundOutput,
  countChange,
  parseNotebook,
  resolveSourcePath,
  serializeNotebook,
  type Notebook,
  type QueryOutput,
} from '../../../src/core/notebook/notebookFile';

const output = (n: number, rows = 3): QueryOutput => ({
  ranAt: '2026-12-07T10:00:00.000Z',
  query: 'eventName:ConsoleLogin',
  count: n,
  loaded: 1957,
  rows: Array.from({ length: rows }, (_, i) => ({
    time: `2020-01-0${(i % 9) + 1}T00:00:00Z`,
    eventName: 'ConsoleLogin',
    eventSource: 'signin.amazonaws.com',
    principal: `user${i}`,
    sourceIp: '198.51.100.7',
    awsRegion: 'us-east-1',
    errorCode: '',
  })),
  facets: [{ title: 'Principal', values: [{ value: 'user0', count: n }] }],
  problems: [],
});

const sample: Notebook = {
  version: 1,
  from: { kind: 'logs', paths: ['logs/AWSLogs'] },
  cells: [
    { kind: 'markdown', source: '# Who signed in?\nThe leaked key was used at 10:02.' },
    { kind: 'query', source: 'eventName:ConsoleLogin', output: output(12) },
    { kind: 'query', source: 'errorCode:*', from: { kind: 'logs', paths: ['other/file.json.gz'] } },
  ],
};

test('a notebook round-trips through its file unchanged, as two-space JSON a diff can read', () => {
  const text = serializeNotebook(sample);
  assert.ok(text.endsWith('\n'));
  assert.match(text, /\n {2}"cells": \[/);
  const back = parseNotebook(text);
  assert.deepEqual(back.problems, []);
  assert.deepEqual(back.notebook, sample);
  assert.equal(serializeNotebook(back.notebook), text, 'serializing again gives the same bytes');
});

test('an empty file is an empty notebook; text that is not JSON opens as one cell and is saved back unchanged', () => {
  assert.deepEqual(parseNotebook('').notebook.cells, []);
  const garbage = '{"cells": [ {"kind": "markdown", "source": "half a fi';
  const p = parseNotebook(garbage);
  assert.equal(p.notebook.cells.length, 1);
  assert.equal(p.notebook.cells[0].kind, 'unknown');
  assert.match(p.problems[0], /not valid JSON/);
  assert.equal(serializeNotebook(p.notebook), garbage, 'nothing the user had is lost by saving');
  const other = parseNotebook('{"Records": []}');
  assert.match(other.problems[0], /not a CloudTrail notebook/);
});

test('unknown cell kinds and unreadable sources are kept as they are, said by cell, and the rest opens', () => {
  const file = {
    version: 1,
    cells: [
      { kind: 'markdown', source: 'ok' },
      { kind: 'sql', source: 'SELECT 1', extra: { keep: [1, 2] } },
      42,
      { kind: 'query', source: 'x', from: { kind: 'athena', trail: 'org' } },
      { kind: 'query', source: 'y', from: { kind: 'logs', paths: [] } },
      { kind: 'query', source: 'eventName:Stop*' },
    ],
  };
  const p = parseNotebook(JSON.stringify(file));
  assert.deepEqual(
    p.notebook.cells.map((c) => c.kind),
    ['markdown', 'unknown', 'unknown', 'unknown', 'unknown', 'query'],
  );
  assert.equal(p.problems.length, 4);
  assert.match(p.problems[0], /Cell 2 has kind "sql"/);
  assert.match(p.problems[1], /Cell 3 is not a cell/);
  assert.match(p.problems[2], /Cell 4: its "from" kind "athena" is not one this version reads/);
  assert.match(p.problems[3], /Cell 5: its "from" names no paths/);
  const again = JSON.parse(serializeNotebook(p.notebook)) as typeof file;
  assert.deepEqual(again.cells, file.cells, 'every cell goes back byte for byte');
});

test('a saved output is data: markup in it stays text, wrong types become empty, sizes are bounded', () => {
  const hostile = {
    version: 1,
    cells: [
      {
        kind: 'query',
        source: 'x',
        output: {
          ranAt: 5,
          query: '<img src=x onerror=alert(1)>',
          count: -3,
          loaded: 'many',
          rows: [{ eventName: '<script>alert(1)</script>', principal: { toString: 1 } }, 'row'],
          facets: 'no',
          problems: ['<b>bold</b>', 7],
        },
      },
    ],
  };
  const file = JSON.stringify(hostile).replace('"count":-3', '"count":-3,"__proto__":{"polluted":true}');
  const cell = parseNotebook(file).notebook.cells[0];
  assert.equal(cell.kind, 'query');
  const out = cell.kind === 'query' ? cell.output! : undefined;
  assert.ok(out);
  assert.equal(
    out.query,
    '<img src=x onerror=alert(1)>',
    'kept as the text it is; the renderer shows it with textContent',
  );
  assert.equal(out.count, 0);
  assert.equal(out.loaded, 0);
  assert.equal(out.ranAt, '');
  assert.equal(out.rows.length, 1);
  assert.equal(out.rows[0].eventName, '<script>alert(1)</script>');
  assert.equal(out.rows[0].principal, '');
  assert.deepEqual(out.facets, []);
  assert.deepEqual(out.problems, ['<b>bold</b>']);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('a huge saved output is cut to the bound on open and on save, and says so', () => {
  const big = output(1_000_000, 50);
  for (const r of big.rows) r.principal = 'p'.repeat(20_000);
  const cut = boundOutput(big, 64 * 1024);
  assert.ok(Buffer.byteLength(JSON.stringify(cut)) <= 64 * 1024);
  assert.equal(cut.truncated, true);
  assert.equal(cut.count, 1_000_000, 'the count is never cut');
  assert.ok(cut.rows.length < 50);
  const small = output(3);
  assert.equal(boundOutput(small), small, 'an output within the bound is untouched');
  const file = JSON.stringify({ version: 1, cells: [{ kind: 'query', source: 'x', output: big }] });
  const opened = parseNotebook(file, 64 * 1024).notebook.cells[0];
  assert.ok(opened.kind === 'query' && opened.output?.truncated);
});

test('source paths are relative to the notebook and never leave its folder', () => {
  assert.equal(resolveSourcePath('/w/case', 'logs/AWSLogs'), '/w/case/logs/AWSLogs');
  assert.equal(resolveSourcePath('/w/case', './a/../b.json.gz'), '/w/case/b.json.gz');
  assert.equal(resolveSourcePath('/w/case/', '.'), '/w/case');
  for (const bad of ['/etc/passwd', '../other', 'a/../../b', 'C:\\x', '\\\\server\\share', 'file:///etc', 'a\0b']) {
    const r = resolveSourcePath('/w/case', bad);
    assert.ok(typeof r === 'object', `${bad} is refused`);
  }
});

test('Run all marks a cell whose count changed since the saved run', () => {
  assert.equal(countChange(undefined, output(3)), undefined);
  assert.equal(countChange(output(3), output(3)), undefined);
  assert.equal(countChange(output(3), output(1205)), '1,205 events, +1,202 since the saved run (3)');
  assert.equal(countChange(output(10), output(4)), '4 events, -6 since the saved run (10)');
});

test('a log path is written relative to the notebook, and one outside its folder is refused', async () => {
  const { relativeSourcePath } = await import('../../../src/core/notebook/notebookFile');
  assert.equal(relativeSourcePath('/w/case', '/w/case/logs/a.json.gz'), 'logs/a.json.gz');
  assert.equal(relativeSourcePath('/w/case/', '/w/case'), '.');
  assert.ok(
    typeof relativeSourcePath('/w/case', '/w/cases/x') === 'object',
    'a sibling with the same prefix is outside',
  );
  assert.ok(typeof relativeSourcePath('/w/case', '/etc') === 'object');
});

test('the plain-text output says the count, the rows, the facets and a change', async () => {
  const { outputText } = await import('../../../src/core/notebook/notebookFile');
  const out = { ...output(12, 2), previousCount: 3 };
  const text = outputText(out);
  assert.match(text, /^Changed: 12 events, \+9 since the saved run \(3\)/);
  assert.match(text, /12 of 1,957 events match "eventName:ConsoleLogin"/);
  assert.match(text, /ConsoleLogin {2}user1 {2}198\.51\.100\.7/);
  assert.match(text, /Principal: user0 \(12\)/);
});
