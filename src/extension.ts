/** Composition root: builds the objects, registers them, pushes every disposable. Nothing else. */
import { availableParallelism } from 'node:os';
import * as vscode from 'vscode';
import { CredentialCache } from './awsSdk/credentials';
import { registerAlertCommands } from './detections/alertCommands';
import { registerCoverageCommand } from './detections/coveragePanel';
import { registerSigmaPackImport } from './detections/sigmaPackImport';
import { loadDetectionRules, useSigmaPackStorage } from './logViewer/detectionRules';
import { registerRemoteCommands } from './remote/remoteCommands';
import { registerExplorerCommands } from './explorer/explorerCommands';
import { registerIdentityCommands } from './identity/identityCommands';
import { openKeyReport, openPolicyDraft } from './identity/documents';
import { IdentityGraphs } from './identity/graphPanel';
import { registerOpenCommands } from './logViewer/openCommands';
import { registerS3Commands } from './s3/s3Commands';
import { profileFilePaths } from './core/aws/profiles';
import { RateLimiter } from './core/aws/throttle';
import { WorkerDecoder } from './core/ingest/decoderPool';
import { StoreClient } from './core/engine/storeClient';
import { EventPanel } from './eventView/eventPanel';
import type { ExplorerNode } from './explorer/explorerNode';
import { ExplorerProvider } from './explorer/explorerProvider';
import { explorerStatusBar } from './explorer/statusBar';
import { registerIntegrityCommands } from './integrity/integrityCommands';
import { IntegrityReports } from './integrity/reportPanel';
import { Accounts } from './common/accounts';
import { Commands } from './common/commands';
import { EVENT_SCHEME, EventDocuments } from './common/eventDocuments';
import { LogEditorProvider } from './logViewer/logEditorProvider';
import { registerNotebookCommands } from './notebook/notebookCommands';
import { NotebookRunner } from './notebook/notebookRunner';
import { CtnbSerializer, NOTEBOOK_TYPE } from './notebook/notebookSerializer';
import { Sessions } from './logViewer/sessions';
import { IpData } from './common/ipData';
import { registerIpDataCommands } from './enrichment/ipDataCommands';

/** What `activate` returns: read by the integration tests through `extension.exports`. */
export interface CloudTrailLensApi {
  viewers(): ReturnType<Sessions['list']>;
  /** The event the event view shows, if any. */
  shownEvent(): ReturnType<EventPanel['shown']>;
}

