/**
 * "Open Trail Logs from S3…": a trail's log files for a window, accounts and regions, listed,
 * counted, downloaded concurrently into the local cache (with progress and cancel), and opened
 * in a log viewer. Event history keeps 90 days of management events; the bucket keeps it all.
 */
import * as vscode from 'vscode';
import type { S3Object } from '../awsSdk/s3';
import { downloadObjects, S3Cache } from '../awsSdk/s3Cache';
import * as config from '../common/config';
import { formatBytes } from '../core/ingest/decode';
import { keyInWindow, parseTrailKey, windowPrefixes } from '../core/aws/s3Layout';
import type { Accounts } from '../common/accounts';
import { pickScope, resolveTrail, type ScopeArgs, showS3Error, type TrailContext, type TrailScope } from './trailScope';
import type { Sessions } from '../logViewer/sessions';
import type { LoadSummary } from '../logViewer/viewerSession';
import { CommandId } from '../common/commandIds';
import type { Commands } from '../common/commands';

export interface S3CommandDeps {
  accounts: Accounts;
  /** Per-workspace memory (the last trail picked). */
  state: vscode.Memento;
  sessions: Sessions;
  output: vscode.LogOutputChannel;
  /** The cache folder when the setting is empty (the extension's global storage). */
  defaultCacheDir: string;
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

/** The trail's log files in the scope, listed under each day prefix and cut to the window. */
async function listLogs(ctx: TrailContext, scope: TrailScope, token: vscode.CancellationToken): Promise<S3Object[]> {
  const ac = new AbortController();
  token.onCancellationRequested(() => ac.abort());
  const prefixes = windowPrefixes(
    scope.location,
    scope.accounts,
    scope.regions,
    'log',
    scope.window.start,
    scope.window.end,
  );
  const found: S3Object[] = [];
  for (const prefix of prefixes) {
    try {
      for await (const page of ctx.s3.listPages(scope.location.bucket, prefix, ac.signal)) {
        found.push(
          ...page.items.filter((o) => {
            const k = parseTrailKey(o.key);
            return k?.kind === 'log' && keyInWindow(k, scope.window.start, scope.window.end);
          }),
        );
      }
    } catch (e) {
      // The error as thrown (an SDK error), told which prefix it was listing.
      throw Object.assign(e as Error, { prefix });
    }
  }
  return found;
}

async function openFromS3(deps: S3CommandDeps, arg: unknown, args: ScopeArgs): Promise<LoadSummary | undefined> {
  const ctx = await resolveTrail(arg, deps, 'Open logs from S3: which trail?');
  if (!ctx) return undefined;
  try {
    const scope = await pickScope(ctx, args, `Open ${ctx.name} logs from S3`);
    if (!scope) return undefined;
    const where = `s3://${scope.location.bucket}/${scope.location.prefix}`;
    let objects: S3Object[];
    try {
      objects = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Listing ${ctx.name} logs in ${where}…`,
          cancellable: true,
        },
        (_p, token) => listLogs(ctx, scope, token),
      );
    } catch (e) {
      if ((e as Error).name === 'AbortError') return undefined;
      showS3Error(e, ctx, scope.location.bucket, (e as { prefix?: string }).prefix ?? '', 'list');
      return undefined;
    }
    const total = objects.reduce((n, o) => n + o.size, 0);
    const what = `${objects.length.toLocaleString()} log file${objects.length === 1 ? '' : 's'}, ${formatBytes(total)}`;
    if (!objects.length) {
      void vscode.window.showInformationMessage(
        `No log files of ${ctx.name} between ${day(scope.window.start)} and ${day(scope.window.end)} UTC in ${scope.accounts.length} account(s) × ${scope.regions.length} region(s).`,
      );
      return undefined;
    }
    if (!args.yes) {
      const go = await vscode.window.showInformationMessage(
        `${what} in ${where} (${day(scope.window.start)} → ${day(scope.window.end)} UTC, ${scope.accounts.length} account(s), ${scope.regions.length} region(s)). Download and open them?`,
        { modal: true },
        'Download and Open',
      );
      if (go !== 'Download and Open') return undefined;
    }
    const cache = new S3Cache(
      config.s3CacheFolder(deps.defaultCacheDir),
      config.s3CacheMaxBytes(),
      config.s3CacheFolder(deps.defaultCacheDir) === deps.defaultCacheDir,
    );
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Downloading ${what}`, cancellable: true },
      async (progress, token) => {
        const ac = new AbortController();
        token.onCancellationRequested(() => ac.abort());
        let last = 0;
        return downloadObjects(ctx.s3, cache, objects, {
          concurrency: 8,
          maxBytes: config.maxFileBytes(),
          signal: ac.signal,
          progress: (p) => {
            const pct = (p.files / objects.length) * 100;
            progress.report({
              increment: pct - last,
              message: `${p.files}/${objects.length} files, ${formatBytes(p.bytes)}`,
            });
            last = pct;
          },
        }).catch((e: unknown) => {
          if ((e as Error).name === 'AbortError') return undefined;
          throw e;
        });
      },
    );
    if (!result) {
      void vscode.window.showInformationMessage('Download cancelled. Files already downloaded stay in the cache.');
      return undefined;
    }
    if (result.failed.length) {
      const first = result.failed[0];
      deps.output.warn(`${result.failed.length} of ${objects.length} downloads failed.`);
      const text = showS3Error(first.error, ctx, first.object.bucket, first.object.key, 'get');
      deps.output.warn(text);
    }
    if (!result.paths.length) return undefined;
    deps.output.info(
      `Opened ${result.paths.length} log files of ${ctx.trailArn} (${result.fromCache} from the cache in ${cache.dir}).`,
    );
    return await deps.sessions.openPanel(
      result.paths.map((p) => vscode.Uri.file(p)),
      `${ctx.name} · S3 · ${day(scope.window.start)} → ${day(scope.window.end)}`,
    );
  } finally {
    ctx.s3.dispose();
  }
}

export function registerS3Commands(commands: Commands, deps: S3CommandDeps): vscode.Disposable[] {
  return [
    commands.register(CommandId.OpenTrailLogsFromS3, (arg?: unknown, args?: ScopeArgs) =>
      openFromS3(deps, arg, typeof args === 'object' && args ? args : {}),
    ),
  ];
}
