/**
 * "Who is behind it" commands, acting on the active log view: the identity graph of its
 * investigation, the access-key report of any key (prefilled with the event view's), and a
 * least-privilege policy drafted from its current results. The event view offers the key report
 * and drafts for its event's principal and session itself (eventView/eventPanel.ts).
 */
import * as vscode from 'vscode';
import type { KeyReport } from '../core/investigate/identity/keyReport';
import type { EventPanel } from '../eventView/eventPanel';
import { openKeyReport, openPolicyDraft, type PolicyDocuments } from './documents';
import type { IdentityGraphs } from './graphPanel';
import type { Sessions } from '../logViewer/sessions';
import type { ViewerSession } from '../logViewer/viewerSession';
import { CommandId } from '../common/commandIds';
import type { Commands } from '../common/commands';

export interface IdentityCommandDeps {
  sessions: Sessions;
  graphs: IdentityGraphs;
  eventPanel: EventPanel;
  output: vscode.LogOutputChannel;
}

function activeView(sessions: Sessions): ViewerSession | undefined {
  const s = sessions.active();
  if (!s)
    void vscode.window.showInformationMessage(
      'CloudTrail Lens: open CloudTrail logs in a log view first (CloudTrail: Open Log Files…).',
    );
  return s;
}

export function registerIdentityCommands(
  commands: Commands,
  { sessions, graphs, eventPanel, output }: IdentityCommandDeps,
): vscode.Disposable[] {
  return [
    commands.register(CommandId.ShowIdentityGraph, (): boolean => {
      const s = activeView(sessions);
      if (s) graphs.show(s);
      return !!s;
    }),
    commands.register(CommandId.AccessKeyReport, async (key?: unknown): Promise<KeyReport | undefined> => {
      const s = activeView(sessions);
      if (!s) return undefined;
      const chosen =
        typeof key === 'string' && key
          ? key
          : await vscode.window.showInputBox({
              title: 'Access key report',
              prompt: `An access key id (AKIA… or ASIA…) to report on, from the events of ${s.title}`,
              value: eventPanel.shownAccessKey(),
              ignoreFocusOut: true,
              validateInput: (v) =>
                v.trim() === ''
                  ? 'An access key id'
                  : v.trim().length > 256
                    ? 'Access key ids are at most 128 characters'
                    : undefined,
            });
      if (!chosen?.trim()) return undefined;
      return openKeyReport(s.store, chosen.trim(), s.title, output);
    }),
    commands.register(CommandId.DraftPolicy, async (): Promise<PolicyDocuments | undefined> => {
      const s = activeView(sessions);
      if (!s) return undefined;
      const shown = s.shownQuery();
      if (!shown) {
        void vscode.window.showInformationMessage('CloudTrail Lens: the log view shows no results yet.');
        return undefined;
      }
      return openPolicyDraft(s.store, { kind: 'query', ...shown.query }, s.title, output);
    }),
  ];
}
