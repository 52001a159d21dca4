/**
 * The design's hard lines, checked on every run (DESIGN §1, §6; src/core/README.md): the core never
 * imports `vscode`, and each of its folders imports only the folders below it; webview code
 * reaches only the protocol, its own folder and a few browser-safe core modules, and nothing it
 * bundles touches Node; webview code never parses strings as HTML; one function writes webview HTML.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/repoRoot';

const root = repoRoot();
function files(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const rel = join(dir, name);
    return statSync(join(root, rel)).isDirectory() ? files(rel) : rel.endsWith('.ts') ? [rel] : [];
  });
}

/**
 * What a core folder may import besides itself and src/protocol (types shared with webviews).
 * Lower layers never know of higher ones: the query language never sees how files are decoded,
 * so Athena's and Logs Insights' compilers sit beside the local engine, knowing only the AWS side's
 * shapes (core/aws: the Athena table's columns), which in turn know nothing of queries.
 */
const CORE_IMPORTS: Record<string, readonly string[]> = {
  model: [],
  store: ['model'],
  ingest: ['model', 'store'],
  query: ['model', 'store', 'aws'],
  investigate: ['model', 'store', 'query'],
  engine: ['model', 'store', 'ingest', 'query', 'investigate'],
  aws: ['model'],
  integrity: ['model', 'aws'],
  ui: ['model', 'query', 'investigate', 'aws'],
};

/** Core modules the webviews may import: pure text functions both sides must agree on, no Node. */
const BROWSER_SAFE = ['src/core/model/visible.ts', 'src/core/query/query.ts', 'src/core/investigate/timeline.ts'];
/** Packages webview code may reach: plain JavaScript, no Node (re2js checks regex terms' syntax). */
const BROWSER_PACKAGES = ['re2js'];

/**
 * Each import of `file`: a repository path for a relative one (resolved to its .ts file), else the
 * bare specifier. `bundled` leaves out type-only imports, which the bundler erases.
 */
function importsOf(file: string, bundled = false): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specs = [...text.matchAll(/(?:^|\s)(import|export)\s([^'";]*?)from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/gm)]
    .filter((m) => !(bundled && m[2] !== undefined && /^type\s/.test(m[2])))
    .map((m) => m[3] ?? m[4] ?? m[5]);
  return specs.map((spec) => {
    if (!spec.startsWith('.')) return spec;
    const base = normalize(join(dirname(file), spec));
    const hit = [`${base}.ts`, join(base, 'index.ts'), base].find((c) => existsSync(join(root, c)) && statSync(join(root, c)).isFile());
    assert.ok(hit, `${file}: import '${spec}' resolves to no file`);
    return hit;
  });
}

const coreFolder = (path: string): string | undefined => /^src\/core\/([^/]+)\//.exec(path)?.[1];

test('every file in src/core sits in one of the folders the layering names', () => {
  for (const f of files('src/core')) {
    const folder = coreFolder(f);
    assert.ok(folder && folder in CORE_IMPORTS, `${f} is not in a known folder of src/core (${Object.keys(CORE_IMPORTS).join(', ')})`);
  }
});

test('src/core folders import only the folders below them', () => {
  const wrong: string[] = [];
  for (const f of files('src/core')) {
    const from = coreFolder(f)!;
    for (const target of importsOf(f)) {
      if (!target.startsWith('src/')) continue;
      if (target.startsWith('src/protocol/')) continue;
      const to = coreFolder(target);
      if (!to) wrong.push(`${f} imports ${target}, outside src/core`);
      else if (to !== from && !CORE_IMPORTS[from].includes(to)) wrong.push(`${f} (${from}) imports ${target} (${to}); ${from} may import ${CORE_IMPORTS[from].join(', ') || 'nothing else'}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('src/core, src/awsSdk and src/protocol import nothing from vscode', () => {
  for (const f of [...files('src/core'), ...files('src/awsSdk'), ...files('src/protocol')]) {
    assert.ok(!importsOf(f).includes('vscode'), f);
    assert.doesNotMatch(readFileSync(join(root, f), 'utf8'), /from ['"]vscode['"]|require\(['"]vscode['"]\)/, f);
  }
});

test('src/protocol imports only itself, the model and the integrity report (types both sides share)', () => {
  for (const f of files('src/protocol')) {
    for (const target of importsOf(f)) {
      assert.ok(target.startsWith('src/protocol/') || target.startsWith('src/core/model/') || target === 'src/core/integrity/report.ts', `${f} imports ${target}`);
    }
  }
});

test('webview code imports only the protocol, webview code and browser-safe core modules, and bundles nothing of Node', () => {
  for (const f of files('src/webview')) {
    for (const target of importsOf(f)) {
      assert.ok(target.startsWith('src/protocol/') || target.startsWith('src/webview/') || BROWSER_SAFE.includes(target), `${f} imports ${target}`);
    }
  }
  // Everything the webview bundles reach, transitively: no Node built-in, no vscode, no package.
  const seen = new Set<string>();
  const queue = files('src/webview');
  while (queue.length) {
    const f = queue.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const target of importsOf(f, true)) {
      if (target.startsWith('src/')) queue.push(target);
      else assert.ok(BROWSER_PACKAGES.includes(target), `${f}, bundled into a webview, imports '${target}'`);
    }
  }
  for (const safe of BROWSER_SAFE) assert.ok(seen.has(safe) || !existsSync(join(root, safe)), `${safe} is listed as browser-safe but no webview uses it: drop it from the list`);
});

test('the layering test sees real imports (it would catch a wrong one)', () => {
  // A guard against a regex that silently matches nothing: these imports exist today.
  assert.ok(importsOf('src/core/engine/storeService.ts').some((t) => t.startsWith('src/core/investigate/')));
  assert.ok(importsOf('src/core/query/search.ts').includes('src/core/store/store.ts'));
  assert.ok(importsOf('src/core/ingest/decoderPool.ts').includes('node:worker_threads'));
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
