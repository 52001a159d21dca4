/**
 * Opens the identity documents of a log view's events: the access-key report (Markdown) and a
 * least-privilege draft (the policy as a JSON document, its notes — denied calls, events that are
 * no IAM action — as a Markdown document beside it, since JSON holds no comments). The store
 * worker does the work; this asks it and opens what it answers.
 */
import * as vscode from 'vscode';
import type { StoreClient } from '../core/engine/storeClient';
import type { PolicyOf } from '../core/engine/storeProtocol';
import type { KeyReport } from '../core/investigate/identity/keyReport';
import { keyReportMarkdown, policyNotesMarkdown } from './markdown';

/** What a policy draft opened (returned by the command, for tests and other extensions). */
export interface PolicyDocuments {
  policy: vscode.Uri;
  notes: vscode.Uri;
  statements: number;
  events: number;
}

async function openDocument(
  language: 'markdown' | 'json',
  content: string,
  beside = false,
): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument({ language, content });
  await vscode.window.showTextDocument(doc, {
    preview: false,
    viewColumn: beside ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active,
    preserveFocus: beside,
  });
  return doc;
}

/** The report of `key` over `store`'s events, opened as Markdown. */
export async function openKeyReport(
  store: StoreClient,
  key: string,
  view: string,
  output: vscode.LogOutputChannel,
): Promise<KeyReport | undefined> {
  try {
    const report = await store.keyReport(key);
    await openDocument('markdown', keyReportMarkdown(report, view));
    output.info(
      `Access key report of ${key.slice(0, 40)}: ${report.events} events, ${report.sessions.length} sessions minted.`,
    );
    return report;
  } catch (e) {
    output.error(`The access key report failed: ${(e as Error).message}`);
    void vscode.window.showErrorMessage(
      `CloudTrail Lens: the access key report could not be made: ${(e as Error).message}`,
    );
    return undefined;
  }
}

/** A policy drafted from the events `of` names: the JSON document, its notes beside it. */
export async function openPolicyDraft(
  store: StoreClient,
  of: PolicyOf,
  view: string,
  output: vscode.LogOutputChannel,
): Promise<PolicyDocuments | undefined> {
  try {
    const draft = await store.draftPolicy(of);
    if (draft.events === 0) {
      void vscode.window.showInformationMessage('CloudTrail Lens: no events to draft a policy from.');
      return undefined;
    }
    const policy = await openDocument('json', `${draft.json}\n`);
    const notes = await openDocument('markdown', policyNotesMarkdown(draft, view), true);
    output.info(
      `Least-privilege draft from ${draft.events} events (${draft.scope}): ${draft.policy.Statement.length} statements, ${draft.denied.length} denied actions, ${draft.unmapped.length} unmapped events, ${draft.parsed} events read.`,
    );
    return { policy: policy.uri, notes: notes.uri, statements: draft.policy.Statement.length, events: draft.events };
  } catch (e) {
    output.error(`Drafting a policy failed: ${(e as Error).message}`);
    void vscode.window.showErrorMessage(`CloudTrail Lens: the policy could not be drafted: ${(e as Error).message}`);
    return undefined;
  }
}
