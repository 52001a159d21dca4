/**
 * The questions before a remote search: the query (the active log view's, to start with) and the
 * time window (core/ui/remoteWindow.ts decides the choices).
 */
import * as vscode from 'vscode';
import { parseQuery } from '../core/query/query';
import { customWindow, type TimeWindow, whenProblem, windowChoices } from '../core/ui/remoteWindow';
import type { Sessions } from '../logViewer/sessions';

/** The query to run: `given`, else typed (the active view's query offered). Undefined when cancelled. */
export async function askQuery(
  sessions: Sessions,
  given: string | undefined,
  title: string,
): Promise<string | undefined> {
  if (given !== undefined) return given;
  const value = sessions.active()?.shownQuery()?.query.text ?? '';
  return vscode.window.showInputBox({
    title,
    value,
    prompt: 'A CloudTrail Lens search (README "Search"); empty: every event in the window',
    placeHolder: 'eventName:StopLogging,DeleteTrail -error:*',
    ignoreFocusOut: true,
    // Unlike the log viewer, a term that cannot be read is not left out: remotely that reads (and bills) more.
    validateInput: (v) => {
      const errors = parseQuery(v).errors;
      return errors.length ? errors.join(' ') : undefined;
    },
  });
}

/** The window chosen for `query`, and how titles name it; undefined when cancelled. */
export async function askWindow(
  query: string,
  title: string,
  allTimeNote: string,
): Promise<{ window: TimeWindow; short: string } | undefined> {
  const now = Date.now();
  const choices = windowChoices(parseQuery(query, now), now, allTimeNote);
  const pick = await vscode.window.showQuickPick(
    choices.map((c) => ({ label: c.label, description: c.description, choice: c })),
    { title, ignoreFocusOut: true },
  );
  if (!pick) return undefined;
  if (pick.choice.window) return { window: pick.choice.window, short: pick.choice.short };
  const start = await vscode.window.showInputBox({
    title: `${title}: start (UTC)`,
    prompt: 'e.g. 2024-03-01 or 2024-03-01T10:00Z',
    validateInput: whenProblem,
    ignoreFocusOut: true,
  });
  if (start === undefined) return undefined;
  const end = await vscode.window.showInputBox({
    title: `${title}: end (UTC)`,
    prompt: 'Empty for now',
    ignoreFocusOut: true,
    validateInput: (v) => {
      const r = customWindow(start, v, Date.now());
      return 'error' in r ? r.error : undefined;
    },
  });
  if (end === undefined) return undefined;
  const r = customWindow(start, end, Date.now());
  return 'error' in r ? undefined : r;
}
