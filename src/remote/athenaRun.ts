/**
 * "Run in Athena…", "Run Detection in Athena…" and the `.sql` CodeLens: the query compiled for the
 * trail's table (terms Athena cannot express named before anything runs), the SQL shown as a
 * document to edit and run again, the query followed with progress and cancel, what it scanned
 * and cost, and the events opened in a log viewer.
 */
import * as vscode from 'vscode';
import { type AthenaApi, AthenaQueryError } from '../awsSdk/athena';
import { runAthenaSearch } from '../awsSdk/remoteSearch';
import * as config from '../common/config';
import { type AthenaErrorContext, describeScan } from '../core/aws/athenaErrors';
import type { AthenaTableRef } from '../core/aws/athenaTable';
import type { CtRecord } from '../core/model/records';
import { compileAthena, type CompiledAthenaQuery } from '../core/query/athenaSql';
import { type AthenaRow, recordFromAthenaRow } from '../core/query/athenaRows';
import { parseQuery } from '../core/query/query';
import { cutMessage, eventCount, parseProblemText, refusalText } from '../core/ui/remoteResults';
import { describeWindow, resultTitle, type TimeWindow } from '../core/ui/remoteWindow';
import {
  createdTable,
  generatedStatement,
  hasEventColumns,
  splitSqlStatements,
  sqlDocumentText,
  statementAt,
  statementKind,
} from '../core/ui/sqlStatements';
import { loadDetectionRules } from '../logViewer/detectionRules';
import type { LoadSummary } from '../logViewer/viewerSession';
import {
  QUERY_TIMEOUT_MS,
  athenaProgressText,
  showAthenaError,
  showExplained,
  withQueryProgress,
} from './athenaProgress';
import { findTable, rememberTable } from './athenaTables';
import { confirmCost, type CostEstimate, estimateQueries, totalEstimate } from './costEstimate';
import { estimateVsActual } from '../core/aws/scanEstimate';
import { askQuery, askWindow } from './prompts';
import { athenaApi, type RemoteDeps, type SqlDocContext } from './remoteDeps';
import { openResults, openRows } from './results';
import { chooseTrail, type TrailChoice } from '../common/trailPicker';

const LIMIT_SETTING = 'cloudtrailLens.athena.maxResults';
const ALL_TIME = 'every file the trail holds: Athena reads them all';

/** Answers a caller may give instead of the questions (the log viewer's query, tests). */
export interface RunArgs {
  query?: string;
  window?: TimeWindow;
}

type Compiled = { query: string; compiled: CompiledAthenaQuery };
type Where = { trail: TrailChoice; database: string; workGroup: string; table?: AthenaTableRef };

function errorContext(w: Where, e: unknown): AthenaErrorContext {
  return {
    workGroup: w.workGroup,
    database: w.database,
    table: w.table?.name,
    region: w.trail.region,
    logsLocation: `s3://${w.trail.trail.S3BucketName ?? '?'}/${w.trail.trail.S3KeyPrefix ?? ''}`,
    timeoutSeconds: QUERY_TIMEOUT_MS / 1000,
    scannedBytes: e instanceof AthenaQueryError && e.kind !== 'failed' ? e.scannedBytes : undefined,
  };
}

/** The trail's table in the configured database, or a message saying how to get one. */
async function tableFor(deps: RemoteDeps, api: AthenaApi, w: Where): Promise<AthenaTableRef | undefined> {
  let table: AthenaTableRef | undefined;
  try {
    table = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Finding the Athena table of ${w.trail.name}…` },
      () => findTable(deps, api, w.trail, w.database),
    );
  } catch (e) {
    showAthenaError(e, { ...errorContext(w, e), operation: 'ListTableMetadata' }, deps.output);
    return undefined;
  }
  if (!table) {
    const base = `s3://${w.trail.trail.S3BucketName ?? '?'}/${w.trail.trail.S3KeyPrefix ? `${w.trail.trail.S3KeyPrefix}/` : ''}AWSLogs/`;
    showExplained(
      {
        title: 'No Athena table',
        detail: `No table in the database "${w.database}" reads the logs of ${w.trail.name} (${base}). Set one up (right-click the trail → Set Up Athena Table…), or set cloudtrailLens.athena.database to the database that holds it.`,
      },
      false,
      deps.output,
      undefined,
      w.trail,
    );
  }
  return table;
}

