/**
 * The design's hard lines, checked on every run (docs/architecture.md; src/core/README.md): the core never
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
  query: ['model', 'store', 'aws', 'enrich'],
  investigate: ['model', 'store', 'query', 'enrich'],
  engine: ['model', 'store', 'ingest', 'query', 'investigate', 'enrich'],
  aws: ['model'],
  integrity: ['model', 'aws'],
  ui: ['model', 'query', 'investigate', 'aws', 'enrich'],
  notebook: ['model', 'query', 'investigate', 'integrity', 'engine'],
  enrich: ['model'],
};

/** Core modules the webviews may import: pure text functions both sides must agree on, no Node. */
const BROWSER_SAFE = [
  'src/core/model/visible.ts',
  'src/core/query/query.ts',
  'src/core/investigate/timeline.ts',
  'src/core/notebook/outputShape.ts',
];
/** Packages webview code may reach: plain JavaScript, no Node (re2js checks regex terms' syntax). */
const BROWSER_PACKAGES = ['re2js'];

/**
 * Each import of `file`: a repository path for a relative one (resolved to its .ts file), else the
 * bare specifier. `bundled` leaves out type-only imports, which the bundler erases.
 */
function importsOf(file: string, bundled = false): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specs = [
    ...text.matchAll(
      /(?:^|\s)(import|export)\s([^'";]*?)from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/gm,
    ),
  ]
    .filter((m) => !(bundled && m[2] !== undefined && /^type\s/.test(m[2])))
    .map((m) => m[3] ?? m[4] ?? m[5]);
  return specs.map((spec) => {
    if (!spec.startsWith('.')) return spec;
    const base = normalize(join(dirname(file), spec));
    const hit = [`${base}.ts`, join(base, 'index.ts'), base].find(
      (c) => existsSync(join(root, c)) && statSync(join(root, c)).isFile(),
    );
    assert.ok(hit, `${file}: import '${spec}' resolves to no file`);
    return hit;
  });
}

const coreFolder = (path: string): string | undefined => /^src\/core\/([^/]+)\//.exec(path)?.[1];

test('every file in src/core sits in one of the folders the layering names', () => {
  for (const f of files('src/core')) {
    const folder = coreFolder(f);
    assert.ok(
      folder && folder in CORE_IMPORTS,
      `${f} is not in a known folder of src/core (${Object.keys(CORE_IMPORTS).join(', ')})`,
    );
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
      else if (to !== from && !CORE_IMPORTS[from].includes(to))
        wrong.push(
          `${f} (${from}) imports ${target} (${to}); ${from} may import ${CORE_IMPORTS[from].join(', ') || 'nothing else'}`,
        );
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
      assert.ok(
        target.startsWith('src/protocol/') ||
          target.startsWith('src/core/model/') ||
          target === 'src/core/integrity/report.ts',
        `${f} imports ${target}`,
      );
    }
  }
});

