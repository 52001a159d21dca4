/**
 * The Athena table of a trail: found among the database's tables (an existing table over the
 * trail's files is reused, whatever its name), remembered per workspace, or set up: the CREATE
 * EXTERNAL TABLE with partition projection derived from the trail and its bucket's folders opens
 * in an editor to review, and runs on confirmation in the chosen database and workgroup.
 */
import * as vscode from 'vscode';
import type { AthenaApi } from '../awsSdk/athena';
import * as config from '../common/config';
import { type AthenaTableRef, cloudTrailTableDdl, trailLogsBase } from '../core/aws/athenaTable';
import { REGIONS } from '../core/aws/regions';
import {
  type BucketFolders,
  ddlHeader,
  findTableForTrail,
  organizationFolders,
  tableInputs,
  trailAccount,
  trailLocation,
} from '../core/aws/trailTableInputs';
import { createdTable, splitSqlStatements } from '../core/ui/sqlStatements';
import { QUERY_TIMEOUT_MS, athenaProgressText, showAthenaError, withQueryProgress } from './athenaProgress';
import { athenaApi, type RemoteDeps } from './remoteDeps';
import { chooseTrail, type TrailChoice } from '../common/trailPicker';

const TABLES = 'cloudtrailLens.athena.tables';
/** Most accounts whose region folders are listed. */
const REGION_LISTINGS = 200;
const tableKey = (t: TrailChoice, database: string): string => `${t.key}|${database}`;

/** Remembers that `name` in `database` is the trail's table. */
export async function rememberTable(
  deps: RemoteDeps,
  trail: TrailChoice,
  database: string,
  name: string,
): Promise<void> {
  const all = { ...deps.state.get<Record<string, string>>(TABLES, {}), [tableKey(trail, database)]: name };
  await deps.state.update(TABLES, all);
}

/**
 * The trail's table in `database`: the remembered one if it still covers the trail's files, else
 * the best among the database's tables (ListTableMetadata); undefined when none does. Athena and
 * Glue failures are thrown (the caller explains them).
 */
export async function findTable(
  deps: RemoteDeps,
  api: AthenaApi,
  trail: TrailChoice,
  database: string,
): Promise<AthenaTableRef | undefined> {
  const remembered = deps.state.get<Record<string, string>>(TABLES, {})[tableKey(trail, database)];
  if (remembered) {
    const meta = await api.table(database, remembered).catch(() => undefined);
    const ref = meta && findTableForTrail([meta], trail.trail, database);
    if (ref) return ref;
  }
  const ref = findTableForTrail(await api.tables(database), trail.trail, database);
  if (ref) await rememberTable(deps, trail, database, ref.name);
  return ref;
}

/** The organization, account and region folders of the trail's bucket; a failed listing becomes a note. */
async function bucketFolders(
  deps: RemoteDeps,
  trail: TrailChoice,
): Promise<{ found: BucketFolders; orgId?: string } | undefined> {
  const s3 = deps.accounts.s3(trail.profile, trail.region);
  const bucket = trail.trail.S3BucketName ?? '';
  const base = trailLocation(trail.trail);
  const found: BucketFolders = {};
  let orgId: string | undefined;
  try {
    const awsLogs = `${base.prefix ? `${base.prefix}/` : ''}AWSLogs/`;
    if (trail.trail.IsOrganizationTrail) {
      const orgs = organizationFolders(await s3.listFolders(bucket, awsLogs));
      found.orgs = orgs;
      orgId =
        orgs.length > 1
          ? await vscode.window.showQuickPick(orgs, {
              title: `Set up an Athena table for ${trail.name}: which organization's logs?`,
              ignoreFocusOut: true,
            })
          : orgs[0];
      if (orgs.length > 1 && !orgId) return undefined;
      if (!orgId) return { found };
    }
    const accountsAt = `${awsLogs}${orgId ? `${orgId}/` : ''}`;
    const accounts = await s3.listFolders(bucket, accountsAt);
    found.accounts = accounts;
    const own = trailAccount(trail.arn);
    // Regions from every account's folder (one listing each, a few at a time): accounts need not
    // log the same regions. Past REGION_LISTINGS accounts the rest are assumed alike.
    const listed = [...new Set([...(own && accounts.includes(own) ? [own] : []), ...accounts])].slice(
      0,
      REGION_LISTINGS,
    );
    const regions = new Set<string>();
    for (let i = 0; i < listed.length; i += 8) {
      const batch = await Promise.all(
        listed.slice(i, i + 8).map((a) => s3.listFolders(bucket, `${accountsAt}${a}/CloudTrail/`)),
      );
      for (const r of batch.flat()) regions.add(r);
    }
    found.regions = [...regions];
  } catch (e) {
    found.problem = `${(e as Error).name}: ${(e as Error).message}`;
    deps.output.warn(`Listing s3://${bucket}/ for the Athena table: ${found.problem}`);
  } finally {
    s3.dispose();
  }
  return { found, orgId };
}

/** The regions of the home region's partition, for a multi-region trail whose bucket could not be listed. */
function partitionRegions(home: string): string[] {
  const p = REGIONS.find((r) => r.code === home)?.partition ?? 'aws';
  return REGIONS.filter((r) => r.partition === p).map((r) => r.code);
}

const NAME = /^[a-z0-9_]+$/;