/** Runs compiled queries one after another (a detection's are a union), merging their events by eventID. */
async function execute(
  deps: RemoteDeps,
  api: AthenaApi,
  w: Where & { table: AthenaTableRef },
  queries: readonly Compiled[],
  title: string,
  estimate?: CostEstimate,
): Promise<LoadSummary | undefined> {
  let scanned = 0;
  const ids: string[] = [];
  let result: { records: CtRecord[]; cut?: string };
  try {
    result = await withQueryProgress(title, async (signal, report) => {
      const seen = new Set<string>();
      const records: CtRecord[] = [];
      let cut: string | undefined;
      for (const [i, q] of queries.entries()) {
        const step = queries.length > 1 ? `query ${i + 1} of ${queries.length} · ` : '';
        const r = await runAthenaSearch(
          api,
          q.compiled,
          { workGroup: w.workGroup, database: w.database },
          { signal, timeoutMs: QUERY_TIMEOUT_MS, onProgress: (p) => report(step + athenaProgressText(p)) },
        );
        scanned += r.scannedBytes;
        ids.push(r.queryId);
        deps.output.info(`Athena ${r.queryId}: ${r.records.length} events, ${describeScan(r.scannedBytes)}.`);
        cut ??= r.cut;
        for (const rec of r.records) {
          if (rec.eventId && seen.has(rec.eventId)) continue;
          if (rec.eventId) seen.add(rec.eventId);
          records.push(rec);
        }
      }
      return { records, cut };
    });
  } catch (e) {
    // The client of this run is disposed by then: a retry makes its own.
    const retry = async (): Promise<void> => {
      const again = athenaApi(deps, w.trail.profile, w.trail.region);
      await execute(deps, again, w, queries, title, estimate).finally(() => again.dispose());
    };
    showAthenaError(e, errorContext(w, e), deps.output, retry, w.trail);
    return undefined;
  }
  const scan = `${describeScan(scanned)}${estimate ? ` (${estimateVsActual(estimate.bytes, scanned).replace(/^scanned [^;]*; /, '')})` : ''}`;
  if (estimate) deps.output.info(`Athena: ${estimateVsActual(estimate.bytes, scanned)}.`);
  if (result.cut) {
    void vscode.window
      .showWarningMessage(cutMessage(result.cut, queries[0].compiled.limit, LIMIT_SETTING), 'Open Setting')
      .then((p) => p && vscode.commands.executeCommand('workbench.action.openSettings', LIMIT_SETTING));
  }
  if (result.records.length === 0) {
    void vscode.window.showInformationMessage(`${title}: Athena found no events. ${scan}.`);
    return undefined;
  }
  const summary = await openResults(deps.sessions, deps.storageUri, 'athena-results', ids[0], result.records, title);
  void vscode.window.showInformationMessage(`${title}: ${eventCount(result.records.length)} · ${scan}.`);
  return summary;
}

/** The late-delivery days setting (package.json cloudtrailLens.athena.lateDeliveryDays), 0–30. */
function lateDeliveryDays(): number {
  const n = vscode.workspace.getConfiguration('cloudtrailLens').get<number>('athena.lateDeliveryDays', 1);
  return Number.isFinite(n) && n >= 0 ? Math.min(Math.floor(n), 30) : 1;
}

/** The document shown before a run: what the SQL is, where it runs, then the statements. */
function sqlDocument(w: Where, queries: readonly Compiled[], windowShort: string): string {
  const head = [
    `Athena SQL for ${queries.length === 1 ? `the search "${queries[0].query}"` : `${queries.length} searches`} over trail ${w.trail.name} (${windowShort || 'all time'})`,
    `Runs in ${w.trail.region}, workgroup "${w.workGroup}", database "${w.database}" as profile ${w.trail.profile}. Edit it and use "Run in Athena" above a statement to run it again.`,
  ];
  return sqlDocumentText(
    head,
    queries.map((q) => q.compiled.sql),
  );
}

/**
 * Compiles `queries` for the trail's table, refuses terms Athena cannot express (each named with
 * why), shows the notes and the SQL, and runs.
 */
