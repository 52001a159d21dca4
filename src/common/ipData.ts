/**
 * The IP data every feature reads: the shipped data sets, the user's own MMDB (a setting) and a
 * refreshed AWS ip-ranges.json (the refresh command writes it to global storage). Each store
 * worker is handed the paths as it starts; a change reaches every live store, then the listeners
 * (the log views re-run their query and detections). The event view enriches on the host, with an
 * enricher made on first use.
 */
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { StoreClient } from '../core/engine/storeClient';
import type { IpEnricher } from '../core/enrich/enricher';
import { defaultEnricher, type IpDataPaths } from '../core/enrich/loadSources';
import { userMmdbPath } from './config';

export class IpData {
  private readonly stores = new Set<StoreClient>();
  private readonly listeners: Array<() => void> = [];
  private hostEnricher: IpEnricher | undefined;

  constructor(private readonly storageDir: vscode.Uri) {}

  /** Where the refresh command keeps AWS's ranges (used instead of the shipped snapshot when present). */
  get rangesFile(): vscode.Uri {
    return vscode.Uri.joinPath(this.storageDir, 'aws-ip-ranges.json');
  }

  /** The user's files as the stores take them. */
  paths(): IpDataPaths {
    const userMmdb = userMmdbPath();
    const awsRanges = this.rangesFile.fsPath;
    return { ...(userMmdb ? { userMmdb } : {}), ...(existsSync(awsRanges) ? { awsRanges } : {}) };
  }

  /** Hands `store` the current paths and keeps it for later changes. */
  attach(store: StoreClient): StoreClient {
    this.stores.add(store);
    void store.setIpData(this.paths()).catch(() => undefined);
    return store;
  }

  /** The host's enricher (the event view's card), made on first use. */
  enricher(): IpEnricher {
    return (this.hostEnricher ??= defaultEnricher(this.paths()));
  }

  /** The files changed: every live store and the host look addresses up again (on next use), then the listeners run. */
  async changed(): Promise<void> {
    this.hostEnricher = undefined;
    const paths = this.paths();
    for (const s of [...this.stores]) if (s.stopped !== undefined) this.stores.delete(s);
    await Promise.all([...this.stores].map((s) => s.setIpData(paths).catch(() => undefined)));
    for (const l of this.listeners) l();
  }

  onDidChange(listener: () => void): vscode.Disposable {
    this.listeners.push(listener);
    return {
      dispose: () => {
        const at = this.listeners.indexOf(listener);
        if (at >= 0) this.listeners.splice(at, 1);
      },
    };
  }
}