/** "Set Up Athena Table…": resolves to the table (found or created), undefined when cancelled or failed. */
export async function setUpTable(deps: RemoteDeps, arg: unknown): Promise<AthenaTableRef | undefined> {
  const trail = await chooseTrail(deps, arg, { title: 'Set up an Athena table for which trail?' });
  if (!trail) return undefined;
  if (!trail.trail.S3BucketName) {
    void vscode.window.showErrorMessage(`Trail "${trail.name}" names no S3 bucket.`);
    return undefined;
  }
  let database = config.athenaDatabase();
  let workGroup = config.athenaWorkGroup();
  const api = athenaApi(deps, trail.profile, trail.region);
  const ctx = () => ({
    workGroup,
    database,
    region: trail.region,
    logsLocation: `s3://${trail.trail.S3BucketName}/${trail.trail.S3KeyPrefix ?? ''}`,
  });
  try {
    let existing: AthenaTableRef | undefined;
    try {
      existing = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Looking for a table over ${trail.name}'s logs in ${database}…`,
        },
        () => findTable(deps, api, trail, database),
      );
    } catch (e) {
      showAthenaError(e, { ...ctx(), operation: 'ListTableMetadata' }, deps.output);
      return undefined;
    }
    if (existing) {
      void vscode.window.showInformationMessage(
        `The table ${existing.database}.${existing.name} already covers the logs of ${trail.name}: Run in Athena uses it.`,
      );
      deps.output.info(`Athena: reusing ${existing.database}.${existing.name} for ${trail.arn}.`);
      return existing;
    }
    const folders = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Reading the folders of s3://${trail.trail.S3BucketName}…`,
      },
      () => bucketFolders(deps, trail),
    );
    if (!folders) return undefined;
    const inputs = tableInputs(trail.trail, folders.found, folders.orgId, partitionRegions(trail.region));
    if ('error' in inputs) {
      void vscode.window.showErrorMessage(inputs.error);
      return undefined;
    }
    const render = (): { text: string; ddl: string; table: AthenaTableRef } => {
      const { ddl, table } = cloudTrailTableDdl(inputs.source, database);
      return { text: `${ddlHeader(inputs.source, inputs.notes, trailLogsBase(inputs.source))}\n${ddl}\n`, ddl, table };
    };
    let shown = render();
    const doc = await deps.sqlDocs.open(shown.text, { trail, database, workGroup }, true);
    for (;;) {
      const go = await vscode.window.showInformationMessage(
        `Create the table ${database}.${shown.table.name} over ${trailLogsBase(inputs.source)} (${inputs.source.accounts.length} account(s), ${inputs.source.regions.length} region(s)) in workgroup "${workGroup}"? The DDL is open to review; your edits are used.`,
        { modal: true },
        'Create Table',
        'Change Database or Workgroup…',
      );
      if (go === 'Create Table') break;
      if (go !== 'Change Database or Workgroup…') return undefined;
      const db = await vscode.window.showInputBox({
        title: 'Glue database for the table',
        value: database,
        ignoreFocusOut: true,
        validateInput: (v) => (NAME.test(v.trim()) ? undefined : 'Lower-case letters, digits and underscores'),
      });
      if (db === undefined) continue;
      const wg = await vscode.window.showInputBox({
        title: 'Athena workgroup to run it in',
        value: workGroup,
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() ? undefined : 'A workgroup name'),
      });
      if (wg === undefined) continue;
      database = db.trim();
      workGroup = wg.trim();
      const next = render();
      if (!doc.isClosed && doc.getText() === shown.text) {
        const edit = new vscode.WorkspaceEdit();
        edit.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), next.text);
        await vscode.workspace.applyEdit(edit);
      }
      shown = next;
      deps.sqlDocs.set(doc.uri, { trail, database, workGroup });
    }
    // The statement as the document has it now (reviewed, perhaps edited); the generated one if it was closed.
    const sql = doc.isClosed
      ? shown.ddl
      : (splitSqlStatements(doc.getText()).find((s) => createdTable(s.sql)) ?? { sql: shown.ddl }).sql;
    const made = createdTable(sql);
    const name = made?.name ?? shown.table.name;
    const db = made?.database ?? database;
    try {
      await withQueryProgress(`Athena: creating ${db}.${name}`, async (signal, report) => {
        const id = await api.start(sql, { workGroup, database: db });
        deps.output.info(`Athena ${id}: ${sql.split('\n')[0]}`);
        await api.wait(id, { signal, timeoutMs: QUERY_TIMEOUT_MS, onProgress: (p) => report(athenaProgressText(p)) });
      });
    } catch (e) {
      showAthenaError(
        e,
        {
          ...ctx(),
          database: db,
          table: name,
          operation: 'StartQueryExecution',
          timeoutSeconds: QUERY_TIMEOUT_MS / 1000,
        },
        deps.output,
      );
      return undefined;
    }
    await rememberTable(deps, trail, db, name);
    deps.output.info(`Athena: created ${db}.${name} for ${trail.arn}.`);
    void vscode.window.showInformationMessage(
      `Created the Athena table ${db}.${name} for ${trail.name}. Run in Athena… now searches every file of the trail.`,
    );
    return { ...shown.table, database: db, name };
  } finally {
    api.dispose();
  }
}
