/**
 * "Run in Athena" above each statement of a `.sql` document. Documents the extension opened name
 * where they run (trail, profile, region, workgroup, database); others ask for a trail the first
 * time (runSqlStatement).
 */
import * as vscode from 'vscode';
import { CommandId } from '../common/commandIds';
import { splitSqlStatements } from '../core/ui/sqlStatements';
import type { SqlDocuments } from './remoteDeps';

export class SqlCodeLens implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(private readonly docs: SqlDocuments) {
    this.onDidChangeCodeLenses = docs.onDidChange;
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const ctx = this.docs.get(doc.uri);
    const where = ctx
      ? ` (${ctx.trail.name} · ${ctx.trail.profile} · ${ctx.trail.region} · ${ctx.workGroup}/${ctx.database})`
      : '…';
    return splitSqlStatements(doc.getText()).map((s, i) => {
      const at = doc.positionAt(s.start);
      return new vscode.CodeLens(new vscode.Range(at, at), {
        title: `$(play) Run in Athena${where}`,
        tooltip: 'Run this statement in Amazon Athena',
        command: CommandId.RunSqlInAthena,
        arguments: [doc.uri, i],
      });
    });
  }
}

/** Registers the lens on SQL documents, saved or not. */
export function registerSqlCodeLens(docs: SqlDocuments): vscode.Disposable {
  return vscode.languages.registerCodeLensProvider(
    [
      { language: 'sql', scheme: 'file' },
      { language: 'sql', scheme: 'untitled' },
    ],
    new SqlCodeLens(docs),
  );
}
