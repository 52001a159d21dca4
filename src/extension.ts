/** Composition root: builds the objects, registers them, pushes every disposable. Nothing else. */
import { availableParallelism } from 'node:os';
import * as vscode from 'vscode';
import { registerOpenCommands } from './commands/openCommands';
import { WorkerDecoder } from './core/decoderPool';
import { EventPanel } from './eventView/eventPanel';
import { EVENT_SCHEME, EventDocuments } from './logViewer/eventDocuments';
import { LogEditorProvider } from './logViewer/logEditorProvider';
import { Sessions } from './logViewer/sessions';

/** What `activate` returns: read by the integration tests through `extension.exports`. */
export interface CloudTrailLensApi {
  viewers(): ReturnType<Sessions['list']>;
  /** The event the event view shows, if any. */
  shownEvent(): ReturnType<EventPanel['shown']>;
}

export function activate(context: vscode.ExtensionContext): CloudTrailLensApi {
  const output = vscode.window.createOutputChannel('CloudTrail Lens', { log: true });
  const concurrency = Math.max(1, Math.min(4, availableParallelism()));
  const decoder = new WorkerDecoder(vscode.Uri.joinPath(context.extensionUri, 'dist', 'decodeWorker.js').fsPath, concurrency);
  const events = new EventDocuments();
  const eventPanel = new EventPanel(context.extensionUri, events, output);
  const sessions = new Sessions(context.extensionUri, { decoder, concurrency, eventPanel, output });
  context.subscriptions.push(
    output,
    { dispose: () => decoder.dispose() },
    eventPanel,
    sessions,
    vscode.workspace.registerTextDocumentContentProvider(EVENT_SCHEME, events),
    ...LogEditorProvider.register(sessions),
    ...registerOpenCommands(sessions, context.extensionUri),
  );
  return { viewers: () => sessions.list(), shownEvent: () => eventPanel.shown() };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
