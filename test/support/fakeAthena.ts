/**
 * A local fake of Amazon Athena (AWS JSON 1.1, `X-Amz-Target: AmazonAthena.<Operation>`) for the
 * real `@aws-sdk/client-athena` pointed at 127.0.0.1. Queries run for real in DuckDB (athenaDuck.ts)
 * over a folder laid out like S3; CREATE EXTERNAL TABLE builds the table from the DDL's own text.
 * Operations: StartQueryExecution, GetQueryExecution, GetQueryResults (NextToken paging, the
 * header row first on the first page, as Athena does), StopQueryExecution, GetWorkGroup,
 * ListTableMetadata, GetTableMetadata. Failures can be injected (an error for the next calls of an
 * operation, a FAILED query with a reason, a slow query to cancel).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { AthenaDuck, type ParsedDdl } from './athenaDuck';
import { AwsError, bodyText, InjectedFailures, listenLocal, operationOf, outcome, sendJson } from './jsonProtocol';

const TARGET = /^AmazonAthena\.(\w+)$/;
type Body = Record<string, unknown>;

export interface FakeAthenaOptions {
  /** The folder holding buckets: `s3://b/k` is `<s3Root>/b/k`. */
  s3Root: string;
  /**
   * Workgroup name → its query result location; '' has none; 'managed' has managed query results
   * (WorkGroupConfiguration.ManagedQueryResultsConfiguration.Enabled: Athena-owned storage, and a
   * workgroup that has it cannot also have an OutputLocation). Default: primary → s3://athena-results/.
   */
  workGroups?: Record<string, string>;
  /** Largest GetQueryResults page (Athena: 1,000). */
  pageSize?: number;
  /** How long a query stays RUNNING before it finishes (ms); default 30. */
  runMs?: number;
}

export interface FakeQuery {
  id: string;
  sql: string;
  database: string;
  workGroup: string;
  outputLocation: string;
  state: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  reason?: string;
  errorType?: string;
  submitted: number;
  completed?: number;
  scannedBytes: number;
  scannedFiles: number;
  totalBytes: number;
  totalFiles: number;
  columns: string[];
  rows: Array<Array<string | null>>;
}

export interface FakeAthena {
  url: string;
  /** Every query started, in order. */
  queries: FakeQuery[];
  /** Operations called, in order (for polling and paging checks). */
  calls: string[];
  duck: AthenaDuck;
  failNext(operation: string, error: { code: string; message: string; status?: number }, times?: number): void;
  /** The next query that runs ends FAILED with this reason (as Athena's StateChangeReason). */
  failNextQuery(reason: string, errorType?: string): void;
  /** Queries stay RUNNING this long (ms) before finishing. */
  setRunMs(ms: number): void;
  close(): Promise<void>;
}

const ddlMetadata = (d: ParsedDdl): Body => ({
  Name: d.table,
  TableType: 'EXTERNAL_TABLE',
  Columns: d.columns.map((c) => ({ Name: c.name, Type: c.hive.replace(/\s+/g, '').toLowerCase() })),
  PartitionKeys: d.partitions.map((p) => ({ Name: p, Type: 'string' })),
  Parameters: {
    EXTERNAL: 'TRUE',
    location: d.location,
    inputformat: d.inputFormat,
    'serde.serialization.lib': d.serde,
    ...d.properties,
  },
});

