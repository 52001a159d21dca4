/**
 * Reads the detection rule files: the built-in library shipped in the extension (`detections/`),
 * the SigmaHQ pack (`detections/sigmahq/`, or the one imported into global storage; off with
 * `cloudtrailLens.detections.sigmaHqPack`) and the user's folder (`cloudtrailLens.detectionsFolder`:
 * `.json` rules and `.yml`/`.yaml` Sigma rules), through `vscode.workspace.fs` so remote and
 * virtual workspaces work. Validation and precedence are core's (detections/rules.ts, pack.ts).
 */
import * as vscode from 'vscode';
import { detectionsFolder, sigmaHqPack } from '../common/config';
import { loadPack, packVersion, SIGMAHQ, type PackRules } from '../core/investigate/detections/pack';
import { loadRules, MAX_RULE_FILE_BYTES, type RuleFile, type RuleLibrary } from '../core/investigate/detections/rules';

/** Where an imported SigmaHQ pack is kept, under the extension's global storage. */
export function importedPackFolder(storage: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(storage, 'sigmahq');
}

let packStorage: vscode.Uri | undefined;
/** The composition root names the global storage once, so every reader finds an imported pack. */
export function useSigmaPackStorage(storage: vscode.Uri): void {
  packStorage = storage;
}

/** A rule library plus the problems reading the folders (each a sentence for the user). */
export interface LoadedRules extends RuleLibrary {
  readProblems: string[];
}

async function readFolder(folder: vscode.Uri, problems: string[], label: string): Promise<RuleFile[]> {
  let entries: Array<[string, vscode.FileType]>;
  try {
    entries = await vscode.workspace.fs.readDirectory(folder);
  } catch (e) {
    problems.push(`The ${label} folder ${folder.fsPath || folder.toString()} cannot be read: ${(e as Error).message}`);
    return [];
  }
  const files: RuleFile[] = [];
  for (const [name, type] of entries) {
    if (type !== vscode.FileType.File || !/\.(json|ya?ml)$/i.test(name)) continue;
    const uri = vscode.Uri.joinPath(folder, name);
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.size > MAX_RULE_FILE_BYTES) {
        problems.push(
          `${name}: ${stat.size.toLocaleString()} bytes is too large for a rule file (at most ${MAX_RULE_FILE_BYTES.toLocaleString()}); left out.`,
        );
        continue;
      }
      files.push({ name, text: new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)) });
    } catch (e) {
      problems.push(`${name}: cannot be read (${(e as Error).message}); left out.`);
    }
  }
  return files;
}

/** The user's rule folder as a URI: absolute, `~/…`, or relative to the first workspace folder. */
function userFolder(setting: string): vscode.Uri | undefined {
  if (!setting) return undefined;
  if (setting.startsWith('~/')) return vscode.Uri.file(`${process.env.HOME ?? ''}${setting.slice(1)}`);
  if (setting.startsWith('/') || /^[A-Za-z]:[\\/]/.test(setting)) return vscode.Uri.file(setting);
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  return root ? vscode.Uri.joinPath(root, setting) : undefined;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  return vscode.workspace.fs.stat(uri).then(
    () => true,
    () => false,
  );
}

/** The SigmaHQ pack: the imported one where there is one, else the shipped one. */
async function readPack(extensionUri: vscode.Uri, problems: string[]): Promise<PackRules | undefined> {
  if (!sigmaHqPack()) return undefined;
  const imported = packStorage ? importedPackFolder(packStorage) : undefined;
  const from = imported && (await exists(vscode.Uri.joinPath(imported, 'README.md'))) ? 'imported' : 'shipped';
  const root = from === 'imported' ? imported! : vscode.Uri.joinPath(extensionUri, 'detections', 'sigmahq');
  const files = await readFolder(vscode.Uri.joinPath(root, 'rules'), problems, 'SigmaHQ pack');
  const readme = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(root, 'README.md')).then(
    (b) => new TextDecoder().decode(b),
    () => '',
  );
  return loadPack(files, { ...SIGMAHQ, ...packVersion(readme), from });
}

/** Loads the built-in rules, the SigmaHQ pack and the user's; never throws. */
export async function loadDetectionRules(extensionUri: vscode.Uri): Promise<LoadedRules> {
  const readProblems: string[] = [];
  const builtIn = await readFolder(
    vscode.Uri.joinPath(extensionUri, 'detections'),
    readProblems,
    'built-in detections',
  );
  const pack = await readPack(extensionUri, readProblems);
  const setting = detectionsFolder();
  const folder = userFolder(setting);
  if (setting && !folder)
    readProblems.push(
      `The detections folder "${setting}" is relative, but no workspace folder is open to resolve it against.`,
    );
  const user = folder ? await readFolder(folder, readProblems, 'detections') : [];
  const lib = loadRules(builtIn, user, pack);
  // A pack's refused rules are named as the pack's, apart from the user's own files.
  lib.problems = lib.problems.map((p) => (p.pack ? { ...p, file: `${p.pack} pack: ${p.file}` } : p));
  return { ...lib, readProblems };
}
