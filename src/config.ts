/** Typed getters, one per setting (package.json `contributes.configuration`). */
import * as vscode from 'vscode';
import { HARD_MAX_BYTES } from './core/decode';

const section = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('cloudtrailLens');

/** The most bytes one file may decompress to (`cloudtrailLens.maxFileSizeMB`). */
export function maxFileBytes(): number {
  const mb = section().get<number>('maxFileSizeMB', 256);
  const bytes = Math.floor((Number.isFinite(mb) && mb > 0 ? mb : 256) * 1024 * 1024);
  return Math.min(bytes, HARD_MAX_BYTES);
}
