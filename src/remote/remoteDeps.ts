/**
 * What the Athena and CloudWatch Logs commands share: their dependencies, the SDK adapters for a
 * profile and region (endpoint overrides from the settings), and the `.sql` documents the
 * extension opened, which remember where they run (trail, profile, region, database, workgroup)
 * so their CodeLens runs them there without asking.
 */
import * as vscode from 'vscode';
import type { AthenaApi } from '../awsSdk/athena';
import type { CloudWatchLogsApi } from '../awsSdk/cloudWatchLogs';
import type { Accounts } from '../common/accounts';
import type { AthenaTableRef } from '../core/aws/athenaTable';
import type { CompiledAthenaQuery } from '../core/query/athenaSql';
import type { Sessions } from '../logViewer/sessions';
import type { CostEstimate } from './costEstimate';
import type { TrailChoice } from '../common/trailPicker';

export interface RemoteDeps {
  accounts: Accounts;
  sessions: Sessions;
  output: vscode.LogOutputChannel;
  /** Where result files are written (the extension's global storage). */
  storageUri: vscode.Uri;
  /** Per-workspace memory: the last trail chosen, the table found for a trail. */
  state: vscode.Memento;
  /** For the built-in detection rules. */
  extensionUri: vscode.Uri;
  sqlDocs: SqlDocuments;
}

export function athenaApi(deps: RemoteDeps, profile: string, region: string): AthenaApi {
  return deps.accounts.athena(profile, region);
}

export function logsApi(deps: RemoteDeps, profile: string, region: string): CloudWatchLogsApi {
  return deps.accounts.logs(profile, region);
}

/** Where a `.sql` document runs, and what it was made from. */
export interface SqlDocContext {
  trail: TrailChoice;
  database: string;
  workGroup: string;
  table?: AthenaTableRef;
  /** The compiled queries the document shows: an unedited one runs with its residual check. */
  compiled?: Array<{ query: string; compiled: CompiledAthenaQuery }>;
  /** How the results are titled. */
  windowShort?: string;
  /** Each compiled query's cost estimate, shown in its CodeLens. */
  estimates?: CostEstimate[];
}

/** The `.sql` documents opened by the extension, by URI; forgotten when closed. */
export class SqlDocuments implements vscode.Disposable {
  private readonly docs = new Map<string, SqlDocContext>();
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires when a document's context changes (the CodeLens titles follow). */
  readonly onDidChange = this.emitter.event;
  private readonly closing = vscode.workspace.onDidCloseTextDocument((d) => {
    if (this.docs.delete(d.uri.toString())) this.emitter.fire();
  });

  get(uri: vscode.Uri): SqlDocContext | undefined {
    return this.docs.get(uri.toString());
  }

  set(uri: vscode.Uri, ctx: SqlDocContext): void {
    this.docs.set(uri.toString(), ctx);
    this.emitter.fire();
  }

  /** Opens `text` as a new `.sql` document beside the current editor, remembering where it runs. */
  async open(text: string, ctx: SqlDocContext, focus: boolean): Promise<vscode.TextDocument> {
    const doc = await vscode.workspace.openTextDocument({ language: 'sql', content: text });
    this.set(doc.uri, ctx);
    await vscode.window.showTextDocument(doc, {
      viewColumn: vscode.ViewColumn.Beside,
      preserveFocus: !focus,
      preview: false,
    });
    return doc;
  }

  dispose(): void {
    this.closing.dispose();
    this.emitter.dispose();
    this.docs.clear();
  }
}
