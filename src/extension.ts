/** Composition root: builds the objects, registers them, pushes every disposable. Nothing else. */
import { availableParallelism } from 'node:os';
import * as vscode from 'vscode';
import { registerOpenCommands } from './commands/openCommands';
import { WorkerDecoder } from './core/decoderPool';
import { EVENT_SCHEME, EventDocuments } from './logViewer/eventDocuments';
import { LogEditorProvider } from './logViewer/logEditorProvider';
import { Sessions } from './logViewer/sessions';

/** What `activate` returns: read by the integration tests through `extension.exports`. */
export interface CloudTrailLensApi {
  viewers(): ReturnType<Sessions['list']>;
}

export function activate(context: vscode.ExtensionContext): CloudTrailLensApi {
  const output = vscode.window.createOutputChannel('CloudTrail Lens', { log: true });
  const concurrency = Math.max(1, Math.min(4, availableParallelism()));
  const decoder = new WorkerDecoder(vscode.Uri.joinPath(context.extensionUri, 'dist', 'decodeWorker.js').fsPath, concurrency);
  const events = new EventDocuments();
  const sessions = new Sessions(context.extensionUri, { decoder, concurrency, events, output });
  context.subscriptions.push(
    output,
    { dispose: () => decoder.dispose() },
    sessions,
    vscode.workspace.registerTextDocumentContentProvider(EVENT_SCHEME, events),
    ...LogEditorProvider.register(sessions),
    ...registerOpenCommands(sessions, context.extensionUri),
  );
  return { viewers: () => sessions.list() };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
