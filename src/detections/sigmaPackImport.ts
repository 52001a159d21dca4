/**
 * "Import SigmaHQ Rules…": a newer SigmaHQ pack from a folder (a checkout, or its
 * rules/cloud/aws/cloudtrail folder) or a SigmaHQ release `.zip`, read with core's ZIP reader
 * (bounded sizes, traversal names refused). The rules are checked as the loader will read them;
 * an import where none loads changes nothing. The pack is kept in the extension's global storage
 * and replaces the shipped one (logViewer/detectionRules.ts) until imported again.
 */
import * as vscode from 'vscode';
import { readZip } from '../core/ingest/zipArchive';
import { importedPackReadme, isPackRulePath, loadPack, SIGMAHQ } from '../core/investigate/detections/pack';
import { MAX_RULE_FILE_BYTES, type RuleFile } from '../core/investigate/detections/rules';
import { CommandId } from '../common/commandIds';
import type { Commands } from '../common/commands';
import { importedPackFolder } from '../logViewer/detectionRules';

/** What an import did (returned for tests). */
export interface PackImportResult {
  loaded: number;
  refused: Array<{ file: string; problems: string[] }>;
  /** Archive members or files that were not read (too large, unsafe names), each with why. */
  skipped: Array<{ name: string; reason: string }>;
}

/** Archives and folders are bounded like the rules themselves: a pack is a few hundred small files. */
const PACK_ZIP_LIMITS = { maxEntries: 50_000, maxEntryBytes: MAX_RULE_FILE_BYTES, maxTotalBytes: 512 * 1024 * 1024 };

async function fromZip(uri: vscode.Uri, skipped: PackImportResult['skipped']): Promise<RuleFile[]> {
  const stat = await vscode.workspace.fs.stat(uri);
  if (stat.size > PACK_ZIP_LIMITS.maxTotalBytes)
    throw new Error(
      `${uri.fsPath} is ${Math.round(stat.size / 1024 / 1024)} MB; a SigmaHQ release archive is far smaller.`,
    );
  const files: RuleFile[] = [];
  const problems = await readZip(
    await vscode.workspace.fs.readFile(uri),
    (m) => void files.push({ name: m.name.split('/').pop()!, text: new TextDecoder().decode(m.bytes) }),
    {
      limits: PACK_ZIP_LIMITS,
      accept: (name) => isPackRulePath(name),
    },
  );
  skipped.push(...problems);
  return files;
}

async function fromFolder(root: vscode.Uri, skipped: PackImportResult['skipped']): Promise<RuleFile[]> {
  const files: RuleFile[] = [];
  const isCloudTrail = /\/cloudtrail\/?$/i.test(root.path);
  const walk = async (dir: vscode.Uri, rel: string, depth: number): Promise<void> => {
    if (depth > 12) return;
    for (const [name, type] of await vscode.workspace.fs.readDirectory(dir)) {
      const path = rel ? `${rel}/${name}` : name;
      const uri = vscode.Uri.joinPath(dir, name);
      if (type === vscode.FileType.Directory && !name.startsWith('.') && name !== 'node_modules')
        await walk(uri, path, depth + 1);
      else if (type === vscode.FileType.File && isPackRulePath(path, isCloudTrail)) {
        const size = (await vscode.workspace.fs.stat(uri)).size;
        if (size > MAX_RULE_FILE_BYTES)
          skipped.push({
            name: path,
            reason: `${size.toLocaleString()} bytes is too large for a rule file; not read.`,
          });
        else files.push({ name, text: new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)) });
      }
    }
  };
  await walk(root, '', 0);
  return files;
}

/** Imports a pack from `source` (a folder or a .zip); throws with a sentence for the user. */
export async function importSigmaPack(source: vscode.Uri, storage: vscode.Uri): Promise<PackImportResult> {
  const skipped: PackImportResult['skipped'] = [];
  const isZip = /\.zip$/i.test(source.path);
  const files = isZip ? await fromZip(source, skipped) : await fromFolder(source, skipped);
  const pack = loadPack(files, { ...SIGMAHQ, from: 'imported' });
  if (pack.rules.length === 0) {
    throw new Error(
      `${source.fsPath} holds no readable SigmaHQ CloudTrail rule (looked for rules/cloud/aws/cloudtrail/*.yml${files.length ? `; ${files.length} found, none readable: ${pack.refused[0]?.file}: ${pack.refused[0]?.problems[0]}` : ''}). The current pack is unchanged.`,
    );
  }
  const target = importedPackFolder(storage);
  const next = vscode.Uri.joinPath(storage, 'sigmahq-next');
  await vscode.workspace.fs.delete(next, { recursive: true, useTrash: false }).then(undefined, () => undefined);
  for (const f of files)
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(next, 'rules', f.name), new TextEncoder().encode(f.text));
  await vscode.workspace.fs.writeFile(
    vscode.Uri.joinPath(next, 'README.md'),
    new TextEncoder().encode(importedPackReadme(source.fsPath, pack.rules.length, pack.refused, new Date())),
  );
  // Swapped in whole: a failed write above leaves the previous pack in place.
  await vscode.workspace.fs.delete(target, { recursive: true, useTrash: false }).then(undefined, () => undefined);
  await vscode.workspace.fs.rename(next, target, { overwrite: true });
  return { loaded: pack.rules.length, refused: pack.refused, skipped };
}

export function registerSigmaPackImport(
  commands: Commands,
  storage: vscode.Uri,
  output: vscode.LogOutputChannel,
  reanalyze: () => void,
): vscode.Disposable[] {
  return [
    commands.register(CommandId.ImportSigmaHqRules, async (arg?: unknown): Promise<PackImportResult | undefined> => {
      let source = arg instanceof vscode.Uri ? arg : undefined;
      if (!source) {
        const kind = await vscode.window.showQuickPick(
          [
            { label: 'From a release archive (.zip)…', zip: true },
            { label: 'From a folder (a SigmaHQ checkout)…', zip: false },
          ],
          { title: 'Import SigmaHQ rules' },
        );
        if (!kind) return undefined;
        const picked = await vscode.window.showOpenDialog({
          canSelectFiles: kind.zip,
          canSelectFolders: !kind.zip,
          filters: kind.zip ? { 'ZIP archives': ['zip'] } : undefined,
          openLabel: 'Import',
        });
        source = picked?.[0];
        if (!source) return undefined;
      }
      let result: PackImportResult;
      try {
        result = await importSigmaPack(source, storage);
      } catch (e) {
        void vscode.window.showErrorMessage(`SigmaHQ rules were not imported: ${(e as Error).message}`);
        return undefined;
      }
      for (const r of result.refused) output.warn(`SigmaHQ pack: ${r.file} refused: ${r.problems.join(' ')}`);
      for (const s of result.skipped) output.warn(`SigmaHQ pack: ${s.name} not read: ${s.reason}`);
      const notes = [
        result.refused.length ? `${result.refused.length} could not be read as written (listed in the output)` : '',
        result.skipped.length ? `${result.skipped.length} archive members were not read` : '',
      ].filter(Boolean);
      void vscode.window.showInformationMessage(
        `Imported ${result.loaded} SigmaHQ CloudTrail rules from ${source.fsPath}${notes.length ? `; ${notes.join('; ')}` : ''}.`,
      );
      reanalyze();
      return result;
    }),
  ];
}
