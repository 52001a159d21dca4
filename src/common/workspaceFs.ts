/** The loader's file system over `vscode.workspace.fs`: local, remote and virtual workspaces alike. */
import * as vscode from 'vscode';
import type { EntryKind, LogFileSystem } from '../core/ingest/loader';

function kindOf(type: vscode.FileType): EntryKind {
  if (type & vscode.FileType.Directory) return 'directory';
  if (type & vscode.FileType.File) return 'file';
  return 'other';
}

/** Labels files relative to the roots they were opened from, so folders read naturally. */
export function workspaceFs(roots: readonly vscode.Uri[]): LogFileSystem<vscode.Uri> {
  const parents = roots.map((r) => vscode.Uri.joinPath(r, '..').path.replace(/\/$/, ''));
  return {
    async stat(loc) {
      const s = await vscode.workspace.fs.stat(loc);
      return { kind: kindOf(s.type), size: s.size };
    },
    async list(loc) {
      const entries = await vscode.workspace.fs.readDirectory(loc);
      return entries.map(([name, type]) => ({ loc: vscode.Uri.joinPath(loc, name), name, kind: kindOf(type) }));
    },
    read: (loc) => Promise.resolve(vscode.workspace.fs.readFile(loc)),
    label(loc) {
      const parent = parents.find((p) => loc.path.startsWith(`${p}/`));
      return parent !== undefined ? loc.path.slice(parent.length + 1) : loc.path;
    },
  };
}
