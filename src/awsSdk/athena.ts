/**
 * A thin adapter over Athena for one profile and region: start a query, follow it to the end
 * (GetQueryExecution polled with backoff, progress reported), stop it (StopQueryExecution, on the
 * caller's AbortSignal or a timeout), page its results (GetQueryResults, an async generator that
 * drops the header row), and read the workgroup and table metadata the search needs. The client is
 * injected; the SDK retries throttling with backoff. No vscode import.
 */
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  GetTableMetadataCommand,
  GetWorkGroupCommand,
  ListTableMetadataCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { type ClientTarget, clientBase } from './clientConfig';
import type { AthenaQueryEnd } from '../core/aws/athenaErrors';
import type { TableMetadataLike } from '../core/aws/athenaTable';
import { type AthenaRow, rowsFromResultSet } from '../core/query/athenaRows';
import { type Clock, realClock } from '../core/aws/throttle';
import { pollUntilEnded, type ProgressPollOptions } from './poll';

export function createAthenaClient(t: ClientTarget): AthenaClient {
  return new AthenaClient({ ...clientBase(t), maxAttempts: 6, retryMode: 'standard' });
}

/** Where a query runs. */
export interface AthenaQueryTarget {
  workGroup: string;
  database: string;
  /** Overrides the workgroup's result location (when the workgroup does not enforce its own). */
  outputLocation?: string;
  catalog?: string;
}

/** A query's state as polling sees it. */
export interface AthenaProgress {
  id: string;
  state: string;
  scannedBytes: number;
  elapsedMs: number;
}

/** A finished query. */
export interface AthenaFinished extends AthenaProgress {
  outputLocation?: string;
}

/** A query that ended other than SUCCEEDED, or was stopped here. */
export class AthenaQueryError extends Error {
  override readonly name = 'AthenaQueryError';
  constructor(
    readonly kind: AthenaQueryEnd,
    /** Athena's StateChangeReason, for `failed`. */
    readonly reason: string,
    readonly id: string,
    readonly scannedBytes: number,
  ) {
    super(reason || kind);
  }
}

export type WaitOptions = ProgressPollOptions<AthenaProgress>;

export class AthenaApi {
  constructor(
    readonly target: ClientTarget,
    private readonly client: AthenaClient = createAthenaClient(target),
    private readonly clock: Clock = realClock,
  ) {}

  /** The workgroup's query result location, undefined when it has none (see workGroupResults). */
  async workGroupOutput(workGroup: string): Promise<string | undefined> {
    return (await this.workGroupResults(workGroup)).location;
  }

  /**
   * Where the workgroup keeps results: its S3 location, or `managed` when Athena's managed query
   * results are on (ManagedQueryResultsConfiguration.Enabled; no bucket needed, none may be given).
   */
  async workGroupResults(workGroup: string): Promise<{ location?: string; managed: boolean }> {
    const out = await this.client.send(new GetWorkGroupCommand({ WorkGroup: workGroup }));
    const conf = out.WorkGroup?.Configuration;
    return {
      location: conf?.ResultConfiguration?.OutputLocation || undefined,
      managed: conf?.ManagedQueryResultsConfiguration?.Enabled === true,
    };
  }

  /** Starts `sql`; returns the QueryExecutionId. */
  async start(sql: string, t: AthenaQueryTarget): Promise<string> {
    const out = await this.client.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        WorkGroup: t.workGroup,
        QueryExecutionContext: { Database: t.database, Catalog: t.catalog },
        ResultConfiguration: t.outputLocation ? { OutputLocation: t.outputLocation } : undefined,
      }),
    );
    if (!out.QueryExecutionId) throw new Error('Athena returned no query id.');
    return out.QueryExecutionId;
  }

  async stop(id: string): Promise<void> {
    await this.client.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
  }

  /**
   * Polls until the query ends. SUCCEEDED resolves; FAILED and CANCELLED reject with an
   * AthenaQueryError; an abort or the timeout stops the query first (StopQueryExecution), then
   * rejects with `cancelled` or `timeout`.
   */
  async wait(id: string, o: WaitOptions = {}): Promise<AthenaFinished> {
    const started = this.clock.now();
    let last: AthenaProgress = { id, state: 'QUEUED', scannedBytes: 0, elapsedMs: 0 };
    return pollUntilEnded(this.clock, o, {
      check: async () => {
        const out = await this.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
        const q = out.QueryExecution;
        const state = q?.Status?.State ?? 'QUEUED';
        last = {
          id,
          state,
          scannedBytes: q?.Statistics?.DataScannedInBytes ?? 0,
          elapsedMs: q?.Statistics?.TotalExecutionTimeInMillis ?? this.clock.now() - started,
        };
        o.onProgress?.(last);
        if (state === 'SUCCEEDED') return { ...last, outputLocation: q?.ResultConfiguration?.OutputLocation };
        if (state === 'FAILED')
          throw new AthenaQueryError(
            'failed',
            q?.Status?.StateChangeReason ?? q?.Status?.AthenaError?.ErrorMessage ?? '',
            id,
            last.scannedBytes,
          );
        if (state === 'CANCELLED')
          throw new AthenaQueryError('cancelled', q?.Status?.StateChangeReason ?? 'Cancelled.', id, last.scannedBytes);
        return undefined;
      },
      stop: () => this.stop(id),
      ended: (kind, message) => new AthenaQueryError(kind, message, id, last.scannedBytes),
    });
  }

  /** Result pages (the header row dropped), rows named by the result's columns, lower-case. */
  async *pages(
    id: string,
    pageSize = 1000,
    signal?: AbortSignal,
  ): AsyncGenerator<{ columns: string[]; rows: AthenaRow[] }> {
    let next: string | undefined;
    let columns: string[] | undefined;
    let first = true;
    do {
      if (signal?.aborted) return;
      const out = await this.client.send(
        new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: next, MaxResults: pageSize }),
        { abortSignal: signal },
      );
      columns ??= (out.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => String(c.Name ?? '').toLowerCase());
      const raw = out.ResultSet?.Rows ?? [];
      // Athena puts the column names as the first row of the first page of a SELECT's results.
      const data =
        first && raw.length > 0 && raw[0].Data?.every((d, i) => d.VarCharValue?.toLowerCase() === columns![i])
          ? raw.slice(1)
          : raw;
      first = false;
      yield { columns, rows: rowsFromResultSet(data, columns) };
      next = out.NextToken || undefined;
    } while (next);
  }

  /** Every table of a database, with columns, partitions and parameters. */
  async tables(database: string, catalog = 'AwsDataCatalog'): Promise<TableMetadataLike[]> {
    const out: TableMetadataLike[] = [];
    let next: string | undefined;
    do {
      const r = await this.client.send(
        new ListTableMetadataCommand({ CatalogName: catalog, DatabaseName: database, NextToken: next }),
      );
      out.push(...((r.TableMetadataList ?? []) as TableMetadataLike[]));
      next = r.NextToken || undefined;
    } while (next);
    return out;
  }

  async table(database: string, name: string, catalog = 'AwsDataCatalog'): Promise<TableMetadataLike | undefined> {
    const r = await this.client.send(
      new GetTableMetadataCommand({ CatalogName: catalog, DatabaseName: database, TableName: name }),
    );
    return r.TableMetadata;
  }

  dispose(): void {
    this.client.destroy();
  }
}