export async function runQueries(
  deps: RemoteDeps,
  trail: TrailChoice,
  queries: readonly string[],
  win: { window: TimeWindow; short: string },
  title: string,
  extraNotes: readonly string[] = [],
): Promise<LoadSummary | undefined> {
  const w: Where = { trail, database: config.athenaDatabase(), workGroup: config.athenaWorkGroup() };
  const api = athenaApi(deps, trail.profile, trail.region);
  try {
    const table = await tableFor(deps, api, w);
    if (!table) return undefined;
    const limit = config.athenaMaxResults();
    const parsed = queries.map((query) => ({ query, parsed: parseQuery(query) }));
    const problems = [...new Set(parsed.flatMap((p) => p.parsed.errors))];
    if (problems.length) {
      void vscode.window.showErrorMessage(parseProblemText('Athena', problems));
      return undefined;
    }
    const compiled = parsed.map((p) => ({
      query: p.query,
      compiled: compileAthena(p.parsed, { table, window: win.window, limit, lateDays: lateDeliveryDays() }),
    }));
    const unsupported = [...new Set(compiled.flatMap((c) => c.compiled.unsupported))];
    if (unsupported.length) {
      const text = refusalText('Athena', unsupported);
      deps.output.warn(text);
      void vscode.window.showErrorMessage(text);
      return undefined;
    }
    const notes = [...new Set([...extraNotes, ...compiled.flatMap((c) => c.compiled.notes)])];
    if (notes.length) {
      deps.output.info(`Athena: ${notes.join(' ')}`);
      void vscode.window.showInformationMessage(notes.join(' '));
    }
    const estimates = await estimateQueries(deps, trail, table, compiled);
    await deps.sqlDocs.open(
      sqlDocument({ ...w, table }, compiled, win.short),
      { ...w, table, compiled, windowShort: win.short, estimates },
      false,
    );
    const total = totalEstimate(estimates);
    const go = await confirmCost(total, title);
    if (go === 'window') {
      const again = await askWindow(queries.length === 1 ? queries[0] : '', `${title}: time window`, ALL_TIME);
      if (!again) return undefined;
      return await runQueries(deps, trail, queries, again, title.replace(win.short, again.short), extraNotes);
    }
    if (go !== 'run') return undefined;
    return await execute(deps, api, { ...w, table }, compiled, title, total);
  } finally {
    api.dispose();
  }
}

/** "Run in Athena…": a trail, a query, a window. */
export async function runInAthena(
  deps: RemoteDeps,
  arg: unknown,
  args: RunArgs = {},
): Promise<LoadSummary | undefined> {
  const trail = await chooseTrail(deps, arg, { title: 'Run in Athena: which trail?' });
  if (!trail) return undefined;
  const query = await askQuery(deps.sessions, args.query, `Run in Athena over ${trail.name}`);
  if (query === undefined) return undefined;
  const win = args.window
    ? { window: args.window, short: describeWindow(args.window) }
    : await askWindow(query, `Run in Athena over ${trail.name}: time window`, ALL_TIME);
  if (!win) return undefined;
  return runQueries(deps, trail, [query], win, resultTitle('Athena', query, win.short));
}

/** "Run Detection in Athena…": a rule's queries over the whole trail for a window. */
export async function runDetectionInAthena(deps: RemoteDeps, arg: unknown): Promise<LoadSummary | undefined> {
  const lib = await loadDetectionRules(deps.extensionUri);
  for (const p of lib.readProblems) deps.output.warn(p);
  const pick = await vscode.window.showQuickPick(
    lib.rules.map((rule) => ({
      label: rule.title,
      description: `${rule.severity} · ${rule.id}${rule.origin === 'user' ? ' · yours' : ''}`,
      detail: rule.query.join('   |   '),
      rule,
    })),
    { title: 'Run which detection in Athena?', matchOnDescription: true, matchOnDetail: true, ignoreFocusOut: true },
  );
  if (!pick) return undefined;
  const rule = pick.rule;
  const trail = await chooseTrail(deps, arg, { title: `Run "${rule.title}" in Athena: which trail?` });
  if (!trail) return undefined;
  const win = await askWindow(
    rule.query.length === 1 ? rule.query[0] : '',
    `Run "${rule.title}" in Athena: time window`,
    ALL_TIME,
  );
  if (!win) return undefined;
  const notes =
    rule.threshold || rule.compare
      ? [
          `"${rule.title}" also has a ${rule.threshold ? 'threshold' : 'comparison'}: Athena returns the events of its queries, and the log viewer's Detections panel applies the rest to them.`,
        ]
      : [];
  return runQueries(deps, trail, rule.query, win, resultTitle('Athena', `detection ${rule.title}`, win.short), notes);
}

