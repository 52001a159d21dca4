/**
 * The IP data the user controls: "Refresh AWS IP Ranges" downloads AWS's ip-ranges.json (the URL is
 * a setting, so tests and mirrors can point elsewhere), checks it, and replaces the copy in global
 * storage in one rename; the MMDB setting takes effect as it changes. Both end in IpData.changed,
 * which re-enriches every open view.
 */
import { randomUUID } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { awsRangesDate, checkRangesDownload } from '../core/enrich/awsRanges';
import { CommandId } from '../common/commandIds';
import type { Commands } from '../common/commands';
import { ipRangesUrl, userMmdbPath } from '../common/config';
import type { IpData } from '../common/ipData';

/** ip-ranges.json is about 2.6 MB (2026); anything past this is not it. */
const MAX_BYTES = 64 * 1024 * 1024;
const TIMEOUT_MS = 60_000;

export function registerIpDataCommands(
  commands: Commands,
  ipData: IpData,
  output: vscode.LogOutputChannel,
): vscode.Disposable[] {
  // A broken MMDB named at start-up is said at once, not only in the hovers.
  if (userMmdbPath()) setTimeout(() => warnMmdb(ipData, output), 0);
  return [
    commands.register(CommandId.RefreshAwsIpRanges, () => refreshAwsIpRanges(ipData, output)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('cloudtrailLens.enrichment.mmdbPath'))
        void ipData.changed().then(() => warnMmdb(ipData, output));
    }),
  ];
}

/** Says when the user's MMDB cannot be used (the columns fall back to the shipped data); opens the host's data to know. */
function warnMmdb(ipData: IpData, output: vscode.LogOutputChannel): void {
  const problems = ipData.enricher().sources.problems.filter((p) => p.startsWith('your MMDB'));
  if (problems.length === 0) return;
  output.warn(`IP data: ${problems.join('; ')}`);
  void vscode.window.showWarningMessage(
    `CloudTrail Lens: ${problems.join('; ')}. The Country and Network columns use the shipped data until the setting cloudtrailLens.enrichment.mmdbPath names a MaxMind-format database.`,
  );
}

async function refreshAwsIpRanges(ipData: IpData, output: vscode.LogOutputChannel): Promise<void> {
  const url = ipRangesUrl();
  const text = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: 'CloudTrail Lens: downloading AWS IP ranges',
      cancellable: true,
    },
    (_progress, token) => download(url, token),
  );
  if (text === undefined) return;
  const checked = checkRangesDownload(text);
  if (!checked.ok)
    throw new Error(`${url} did not give AWS's ip-ranges.json: ${checked.reason}. The ranges in use are unchanged.`);
  const target = ipData.rangesFile;
  await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(target, '..'));
  // Written beside the target and renamed over it: a failure half-way leaves the old file whole.
  const temp = `${target.fsPath}.${randomUUID()}.tmp`;
  try {
    await writeFile(temp, text, 'utf8');
    await rename(temp, target.fsPath);
  } finally {
    await rm(temp, { force: true });
  }
  await ipData.changed();
  const when = awsRangesDate(checked.createDate);
  output.info(`AWS IP ranges refreshed from ${url}: ${when}, ${checked.prefixCount} prefixes.`);
  void vscode.window.showInformationMessage(
    `CloudTrail Lens: AWS IP ranges updated (published ${when}, ${checked.prefixCount.toLocaleString('en-US')} prefixes). Open views use them now.`,
  );
}

/** The body of `url`, or undefined when the user cancelled; a failure says what happened. */
async function download(url: string, token: vscode.CancellationToken): Promise<string | undefined> {
  const abort = new AbortController();
  const sub = token.onCancellationRequested(() => abort.abort());
  const timer = setTimeout(() => abort.abort(new Error('timeout')), TIMEOUT_MS);
  /** Why the network gave nothing (undefined: the user cancelled). */
  const unreached = (e: unknown): undefined => {
    if (token.isCancellationRequested) return undefined;
    if (abort.signal.aborted)
      throw new Error(`${url} did not answer within ${TIMEOUT_MS / 1000} s. Check the network or proxy and try again.`);
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(
      `${url} could not be reached (${cause?.code ?? cause?.message ?? (e as Error).message}). The ranges in use are unchanged; try again when online.`,
    );
  };
  try {
    const res = await fetch(url, { signal: abort.signal, redirect: 'follow' }).catch(unreached);
    if (!res) return undefined;
    if (!res.ok) throw new Error(`${url} answered HTTP ${res.status} ${res.statusText}`.trim());
    const declared = Number(res.headers.get('content-length') ?? 0);
    if (declared > MAX_BYTES) throw new Error(`${url} sent ${declared} bytes, more than ip-ranges.json ever holds`);
    const body = await res.arrayBuffer().catch(unreached);
    if (!body) return undefined;
    if (body.byteLength > MAX_BYTES) throw new Error(`${url} sent more than ip-ranges.json ever holds`);
    return new TextDecoder('utf-8').decode(body);
  } finally {
    clearTimeout(timer);
    sub.dispose();
  }
}
