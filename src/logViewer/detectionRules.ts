/**
 * Reads the detection rule files: the built-in library shipped in the extension (`detections/`)
 * and the user's folder (`cloudtrailLens.detectionsFolder`: `.json` rules and `.yml`/`.yaml`
 * Sigma rules), through `vscode.workspace.fs` so remote and virtual workspaces work. Validation
 * and precedence are core's (detections/rules.ts).
 */
import * as vscode from 'vscode';
import { detectionsFolder } from '../common/config';
import { loadRules, MAX_RULE_FILE_BYTES, type RuleFile, type RuleLibrary } from '../core/investigate/detections/rules';

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
        problems.push(`${name}: ${stat.size.toLocaleString()} bytes is too large for a rule file (at most ${MAX_RULE_FILE_BYTES.toLocaleString()}); left out.`);
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

/** Loads the built-in rules and the user's; never throws. */
export async function loadDetectionRules(extensionUri: vscode.Uri): Promise<LoadedRules> {
  const readProblems: string[] = [];
  const builtIn = await readFolder(vscode.Uri.joinPath(extensionUri, 'detections'), readProblems, 'built-in detections');
  const setting = detectionsFolder();
  const folder = userFolder(setting);
  if (setting && !folder) readProblems.push(`The detections folder "${setting}" is relative, but no workspace folder is open to resolve it against.`);
  const user = folder ? await readFolder(folder, readProblems, 'detections') : [];
  return { ...loadRules(builtIn, user), readProblems };
}