test('webview code imports only the protocol, webview code and browser-safe core modules, and bundles nothing of Node', () => {
  for (const f of files('src/webview')) {
    for (const target of importsOf(f)) {
      assert.ok(
        target.startsWith('src/protocol/') || target.startsWith('src/webview/') || BROWSER_SAFE.includes(target),
        `${f} imports ${target}`,
      );
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
  for (const safe of BROWSER_SAFE)
    assert.ok(
      seen.has(safe) || !existsSync(join(root, safe)),
      `${safe} is listed as browser-safe but no webview uses it: drop it from the list`,
    );
});

test('the layering test sees real imports (it would catch a wrong one)', () => {
  // A guard against a regex that silently matches nothing: these imports exist today.
  assert.ok(importsOf('src/core/engine/storeService.ts').some((t) => t.startsWith('src/core/investigate/')));
  assert.ok(importsOf('src/core/query/search.ts').includes('src/core/store/store.ts'));
  assert.ok(importsOf('src/core/ingest/decoderPool.ts').includes('node:worker_threads'));
});

test('webview code never turns strings into markup', () => {
  for (const f of files('src/webview')) {
    assert.doesNotMatch(
      readFileSync(join(root, f), 'utf8'),
      /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|createContextualFragment|DOMParser|eval\(|new Function\(/,
      f,
    );
  }
});

test('webview HTML is only ever the output of renderWebviewHtml', () => {
  let writers = 0;
  for (const f of files('src')) {
    for (const line of readFileSync(join(root, f), 'utf8')
      .split('\n')
      .filter((l) => /\.html\s*=[^=]/.test(l))) {
      writers++;
      assert.match(line, /\.html = renderWebviewHtml\(/, `${f}: ${line.trim()}`);
    }
  }
  assert.ok(writers >= 2, 'the log viewer and the event view are found');
});

/**
 * The host side's floors (docs/architecture.md, "Import rules"): one folder per user-facing
 * feature, and `common/` for what several share. Every host folder may import `common`, `core`,
 * `awsSdk` and `protocol`; a feature imports only the features named here (all of them lower,
 * so there is no cycle); `common` imports no feature; `awsSdk` is the SDK side and imports only
 * core. `extension.ts`, the composition root, wires them all.
 */
const HOST_FEATURES: Record<string, readonly string[]> = {
  common: [],
  eventView: [],
  logViewer: ['eventView'],
  explorer: ['eventView'],
  identity: ['logViewer', 'eventView'],
  detections: ['logViewer'],
  remote: ['logViewer'],
  s3: ['logViewer'],
  integrity: ['s3'],
  notebook: ['logViewer'],
  enrichment: [],
};
/** Floors every host folder may use: the pure core, the SDK adapters, the shared message types. */
const HOST_BASE = ['core', 'awsSdk', 'protocol'];
const hostFolder = (path: string): string | undefined => /^src\/([^/]+)\//.exec(path)?.[1];

/** The host folder imports `graph` has that the table does not allow; empty when all is well. */
function hostViolations(graph: ReadonlyArray<{ file: string; target: string }>): string[] {
  const wrong: string[] = [];
  for (const { file, target } of graph) {
    const from = hostFolder(file)!;
    const to = hostFolder(target);
    if (!to || to === from || HOST_BASE.includes(to) || to === 'common') continue;
    if (!HOST_FEATURES[from].includes(to))
      wrong.push(
        `${file} (${from}) imports ${target} (${to}); ${from} may import ${[...HOST_FEATURES[from], 'common', ...HOST_BASE].join(', ')}`,
      );
  }
  return wrong;
}

function hostImportGraph(): Array<{ file: string; target: string }> {
  const hostDirs = Object.keys(HOST_FEATURES).map((d) => `src/${d}`);
  return hostDirs.flatMap((dir) =>
    files(dir).flatMap((file) =>
      importsOf(file)
        .filter((t) => t.startsWith('src/'))
        .map((target) => ({ file, target })),
    ),
  );
}

test('every host folder is in the host import table', () => {
  const known = new Set([...Object.keys(HOST_FEATURES), ...HOST_BASE, 'webview']);
  for (const name of readdirSync(join(root, 'src'))) {
    if (statSync(join(root, 'src', name)).isDirectory())
      assert.ok(
        known.has(name),
        `src/${name} is in no row of HOST_FEATURES (test/unit/architecture.test.ts) nor docs/architecture.md`,
      );
  }
});

test('host folders import only common, core, awsSdk, protocol and the features their row names', () => {
  assert.deepEqual(hostViolations(hostImportGraph()), []);
});

test('the host table has no cycle, and an upward import fails the check', () => {
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (f: string, path: string[]): void => {
    assert.ok(!visiting.has(f), `cycle in HOST_FEATURES: ${[...path, f].join(' → ')}`);
    if (done.has(f)) return;
    visiting.add(f);
    for (const to of HOST_FEATURES[f]) visit(to, [...path, f]);
    visiting.delete(f);
    done.add(f);
  };
  for (const f of Object.keys(HOST_FEATURES)) visit(f, []);
  // The check itself: the cycle this layout broke (eventView → identity) and common reaching a feature.
  assert.equal(
    hostViolations([{ file: 'src/eventView/eventPanel.ts', target: 'src/identity/documents.ts' }]).length,
    1,
  );
  assert.equal(hostViolations([{ file: 'src/common/trailPicker.ts', target: 'src/explorer/trailNode.ts' }]).length, 1);
  assert.equal(hostViolations([{ file: 'src/identity/graphPanel.ts', target: 'src/logViewer/sessions.ts' }]).length, 0);
  // And it sees real imports today.
  assert.ok(
    hostImportGraph().some((e) => e.file === 'src/identity/graphPanel.ts' && e.target === 'src/logViewer/sessions.ts'),
  );
});

test('src/awsSdk, the SDK side, imports only core', () => {
  for (const f of files('src/awsSdk')) {
    for (const target of importsOf(f).filter((t) => t.startsWith('src/')))
      assert.ok(target.startsWith('src/core/') || target.startsWith('src/awsSdk/'), `${f} imports ${target}`);
  }
});

test('every webview panel validates what its page sends through a core/ui validator, and types what it posts', () => {
  // The host side of each webview: its onDidReceiveMessage hands the raw message to a parse…Message of core/ui.
  const panels = files('src').filter(
    (f) => /onDidReceiveMessage/.test(readFileSync(join(root, f), 'utf8')) && !f.startsWith('src/core/'),
  );
  assert.ok(panels.length >= 4, `found ${panels.length} panels`);
  for (const f of panels) {
    const text = readFileSync(join(root, f), 'utf8');
    assert.ok(
      importsOf(f).some((t) => /^src\/core\/ui\/\w+Messages\.ts$/.test(t)),
      `${f} receives webview messages but imports no core/ui validator`,
    );
    assert.doesNotMatch(text, /as From\w+\)/, `${f} casts a webview message instead of validating it`);
  }
  // One typed acquireVsCodeApi: only webview/shared/vscodeApi.ts declares it.
  for (const f of files('src/webview')) {
    if (f !== 'src/webview/shared/vscodeApi.ts')
      assert.doesNotMatch(readFileSync(join(root, f), 'utf8'), /acquireVsCodeApi/, f);
  }
});
