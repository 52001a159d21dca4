/**
 * The design's hard lines, checked on every run (DESIGN §1, §6): the core never imports
 * `vscode`; webview code never parses strings as HTML; one function writes webview HTML.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/repoRoot';

const root = repoRoot();
function files(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const rel = join(dir, name);
    return statSync(join(root, rel)).isDirectory() ? files(rel) : rel.endsWith('.ts') ? [rel] : [];
  });
}

test('src/core and src/protocol import nothing from vscode', () => {
  for (const f of [...files('src/core'), ...files('src/protocol')]) {
    assert.doesNotMatch(readFileSync(join(root, f), 'utf8'), /from ['"]vscode['"]|require\(['"]vscode['"]\)/, f);
  }
});

test('webview code never turns strings into markup', () => {
  for (const f of files('src/webview')) {
    assert.doesNotMatch(readFileSync(join(root, f), 'utf8'), /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|createContextualFragment|DOMParser|eval\(|new Function\(/, f);
  }
});

test('webview HTML is only ever the output of renderWebviewHtml', () => {
  let writers = 0;
  for (const f of files('src')) {
    for (const line of readFileSync(join(root, f), 'utf8').split('\n').filter((l) => /\.html\s*=[^=]/.test(l))) {
      writers++;
      assert.match(line, /\.html = renderWebviewHtml\(/, `${f}: ${line.trim()}`);
    }
  }
  assert.ok(writers >= 2, 'the log viewer and the event view are found');
});
