/**
 * The one way a command is registered (docs/architecture.md, "Commands"): every feature hands its
 * handlers to `Commands.register`, which reports a failure the same way everywhere — the stack in
 * the extension's log, the reason in an error message named after the command's title in
 * package.json — and returns undefined to the caller instead of rejecting. Error messages from AWS
 * and the SDK carry no secrets; nothing else about the arguments is logged.
 */
import * as vscode from 'vscode';
import type { CommandId } from './commandIds';

/** A command's handler. VS Code passes whatever the caller gave, so handlers check their arguments. */
// `never[]`: a handler may declare the argument types it checks for (a tree node, a Uri…).
export type CommandHandler = (...args: never[]) => unknown;

interface ContributedCommand {
  command: string;
  title: string;
}

export class Commands {
  private readonly titles: ReadonlyMap<string, string>;

  /** `contributed` is package.json's `contributes.commands` (the extension's `packageJSON`). */
  constructor(
    private readonly output: vscode.LogOutputChannel,
    contributed: readonly ContributedCommand[] = [],
  ) {
    this.titles = new Map(contributed.map((c) => [c.command, c.title.replace(/…$/, '')]));
  }

  /** How messages name `id`: its title without the ellipsis ("Run in Athena"). */
  title(id: CommandId): string {
    return this.titles.get(id) ?? id;
  }

  /** Registers `handler` for `id`; a throw or a rejection is reported, never left unhandled. */
  register(id: CommandId, handler: CommandHandler): vscode.Disposable {
    return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await (handler as (...a: unknown[]) => unknown)(...args);
      } catch (e) {
        this.report(id, e);
        return undefined;
      }
    });
  }

  /** Registers each handler of `table`. */
  registerAll(table: Partial<Record<CommandId, CommandHandler>>): vscode.Disposable[] {
    return Object.entries(table).map(([id, h]) => this.register(id as CommandId, h));
  }

  /** The report of a failed command: the stack to the log, the reason to the user. */
  report(id: CommandId, e: unknown): void {
    const what = this.title(id);
    this.output.error(`${what}: ${(e as Error)?.stack ?? String(e)}`);
    void vscode.window.showErrorMessage(`CloudTrail Lens: ${what} failed: ${(e as Error)?.message ?? String(e)}`);
  }
}
