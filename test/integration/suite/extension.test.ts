/** Runs inside the real extension host: commands, the custom editor and decoding via the VS Code API. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CloudTrailLensApi } from '../../../src/extension';
import type { LoadSummary } from '../../../src/logViewer/viewerSession';
import { FIXTURE } from '../../support/fixtures';

const EXTENSION_ID = 'cloudtrail-lens.cloudtrail-lens';

function ws(...parts: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test opens a workspace folder');
  return vscode.Uri.joinPath(folder.uri, ...parts);
}

async function api(): Promise<CloudTrailLensApi> {
  const ext = vscode.extensions.getExtension<CloudTrailLensApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is installed`);
  return ext.isActive ? ext.exports : ext.activate();
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function closeAll(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

describe('CloudTrail Lens in the extension host', () => {
  afterEach(closeAll);

  it('registers its commands', async () => {
    await api();
    const all = await vscode.commands.getCommands(true);
    for (const id of ['openLogFiles', 'openLogFolder', 'openInLens', 'openSampleLogs'])
      assert.ok(all.includes(`cloudtrailLens.${id}`), id);
  });

  it('opens a gzipped log file through the Open Log Files command', async () => {
    const s = await vscode.commands.executeCommand<LoadSummary>('cloudtrailLens.openLogFiles', [ws(FIXTURE.gzLog)]);
    assert.equal(s.events, FIXTURE.gzLogEvents);
    assert.equal(s.filesFailed, 0);
  });

  it('opens a folder recursively (the S3 AWSLogs/ layout) from the explorer command', async () => {
    const s = await vscode.commands.executeCommand<LoadSummary>('cloudtrailLens.openInLens', ws(FIXTURE.folder), [
      ws(FIXTURE.folder),
    ]);
    assert.equal(s.events, FIXTURE.folderEvents);
    assert.equal(s.files, 55);
    assert.equal(s.filesFailed, 0);
  });

  it('a multi-selection of good and bad files: bad ones fail with reasons, the rest load', async () => {
    const picks = [
      FIXTURE.gzLog,
      FIXTURE.truncated,
      FIXTURE.bomb,
      FIXTURE.notCloudTrail,
      FIXTURE.malformed,
      FIXTURE.digest,
      FIXTURE.empty,
    ].map((p) => ws(p));
    const s = await vscode.commands.executeCommand<LoadSummary>('cloudtrailLens.openInLens', picks[0], picks);
    assert.equal(s.events, FIXTURE.gzLogEvents);
    assert.equal(s.filesFailed, FIXTURE.badFailures);
    assert.equal(s.digests, 1);
    assert.equal(s.cancelled, false);
  });

  it('opens the bundled sample logs', async () => {
    const s = await vscode.commands.executeCommand<LoadSummary>('cloudtrailLens.openSampleLogs');
    assert.equal(s.events, 678);
    assert.equal(s.files, 7);
    assert.equal(s.filesFailed, 0);
  });

  it('opens *_CloudTrail_*.json.gz in the custom editor by default', async () => {
    const lens = await api();
    await vscode.commands.executeCommand('vscode.open', ws(FIXTURE.gzLog));
    const tab = await waitFor('the custom editor tab', () => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return input instanceof vscode.TabInputCustom ? input : undefined;
    });
    assert.equal(tab.viewType, 'cloudtrailLens.logFile');
    const viewer = await waitFor('the file to load', () =>
      lens.viewers().find((v) => v.title === FIXTURE.gzLog && !v.loading && v.events > 0),
    );
    assert.equal(viewer.events, FIXTURE.gzLogEvents);
  });

  it('exports a built-in detection as an alert: a Markdown document with the metric filter, alarm and EventBridge rule', async () => {
    await api();
    type Exported = {
      document: vscode.Uri;
      export: { metricFilter: { patterns: string[] }; eventBridge: { pattern: Record<string, unknown> } };
    };
    const r = await vscode.commands.executeCommand<Exported | undefined>(
      'cloudtrailLens.exportDetectionAsAlert',
      'cloudtrail-stopped',
    );
    assert.ok(r, 'the built-in rule is found');
    assert.match(r.export.metricFilter.patterns.join(' '), /\$\.eventName\s*=\s*"?StopLogging/);
    assert.deepEqual((r.export.eventBridge.pattern as { detail?: { eventName?: unknown } }).detail?.eventName, [
      { 'equals-ignore-case': 'StopLogging' },
    ]);
    const doc = vscode.window.activeTextEditor?.document;
    assert.equal(doc?.uri.toString(), r.document.toString(), 'the export is the active editor');
    assert.equal(doc.languageId, 'markdown');
    const text = doc.getText();
    for (const part of [
      'aws logs put-metric-filter',
      'aws cloudwatch put-metric-alarm',
      'aws events put-rule',
      'AWS::Logs::MetricFilter',
      'AWS::Events::Rule',
    ])
      assert.ok(text.includes(part), part);
    // An untitled document is dirty: closing it plainly would ask whether to save.
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    assert.equal(
      await vscode.commands.executeCommand('cloudtrailLens.exportDetectionAsAlert', 'no-such-rule'),
      undefined,
    );
  });

  it('offers the viewer through Open With… for any JSON file, and reports a non-CloudTrail one', async () => {
    const lens = await api();
    await vscode.commands.executeCommand('vscode.openWith', ws(FIXTURE.notCloudTrail), 'cloudtrailLens.logFileAny');
    const viewer = await waitFor('the file to fail', () =>
      lens.viewers().find((v) => v.title === 'package.json' && !v.loading && v.filesFailed === 1),
    );
    assert.equal(viewer.events, 0);
  });
});
