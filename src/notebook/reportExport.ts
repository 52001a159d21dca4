/**
 * "Export Notebook Report…" (README "Notebooks"): the notebook in front as Markdown and as one
 * script-free HTML file (core/notebook/report.ts), with the provenance of its evidence: each log
 * file its searches read, hashed here from the bytes on disk, and the digest chain's verdict on it
 * where the folder holds CloudTrail digest files (core/integrity, offline validation).
 */
import * as vscode from 'vscode';
import { expandRoots } from '../core/ingest/loader';
import { folderSource } from '../core/integrity/folderSource';
import { summaryLine, type Verdict } from '../core/integrity/report';
import { validateIntegrity } from '../core/integrity/validate';
import { resolveSourcePath, type CellSource, type Notebook } from '../core/notebook/notebookFile';
import { evidenceOf, reportHtml, reportMarkdown, type EvidenceFile } from '../core/notebook/report';
import { maxFileBytes } from '../common/config';
import { workspaceFs } from '../common/workspaceFs';

/** Every log root the notebook's query cells read (the notebook's own source and each cell's). */
function rootsOf(nb: Notebook, notebookUri: vscode.Uri): { roots: vscode.Uri[]; problems: string[] } {
  const dir = vscode.Uri.joinPath(notebookUri, '..');
  const sources: CellSource[] = [
    ...(nb.from ? [nb.from] : []),
    ...nb.cells.flatMap((c) => (c.kind === 'query' && c.from ? [c.from] : [])),
  ];
  const roots = new Map<string, vscode.Uri>();
  const problems: string[] = [];
  for (const p of new Set(sources.flatMap((s) => s.paths))) {
    const r = resolveSourcePath(dir.path, p);
    if (typeof r === 'string') roots.set(r, dir.with({ path: r }));
    else problems.push(r.problem);
  }
  return { roots: [...roots.values()], problems };
}

/** Integrity verdicts per local log path, from offline validation of each folder root. */
async function verdicts(
  roots: readonly vscode.Uri[],
  signal: AbortSignal,
): Promise<{ byPath: Map<string, { verdict: Verdict; reason: string }>; lines: string[] }> {
  const byPath = new Map<string, { verdict: Verdict; reason: string }>();
  const lines: string[] = [];
  for (const root of roots) {
    if (root.scheme !== 'file') {
      lines.push(`${vscode.workspace.asRelativePath(root)}: not a local folder; not validated.`);
      continue;
    }
    const isDir = await vscode.workspace.fs.stat(root).then(
      (s) => (s.type & vscode.FileType.Directory) !== 0,
      () => false,
    );
    if (!isDir) continue;
    const report = await validateIntegrity(folderSource(root.fsPath, signal, { maxLogBytes: maxFileBytes() }), {
      maxLogBytes: maxFileBytes(),
      signal,
    });
    lines.push(`${vscode.workspace.asRelativePath(root)}: ${summaryLine(report)}`, ...report.notes);
    for (const f of report.findings)
      if (f.kind === 'log') byPath.set(f.location, { verdict: f.verdict, reason: f.reason });
  }
  if (lines.length === 0)
    lines.push(
      'No folder of the notebook holds CloudTrail digest files: the hashes below are what was read, and nothing vouches for them yet.',
    );
  return { byPath, lines };
}

/** Writes `<name>.md` and `<name>.html` for the notebook; answers the Markdown file. */
export async function exportReport(
  nb: Notebook,
  notebookUri: vscode.Uri,
  target: vscode.Uri,
  signal: AbortSignal,
): Promise<{ markdown: vscode.Uri; html: vscode.Uri; files: number }> {
  const { roots, problems } = rootsOf(nb, notebookUri);
  const present: vscode.Uri[] = [];
  for (const r of roots)
    if (
      await vscode.workspace.fs.stat(r).then(
        () => true,
        () => false,
      )
    )
      present.push(r);
    else
      problems.push(
        `${vscode.workspace.asRelativePath(r)} is not there (moved or deleted): its files are not in the evidence.`,
      );
  const fs = workspaceFs(present);
  const { files, problems: listing } = await expandRoots(fs, present);
  const integrity = await verdicts(present, signal);
  const dir = vscode.Uri.joinPath(notebookUri, '..').path;
  const evidence: EvidenceFile[] = [];
  for (const f of files) {
    signal.throwIfAborted();
    const bytes = await fs.read(f);
    const v = integrity.byPath.get(f.fsPath);
    const location = f.path.startsWith(`${dir}/`) ? f.path.slice(dir.length + 1) : f.path;
    evidence.push(evidenceOf(location, bytes, v?.verdict, v?.reason ?? ''));
  }
  const input = {
    title: nb.cells.find((c) => c.kind === 'markdown')?.source.match(/^#\s+(.+)$/m)?.[1] ?? 'CloudTrail investigation',
    notebook: nb,
    notebookLocation: vscode.workspace.asRelativePath(notebookUri),
    evidence,
    integrity: [...problems, ...listing.map((p) => `${p.label}: ${p.reason}`), ...integrity.lines],
    generatedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
  const base = target.path.replace(/\.(md|html)$/i, '');
  const markdown = target.with({ path: `${base}.md` });
  const html = target.with({ path: `${base}.html` });
  await vscode.workspace.fs.writeFile(markdown, new TextEncoder().encode(reportMarkdown(input)));
  await vscode.workspace.fs.writeFile(html, new TextEncoder().encode(reportHtml(input)));
  return { markdown, html, files: evidence.length };
}