/** A statement of a `.sql` document (the CodeLens, or the palette at the cursor). */
export async function runSqlStatement(
  deps: RemoteDeps,
  uri?: vscode.Uri,
  index?: number,
): Promise<LoadSummary | undefined> {
  const editor = vscode.window.activeTextEditor;
  const doc = uri
    ? (vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()) ??
      (await vscode.workspace.openTextDocument(uri)))
    : editor?.document;
  if (!doc) {
    void vscode.window.showErrorMessage('Open a .sql document to run a statement of it in Athena.');
    return undefined;
  }
  const statements = splitSqlStatements(doc.getText());
  const at =
    index ?? (editor && editor.document === doc ? statementAt(statements, doc.offsetAt(editor.selection.active)) : 0);
  const st = statements[at];
  if (!st) {
    void vscode.window.showErrorMessage('There is no SQL statement to run here.');
    return undefined;
  }
  let ctx: SqlDocContext | undefined = deps.sqlDocs.get(doc.uri);
  if (!ctx) {
    const trail = await chooseTrail(deps, undefined, {
      title: 'Run this SQL in Athena with which trail\u2019s profile and region?',
    });
    if (!trail) return undefined;
    ctx = { trail, database: config.athenaDatabase(), workGroup: config.athenaWorkGroup() };
    deps.sqlDocs.set(doc.uri, ctx);
  }
  const api = athenaApi(deps, ctx.trail.profile, ctx.trail.region);
  try {
    // An unedited generated statement runs as its search: the terms Athena only narrowed are checked.
    const at = ctx.compiled
      ? generatedStatement(
          ctx.compiled.map((c) => c.compiled.sql),
          st.sql,
        )
      : -1;
    const same = ctx.table ? ctx.compiled?.[at] : undefined;
    if (same && ctx.table) {
      const title = resultTitle('Athena', same.query, ctx.windowShort ?? '');
      const estimate = ctx.estimates?.[at];
      if (estimate && (await confirmCost(estimate, title)) !== 'run') return undefined;
      return await execute(deps, api, { ...ctx, table: ctx.table }, [same], title, estimate);
    }
    return await executeSql(deps, api, ctx, st.sql);
  } finally {
    api.dispose();
  }
}

/** Runs SQL as written: DDL reports done; rows with CloudTrail's columns open as events, other rows as JSON. */
async function executeSql(
  deps: RemoteDeps,
  api: AthenaApi,
  ctx: SqlDocContext,
  sql: string,
): Promise<LoadSummary | undefined> {
  const first = sql.split('\n')[0].trim();
  const label = first.length > 60 ? `${first.slice(0, 59)}…` : first;
  const kind = statementKind(sql);
  const limit = config.athenaMaxResults();
  let out: { id: string; scanned: number; columns: string[]; rows: AthenaRow[]; more: boolean };
  try {
    out = await withQueryProgress(`Athena: ${label}`, async (signal, report) => {
      const id = await api.start(sql, { workGroup: ctx.workGroup, database: ctx.database });
      deps.output.info(`Athena ${id}: ${sql}`);
      const done = await api.wait(id, {
        signal,
        timeoutMs: QUERY_TIMEOUT_MS,
        onProgress: (p) => report(athenaProgressText(p)),
      });
      const rows: AthenaRow[] = [];
      let columns: string[] = [];
      let more = false;
      if (kind === 'rows') {
        for await (const page of api.pages(id, 1000, signal)) {
          columns = page.columns;
          for (const r of page.rows) {
            if (rows.length >= limit) more = true;
            else rows.push(r);
          }
          if (more) break;
        }
      }
      return { id, scanned: done.scannedBytes, columns, rows, more };
    });
  } catch (e) {
    const made = createdTable(sql);
    showAthenaError(e, { ...errorContext(ctx, e), table: made?.name ?? ctx.table?.name }, deps.output);
    return undefined;
  }
  const scan = describeScan(out.scanned, kind === 'rows');
  if (kind === 'done') {
    const made = createdTable(sql);
    if (made) await rememberTable(deps, ctx.trail, made.database ?? ctx.database, made.name);
    void vscode.window.showInformationMessage(`Done in Athena: ${label} (${scan}).`);
    return undefined;
  }
  if (out.more)
    void vscode.window.showWarningMessage(
      cutMessage(
        `The statement returned more than ${limit.toLocaleString('en-US')} rows; the first ${limit.toLocaleString('en-US')} were fetched.`,
        limit,
        LIMIT_SETTING,
      ),
    );
  if (!hasEventColumns(out.columns)) {
    await openRows(
      out.columns,
      out.rows,
      `Athena query ${out.id}: ${scan}. These rows are not CloudTrail events (no eventid, eventtime and eventname columns), so they open here, not in a log viewer.`,
    );
    return undefined;
  }
  if (out.rows.length === 0) {
    void vscode.window.showInformationMessage(`Athena: ${label} returned no rows. ${scan}.`);
    return undefined;
  }
  const records = out.rows.map(recordFromAthenaRow);
  const summary = await openResults(
    deps.sessions,
    deps.storageUri,
    'athena-results',
    out.id,
    records,
    `Athena: ${label}`,
  );
  void vscode.window.showInformationMessage(`Athena: ${eventCount(records.length)} · ${scan}.`);
  return summary;
}
