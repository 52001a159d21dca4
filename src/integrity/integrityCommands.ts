/**
 * "Validate Log File Integrity…": online on a trail (its bucket in S3, public keys from
 * ListPublicKeys), or offline on a local folder (from the explorer's context menu, or picked).
 * Runs with cancellable progress and opens the report.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { S3Cache } from '../awsSdk/s3Cache';
import { s3IntegritySource } from '../awsSdk/s3IntegritySource';
import { CommandId } from '../common/commandIds';
import type { Commands } from '../common/commands';
import * as config from '../common/config';
import { folderSource } from '../core/integrity/folderSource';
import { type IntegrityReport, summaryLine } from '../core/integrity/report';
import { type IntegritySource, validateIntegrity } from '../core/integrity/validate';
import type { Accounts } from '../common/accounts';
import { trailFromArg } from '../common/trailPicker';
import { pickScope, resolveTrail, type ScopeArgs } from '../s3/trailScope';
import type { IntegrityReports } from './reportPanel';

export interface IntegrityCommandDeps {
  accounts: Accounts;
  /** Per-workspace memory (the last trail picked). */
  state: vscode.Memento;
  reports: IntegrityReports;
  output: vscode.LogOutputChannel;
  defaultCacheDir: string;
}

/** Runs a validation under a cancellable notification; undefined when cancelled. */
async function run(
  deps: IntegrityCommandDeps,
  title: string,
  make: (signal: AbortSignal) => IntegritySource,
  opts: Omit<Parameters<typeof validateIntegrity>[1], 'maxLogBytes'>,
): Promise<IntegrityReport | undefined> {
  try {
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, token) => {
        const ac = new AbortController();
        token.onCancellationRequested(() => ac.abort());
        let last = 0;
        return validateIntegrity(make(ac.signal), {
          ...opts,
          maxLogBytes: config.maxFileBytes(),
          signal: ac.signal,
          progress: (done, total) => {
            const pct = (done / Math.max(total, 1)) * 100;
            progress.report({ increment: Math.max(0, pct - last), message: `${done}/${total} files checked` });
            last = Math.max(last, pct);
          },
        });
      },
    );
    deps.output.info(`Integrity of ${report.source}: ${summaryLine(report)}`);
    deps.reports.show(report, `Integrity: ${basename(report.source.replace(/:trail\//, '/'))}`);
    return report;
  } catch (e) {
    if ((e as Error).name === 'AbortError') return undefined;
    // Reported like every command's failure (common/commands.ts).
    throw e;
  }
}

async function online(deps: IntegrityCommandDeps, arg: unknown, args: ScopeArgs): Promise<IntegrityReport | undefined> {
  const ctx = await resolveTrail(arg, deps, 'Validate which trail?');
  if (!ctx) return undefined;
  try {
    if (ctx.trail.LogFileValidationEnabled === false) {
      const go = args.yes
        ? 'Validate Anyway'
        : await vscode.window.showWarningMessage(
            `Log file validation is OFF on ${ctx.name}: CloudTrail writes no digests for hours when it is off, so those hours cannot be validated.`,
            'Validate Anyway',
          );
      if (!go) return undefined;
    }
    const scope = await pickScope(ctx, args, `Validate ${ctx.name}`);
    if (!scope) return undefined;
    const cache = new S3Cache(
      config.s3CacheFolder(deps.defaultCacheDir),
      config.s3CacheMaxBytes(),
      config.s3CacheFolder(deps.defaultCacheDir) === deps.defaultCacheDir,
    );
    const report = await run(
      deps,
      `Validating ${ctx.name} (s3://${scope.location.bucket})…`,
      (signal) =>
        s3IntegritySource(ctx.s3, ctx.cloudTrail, {
          trailArn: ctx.trailArn,
          location: scope.location,
          accounts: scope.accounts,
          regions: scope.regions,
          window: scope.window,
          maxLogBytes: config.maxFileBytes(),
          cache,
          signal,
        }),
      {
        window: scope.window,
        expected: scope.accounts.flatMap((account) => scope.regions.map((region) => ({ account, region }))),
      },
    );
    await cache.evict().catch(() => undefined);
    return report;
  } finally {
    ctx.s3.dispose();
  }
}

async function offline(deps: IntegrityCommandDeps, folder: vscode.Uri): Promise<IntegrityReport | undefined> {
  if (folder.scheme !== 'file') {
    void vscode.window.showErrorMessage('Offline validation reads local folders only.');
    return undefined;
  }
  return run(
    deps,
    `Validating ${folder.fsPath}…`,
    (signal) => folderSource(folder.fsPath, signal, { maxLogBytes: config.maxFileBytes() }),
    {},
  );
}

export function registerIntegrityCommands(commands: Commands, deps: IntegrityCommandDeps): vscode.Disposable[] {
  return [
    commands.register(CommandId.ValidateIntegrity, async (arg?: unknown, args?: ScopeArgs) => {
      const scopeArgs = typeof args === 'object' && args ? args : {};
      if (trailFromArg(arg)) return online(deps, arg, scopeArgs);
      if (arg instanceof vscode.Uri) return offline(deps, arg);
      const how = await vscode.window.showQuickPick(
        [
          {
            label: 'A trail, in its S3 bucket (online)',
            online: true,
            detail: 'Digests and logs from S3, public keys from CloudTrail',
          },
          {
            label: 'A local folder of logs and digests (offline)',
            online: false,
            detail: 'Downloaded or exported files; signatures when their metadata was saved alongside',
          },
        ],
        { title: 'Validate log file integrity of…' },
      );
      if (!how) return undefined;
      if (how.online) return online(deps, undefined, scopeArgs);
      const picked = await vscode.window.showOpenDialog({
        canSelectFolders: true,
        canSelectFiles: false,
        title: 'A folder of CloudTrail logs and digest files',
        openLabel: 'Validate',
      });
      return picked?.[0] ? offline(deps, picked[0]) : undefined;
    }),
  ];
}
