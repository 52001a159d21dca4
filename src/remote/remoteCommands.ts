/**
 * The Athena and CloudWatch Logs commands (issue #15): set up a trail's table, run a search or a
 * detection over the whole trail, run a `.sql` statement, search the trail's log group, and the
 * log viewer's "Athena…" button. A failure is reported by the one registration helper (common/commands.ts).
 */
import * as vscode from 'vscode';
import { runDetectionInAthena, runInAthena, type RunArgs, runSqlStatement } from './athenaRun';
import { setUpTable } from './athenaTables';
import { searchCloudWatchLogs } from './logsRun';
import { type RemoteDeps, SqlDocuments } from './remoteDeps';
import { registerSqlCodeLens } from './sqlCodeLens';
import { chooseTrail } from '../common/trailPicker';
import type { Accounts } from '../common/accounts';
import type { Sessions } from '../logViewer/sessions';
import { CommandId } from '../common/commandIds';
import type { Commands } from '../common/commands';

export interface AthenaCommandDeps {
  accounts: Accounts;
  sessions: Sessions;
  output: vscode.LogOutputChannel;
  context: vscode.ExtensionContext;
}

const argsOf = (v: unknown): RunArgs => {
  if (typeof v !== 'object' || v === null) return {};
  const o = v as Record<string, unknown>;
  return typeof o.query === 'string' ? { query: o.query } : {};
};

/** The log viewer's button: a trail, then Athena or (for a trail with a log group) CloudWatch Logs. */
async function searchRemotely(deps: RemoteDeps, args: RunArgs): Promise<unknown> {
  const trail = await chooseTrail(deps, undefined, { title: 'Run this query over which trail?' });
  if (!trail) return undefined;
  if (trail.logGroupArn) {
    const pick = await vscode.window.showQuickPick(
      [
        {
          label: 'Run in Athena',
          description: 'every file in the trail\u2019s S3 bucket; billed per TB scanned',
          id: 'athena',
        },
        {
          label: 'Search in CloudWatch Logs',
          description: `the log group ${trail.logGroupArn.split(':log-group:')[1]?.replace(/:\*$/, '') ?? ''}, for its retention`,
          id: 'logs',
        },
      ],
      { title: `Run over ${trail.name} in…`, ignoreFocusOut: true },
    );
    if (!pick) return undefined;
    if (pick.id === 'logs') return searchCloudWatchLogs(deps, trail, args);
  }
  return runInAthena(deps, trail, args);
}

export function registerRemoteCommands(commands: Commands, d: AthenaCommandDeps): vscode.Disposable[] {
  const sqlDocs = new SqlDocuments();
  const deps: RemoteDeps = {
    accounts: d.accounts,
    sessions: d.sessions,
    output: d.output,
    storageUri: d.context.globalStorageUri,
    state: d.context.workspaceState,
    extensionUri: d.context.extensionUri,
    sqlDocs,
  };
  return [
    sqlDocs,
    registerSqlCodeLens(sqlDocs),
    commands.register(CommandId.SetUpAthenaTable, (arg?: unknown) => setUpTable(deps, arg)),
    commands.register(CommandId.RunInAthena, (arg?: unknown, args?: unknown) => runInAthena(deps, arg, argsOf(args))),
    commands.register(CommandId.RunDetectionInAthena, (arg?: unknown) => runDetectionInAthena(deps, arg)),
    commands.register(CommandId.SearchCloudWatchLogs, (arg?: unknown, args?: unknown) =>
      searchCloudWatchLogs(deps, arg, argsOf(args)),
    ),
    commands.register(CommandId.RunSqlInAthena, (uri?: unknown, index?: unknown) =>
      runSqlStatement(
        deps,
        uri instanceof vscode.Uri ? uri : undefined,
        typeof index === 'number' && Number.isInteger(index) && index >= 0 ? index : undefined,
      ),
    ),
    commands.register(CommandId.SearchRemotely, (args?: unknown) => searchRemotely(deps, argsOf(args))),
  ];
}