export function activate(context: vscode.ExtensionContext): CloudTrailLensApi {
  const output = vscode.window.createOutputChannel('CloudTrail Lens', { log: true });
  const commands = new Commands(
    output,
    (
      context.extension.packageJSON as { contributes?: { commands?: Array<{ command: string; title: string }> } }
    ).contributes?.commands,
  );
  const concurrency = Math.max(1, Math.min(4, availableParallelism()));
  const decoder = new WorkerDecoder(
    vscode.Uri.joinPath(context.extensionUri, 'dist', 'decodeWorker.js').fsPath,
    concurrency,
  );
  const events = new EventDocuments();
  const ipData = new IpData(context.globalStorageUri);
  const eventPanel = new EventPanel(context.extensionUri, events, output, ipData, {
    keyReport: (store, key, view) => openKeyReport(store, key, view, output),
    policyDraft: (store, of, view) => openPolicyDraft(store, of, view, output),
  });
  useSigmaPackStorage(context.globalStorageUri);
  const storeScript = vscode.Uri.joinPath(context.extensionUri, 'dist', 'storeWorker.js').fsPath;
  // Every store is handed the user's IP data files as it starts, and their changes later.
  const newStore = (): StoreClient => ipData.attach(StoreClient.inWorker(storeScript));
  const sessions = new Sessions(context.extensionUri, {
    extensionUri: context.extensionUri,
    decoder,
    newStore,
    concurrency,
    eventPanel,
    output,
  });
  const credentials = new CredentialCache({
    mfaCode: async (serial) => {
      const code = await vscode.window.showInputBox({
        title: 'MFA code',
        prompt: `The current code of MFA device ${serial}`,
        ignoreFocusOut: true,
        password: false,
        validateInput: (v) => (/^\d{6}$/.test(v.trim()) ? undefined : 'Six digits'),
      });
      if (code === undefined) throw new Error('MFA code entry was cancelled.');
      return code.trim();
    },
  });
  // LookupEvents: 2 requests per second per account and region.
  const accounts = new Accounts(credentials, new RateLimiter(2), output);
  const explorer = new ExplorerProvider({ accounts, eventPanel, output });
  const view = vscode.window.createTreeView<ExplorerNode>('cloudtrailLens.explorer', {
    treeDataProvider: explorer,
    showCollapseAll: true,
  });
  explorer.attach(view);
  const reports = new IntegrityReports(context.extensionUri);
  const defaultCacheDir = vscode.Uri.joinPath(context.globalStorageUri, 's3-cache').fsPath;
  context.subscriptions.push(
    accounts,
    explorer,
    view,
    ...registerExplorerCommands(commands, explorer, view),
    ...explorerStatusBar(view),
    ...watchProfileFiles(() => explorer.reloadProfiles()),
    // The endpoint settings are restricted: granting trust can change where requests go.
    vscode.workspace.onDidGrantWorkspaceTrust(() => explorer.resetAll()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (['endpoint', 'requestTimeoutSeconds'].some((k) => e.affectsConfiguration(`cloudtrailLens.${k}`)))
        explorer.resetAll();
      else if (['profiles', 'regions'].some((k) => e.affectsConfiguration(`cloudtrailLens.${k}`)))
        explorer.reloadProfiles();
      if (['detectionsFolder', 'detections.sigmaHqPack'].some((k) => e.affectsConfiguration(`cloudtrailLens.${k}`)))
        sessions.reanalyze();
    }),
    output,
    { dispose: () => decoder.dispose() },
    eventPanel,
    sessions,
    vscode.workspace.registerTextDocumentContentProvider(EVENT_SCHEME, events),
    ...LogEditorProvider.register(sessions),
    ...registerOpenCommands(commands, sessions, context.extensionUri, output),
    ...registerAlertCommands(commands, context.extensionUri, output),
    ...registerCoverageCommand(commands, context.extensionUri, sessions, output),
    ...registerIpDataCommands(commands, ipData, output),
    ipData.onDidChange(() => sessions.ipDataChanged()),
    ...registerSigmaPackImport(commands, context.globalStorageUri, output, () => sessions.reanalyze()),
    ...((graphs) => [graphs, ...registerIdentityCommands(commands, { sessions, graphs, eventPanel, output })])(
      new IdentityGraphs(context.extensionUri, sessions, output),
    ),
    reports,
    ...registerS3Commands(commands, { accounts, state: context.workspaceState, sessions, output, defaultCacheDir }),
    ...registerRemoteCommands(commands, { accounts, sessions, output, context }),
    vscode.workspace.registerNotebookSerializer(NOTEBOOK_TYPE, new CtnbSerializer(output)),
    new NotebookRunner({
      decoder,
      newStore,
      concurrency,
      output,
      rules: () => loadDetectionRules(context.extensionUri).then((l) => l.rules),
    }),
    ...registerNotebookCommands(commands, { sessions, shownEvent: () => eventPanel.shown() }),
    ...registerIntegrityCommands(commands, {
      accounts,
      state: context.workspaceState,
      reports,
      output,
      defaultCacheDir,
    }),
  );
  return { viewers: () => sessions.list(), shownEvent: () => eventPanel.shown() };
}

/** Re-reads profiles when the AWS config or credentials file changes (the paths can be outside the workspace). */
function watchProfileFiles(onChange: () => void): vscode.Disposable[] {
  return Object.values(profileFilePaths(process.env)).map((file) => {
    const uri = vscode.Uri.file(file);
    const watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.joinPath(uri, '..'), uri.path.slice(uri.path.lastIndexOf('/') + 1)),
    );
    watcher.onDidChange(onChange);
    watcher.onDidCreate(onChange);
    watcher.onDidDelete(onChange);
    return watcher;
  });
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
