/**
 * A thin adapter over CloudWatch Logs Insights for one profile and region: StartQuery on a trail's
 * log group, GetQueryResults polled with backoff until the query completes (progress reported),
 * StopQuery on the caller's AbortSignal or a timeout. No vscode import; the client is injected.
 */
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { type ClientTarget, clientBase } from './clientConfig';
import { type Clock, realClock } from '../core/aws/throttle';
import type { CompiledLogsInsights } from '../core/query/logsInsights';
import { pollUntilEnded, type ProgressPollOptions } from './poll';

export function createLogsClient(t: ClientTarget): CloudWatchLogsClient {
  return new CloudWatchLogsClient({ ...clientBase(t), maxAttempts: 6, retryMode: 'standard' });
}

/** `arn:aws:logs:region:account:log-group:NAME:*` → NAME (what StartQuery's logGroupName takes). */
export function logGroupName(arn: string): string {
  const m = /:log-group:(.+?)(?::\*)?$/.exec(arn);
  return m ? m[1] : arn;
}

export type LogsRow = Array<{ field?: string; value?: string }>;

export interface LogsProgress {
  id: string;
  status: string;
  recordsMatched: number;
  recordsScanned: number;
  bytesScanned: number;
}

/** A Logs Insights query that did not complete. */
export class LogsQueryError extends Error {
  override readonly name = 'LogsQueryError';
  constructor(
    readonly kind: 'failed' | 'cancelled' | 'timeout',
    message: string,
    readonly id: string,
  ) {
    super(message);
  }
}

export type LogsWaitOptions = ProgressPollOptions<LogsProgress>;

export class CloudWatchLogsApi {
  constructor(
    readonly target: ClientTarget,
    private readonly client: CloudWatchLogsClient = createLogsClient(target),
    private readonly clock: Clock = realClock,
  ) {}

  /**
   * A log group's size as DescribeLogGroups reports it (storedBytes, retention, creation time),
   * undefined when the API does not list it. Found by name prefix, the exact name kept.
   */
  async groupSize(
    logGroup: string,
    signal?: AbortSignal,
  ): Promise<{ storedBytes?: number; retentionDays?: number; creationTime?: number } | undefined> {
    const name = logGroupName(logGroup);
    let next: string | undefined;
    do {
      const out = await this.client.send(
        new DescribeLogGroupsCommand({ logGroupNamePrefix: name, nextToken: next, limit: 50 }),
        { abortSignal: signal },
      );
      const g = out.logGroups?.find((x) => x.logGroupName === name);
      if (g) return { storedBytes: g.storedBytes, retentionDays: g.retentionInDays, creationTime: g.creationTime };
      next = out.nextToken || undefined;
    } while (next);
    return undefined;
  }

  async start(q: CompiledLogsInsights, logGroup: string): Promise<string> {
    const out = await this.client.send(
      new StartQueryCommand({
        logGroupName: logGroupName(logGroup),
        queryString: q.queryString,
        startTime: q.startTime,
        endTime: q.endTime,
        limit: q.limit + 1,
      }),
    );
    if (!out.queryId) throw new Error('CloudWatch Logs returned no query id.');
    return out.queryId;
  }

  async stop(id: string): Promise<void> {
    await this.client.send(new StopQueryCommand({ queryId: id }));
  }

  /** Polls until Complete; the rows then. Failed/Cancelled/Timeout reject with a LogsQueryError. */
  async results(id: string, o: LogsWaitOptions = {}): Promise<LogsRow[]> {
    return pollUntilEnded(this.clock, o, {
      check: async () => {
        const out = await this.client.send(new GetQueryResultsCommand({ queryId: id }));
        const status = String(out.status ?? 'Scheduled');
        o.onProgress?.({
          id,
          status,
          recordsMatched: out.statistics?.recordsMatched ?? 0,
          recordsScanned: out.statistics?.recordsScanned ?? 0,
          bytesScanned: out.statistics?.bytesScanned ?? 0,
        });
        if (status === 'Complete') return out.results ?? [];
        if (status === 'Failed' || status === 'Cancelled' || status === 'Timeout' || status === 'Unknown') {
          throw new LogsQueryError(
            status === 'Cancelled' ? 'cancelled' : status === 'Timeout' ? 'timeout' : 'failed',
            `The Logs Insights query ended: ${status}.`,
            id,
          );
        }
        return undefined;
      },
      stop: () => this.stop(id),
      ended: (kind, message) => new LogsQueryError(kind, message, id),
    });
  }

  dispose(): void {
    this.client.destroy();
  }
}