/** Starts the fake on 127.0.0.1. */
export async function startFakeAthena(opts: FakeAthenaOptions): Promise<FakeAthena> {
  const duck = await AthenaDuck.open(opts.s3Root);
  const workGroups = opts.workGroups ?? { primary: 's3://athena-results/', managed: 'managed' };
  const pageSize = Math.min(1000, opts.pageSize ?? 1000);
  let runMs = opts.runMs ?? 30;
  const queries: FakeQuery[] = [];
  const calls: string[] = [];
  const failures = new InjectedFailures((code) => (code === 'InternalServerException' ? 500 : 400));
  let failQuery: { reason: string; errorType?: string } | undefined;
  const timers = new Set<NodeJS.Timeout>();

  const find = (id: unknown): FakeQuery => {
    const q = queries.find((x) => x.id === id);
    if (!q) throw new AwsError('InvalidRequestException', `QueryExecution ${String(id)} was not found`);
    return q;
  };

  async function execute(q: FakeQuery): Promise<void> {
    if (q.state !== 'RUNNING') return;
    const fail = failQuery;
    failQuery = undefined;
    try {
      if (fail) throw Object.assign(new Error(fail.reason), { athena: true, errorType: fail.errorType });
      if (/^\s*CREATE\s+EXTERNAL\s+TABLE/i.test(q.sql)) {
        await duck.createTable(q.sql, q.database);
      } else if (/^\s*(SELECT|WITH)\b/i.test(q.sql)) {
        const s = await duck.scanned(q.sql, q.database);
        Object.assign(q, {
          scannedBytes: s.bytes,
          scannedFiles: s.files,
          totalBytes: s.totalBytes,
          totalFiles: s.totalFiles,
        });
        const r = await duck.select(q.sql, q.database);
        if (q.state !== 'RUNNING') return; // cancelled meanwhile
        q.columns = r.columns;
        q.rows = r.rows;
      } else throw new Error(`line 1:1: mismatched input '${q.sql.trim().split(/\s+/)[0]}'`);
      if (q.state === 'RUNNING') Object.assign(q, { state: 'SUCCEEDED', completed: Date.now() });
    } catch (e) {
      if (q.state !== 'RUNNING') return;
      const msg = (e as Error).message;
      const missing = /Table with name (\S+) does not exist/.exec(msg);
      const reason = (e as { athena?: boolean }).athena
        ? msg
        : missing
          ? `TABLE_NOT_FOUND: line 1:1: Table 'awsdatacatalog.${q.database}.${missing[1].replace(/"/g, '')}' does not exist`
          : `GENERIC_INTERNAL_ERROR: ${msg.split('\n')[0]}`;
      Object.assign(q, {
        state: 'FAILED',
        reason,
        errorType: (e as { errorType?: string }).errorType ?? (missing ? 'USER_ERROR' : 'SYSTEM_ERROR'),
        completed: Date.now(),
      });
    }
  }

  const status = (q: FakeQuery): Body => ({
    State: q.state,
    ...(q.reason
      ? {
          StateChangeReason: q.reason,
          AthenaError: { ErrorCategory: q.errorType === 'USER_ERROR' ? 2 : 1, ErrorType: 1000, ErrorMessage: q.reason },
        }
      : {}),
    SubmissionDateTime: q.submitted / 1000,
    ...(q.completed ? { CompletionDateTime: q.completed / 1000 } : {}),
  });

  const handlers: Record<string, (b: Body) => unknown> = {
    StartQueryExecution: (b) => {
      const sql = String(b.QueryString ?? '');
      if (!sql.trim()) throw new AwsError('InvalidRequestException', 'QueryString must not be empty');
      const workGroup = String(b.WorkGroup ?? 'primary');
      if (!(workGroup in workGroups))
        throw new AwsError('InvalidRequestException', `WorkGroup ${workGroup} is not found.`);
      const managed = workGroups[workGroup] === 'managed';
      const given = (b.ResultConfiguration as Body | undefined)?.OutputLocation;
      // AWS documents that a managed-results workgroup has no OutputLocation; what StartQueryExecution
      // answers when a query names one anyway is not documented: the fake refuses it, so a client that
      // sends one is noticed.
      if (managed && given)
        throw new AwsError(
          'InvalidRequestException',
          'This workgroup uses managed query results: a query result location cannot be given.',
        );
      const outputLocation = managed ? '' : String(given ?? workGroups[workGroup] ?? '');
      if (!outputLocation && !managed)
        throw new AwsError(
          'InvalidRequestException',
          'No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.',
        );
      const database = String((b.QueryExecutionContext as Body | undefined)?.Database ?? 'default');
      const q: FakeQuery = {
        id: randomUUID(),
        sql,
        database,
        workGroup,
        outputLocation,
        state: 'RUNNING',
        submitted: Date.now(),
        scannedBytes: 0,
        scannedFiles: 0,
        totalBytes: 0,
        totalFiles: 0,
        columns: [],
        rows: [],
      };
      queries.push(q);
      const t = setTimeout(() => {
        timers.delete(t);
        void execute(q);
      }, runMs);
      timers.add(t);
      return { QueryExecutionId: q.id };
    },
    GetQueryExecution: (b) => {
      const q = find(b.QueryExecutionId);
      const end = q.completed ?? Date.now();
      return {
        QueryExecution: {
          QueryExecutionId: q.id,
          Query: q.sql,
          StatementType: /^\s*CREATE/i.test(q.sql) ? 'DDL' : 'DML',
          ResultConfiguration: q.outputLocation
            ? { OutputLocation: `${q.outputLocation.replace(/\/?$/, '/')}${q.id}.csv` }
            : {},
          ...(q.outputLocation ? {} : { ManagedQueryResultsConfiguration: { Enabled: true } }),
          QueryExecutionContext: { Database: q.database, Catalog: 'awsdatacatalog' },
          Status: status(q),
          Statistics: {
            DataScannedInBytes: q.scannedBytes,
            EngineExecutionTimeInMillis: end - q.submitted,
            TotalExecutionTimeInMillis: end - q.submitted,
          },
          WorkGroup: q.workGroup,
        },
      };
    },
    GetQueryResults: (b) => {
      const q = find(b.QueryExecutionId);
      if (q.state !== 'SUCCEEDED')
        throw new AwsError('InvalidRequestException', `Query has not yet finished. Current state: ${q.state}`);
      const max = Math.min(pageSize, Number(b.MaxResults ?? 1000));
      let offset = 0;
      if (b.NextToken !== undefined) {
        const m = /^p(\d+)$/.exec(Buffer.from(String(b.NextToken), 'base64url').toString());
        if (!m) throw new AwsError('InvalidRequestException', 'Invalid NextToken');
        offset = Number(m[1]);
      }
      // Row 0 is the header: the first page holds it and max - 1 data rows.
      const all = [q.columns.map((c) => c as string | null), ...q.rows];
      const page = all.slice(offset, offset + max);
      const next = offset + max < all.length ? Buffer.from(`p${offset + max}`).toString('base64url') : undefined;
      return {
        ResultSet: {
          Rows: page.map((r) => ({ Data: r.map((v) => (v === null ? {} : { VarCharValue: v })) })),
          ResultSetMetadata: {
            ColumnInfo: q.columns.map((c) => ({
              Name: c,
              Label: c,
              Type: 'varchar',
              CatalogName: 'hive',
              Nullable: 'UNKNOWN',
            })),
          },
        },
        UpdateCount: 0,
        NextToken: next,
      };
    },
    StopQueryExecution: (b) => {
      const q = find(b.QueryExecutionId);
      if (q.state === 'RUNNING' || q.state === 'QUEUED')
        Object.assign(q, { state: 'CANCELLED', reason: 'Query cancelled by user', completed: Date.now() });
      return {};
    },
    GetWorkGroup: (b) => {
      const name = String(b.WorkGroup ?? '');
      if (!(name in workGroups)) throw new AwsError('InvalidRequestException', `WorkGroup ${name} is not found.`);
      const managed = workGroups[name] === 'managed';
      return {
        WorkGroup: {
          Name: name,
          State: 'ENABLED',
          Configuration: {
            ResultConfiguration: workGroups[name] && !managed ? { OutputLocation: workGroups[name] } : {},
            ManagedQueryResultsConfiguration: { Enabled: managed },
            EnforceWorkGroupConfiguration: false,
            EngineVersion: { EffectiveEngineVersion: 'Athena engine version 3' },
          },
        },
      };
    },
    ListTableMetadata: (b) => ({
      TableMetadataList: duck.allTables(String(b.DatabaseName ?? 'default')).map(ddlMetadata),
    }),
    GetTableMetadata: (b) => {
      const d = duck.table(String(b.DatabaseName ?? 'default'), String(b.TableName ?? ''));
      if (!d) throw new AwsError('MetadataException', `Table ${String(b.TableName)} not found.`);
      return { TableMetadata: ddlMetadata(d) };
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await bodyText(req);
    const operation = operationOf(req, TARGET);
    calls.push(operation);
    const reply = outcome(
      () => {
        failures.throwFor(operation);
        const h = handlers[operation];
        if (!h) throw new AwsError('UnknownOperationException', `Unknown operation ${operation}`);
        return h(text.trim() ? (JSON.parse(text) as Body) : {});
      },
      (e) => new AwsError('InternalServerException', String(e), 500),
    );
    sendJson(res, reply);
  }

  const server = await listenLocal(handle);
  return {
    url: server.url,
    queries,
    calls,
    duck,
    failNext(operation, error, times = 1) {
      failures.add(operation, error, times);
    },
    failNextQuery(reason, errorType) {
      failQuery = { reason, errorType };
    },
    setRunMs(ms) {
      runMs = ms;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      await server.close();
      await duck.close();
    },
  };
}
