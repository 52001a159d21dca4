/**
 * "Run in Athena" above each statement of a `.sql` document. Documents the extension opened name
 * where they run (trail, profile, region, workgroup, database); others ask for a trail the first
 * time (runSqlStatement).
 */
import * as vscode from 'vscode';
import { CommandId } from '../common/commandIds';
import { generatedStatement, splitSqlStatements } from '../core/ui/sqlStatements';
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
    const generated = ctx?.compiled?.map((c) => c.compiled.sql) ?? [];
    return splitSqlStatements(doc.getText()).map((s, i) => {
      const at = doc.positionAt(s.start);
      // The estimate belongs to the search the statement came from; an edited statement has none.
      const est = ctx?.estimates?.[generatedStatement(generated, s.sql)];
      return new vscode.CodeLens(new vscode.Range(at, at), {
        title: `$(play) Run in Athena${where}${est ? ` \u00b7 ${est.short}` : ''}`,
        tooltip: est ? `Run this statement in Amazon Athena. ${est.text}` : 'Run this statement in Amazon Athena',
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
