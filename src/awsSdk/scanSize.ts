/**
 * The cost estimate's listing: the sizes of the S3 objects under each projected prefix summed,
 * at most one ListObjectsV2 chain per prefix (ContinuationToken to the end, 1,000 keys a page; an
 * account and region's consecutive days share one chain, from StartAfter to the last day), a bounded
 * number of chains at once, cancellable, and bounded in total (objects listed). Folders the
 * table's projection does not enumerate (a table without enum values) are listed first with a
 * delimiter. A failure ends the estimate with a sentence saying what to grant or wait for; the
 * caller may run without an estimate. No vscode import.
 */
import {
  type PartitionSelection,
  pastChain,
  projectPrefixes,
  type ScanEstimate,
  splitS3Url,
  type TableLayout,
} from '../core/aws/scanEstimate';
import type { PartitionScheme } from '../core/aws/athenaTable';
import type { S3Api } from './s3';

/** What the listing needs of the S3 adapter (S3Api has it; tests may pass another). */
export type SizeLister = Pick<S3Api, 'listPages' | 'listFolders'>;

export interface EstimateOptions {
  signal?: AbortSignal;
  /** Chains listed at once (default 16). */
  concurrency?: number;
  /** Most objects listed before the estimate stops with an error (default 5,000,000). */
  maxObjects?: number;
  onProgress?: (done: number, total: number) => void;
  now?: number;
}

/** An estimate that could not be made: `message` says why and what to do. */
export class ScanEstimateError extends Error {
  override readonly name = 'ScanEstimateError';
  constructor(
    message: string,
    readonly kind: 'denied' | 'throttled' | 'cancelled' | 'too-large' | 'layout' | 'failed',
  ) {
    super(message);
  }
}

interface ErrorLike {
  name?: unknown;
  Code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** An SDK error as a ScanEstimateError naming the bucket and the permission. */
export function explainListingError(e: unknown, bucket: string, prefix: string): ScanEstimateError {
  if (e instanceof ScanEstimateError) return e;
  const x = (typeof e === 'object' && e !== null ? e : {}) as ErrorLike;
  const name = typeof x.name === 'string' ? x.name : typeof x.Code === 'string' ? x.Code : '';
  const status = x.$metadata?.httpStatusCode;
  if (name === 'AbortError' || name === 'TimeoutError')
    return new ScanEstimateError('The cost estimate was cancelled.', 'cancelled');
  if (name === 'AccessDenied' || status === 403)
    return new ScanEstimateError(
      `No cost estimate: listing s3://${bucket}/${prefix} was denied. The estimate needs s3:ListBucket on arn:aws:s3:::${bucket} (the query itself needs it too, with s3:GetObject).`,
      'denied',
    );
  if (/SlowDown|Throttl|TooManyRequests|RequestLimitExceeded/i.test(name) || status === 503 || status === 429)
    return new ScanEstimateError(
      `No cost estimate: S3 throttled the listing of s3://${bucket}/ (${name || status}) after retries. Try again in a minute.`,
      'throttled',
    );
  return new ScanEstimateError(
    `No cost estimate: listing s3://${bucket}/${prefix} failed: ${typeof x.message === 'string' ? x.message : name || 'unknown error'}.`,
    'failed',
  );
}

/** Runs `work` over `items`, at most `n` at once; the first rejection stops the rest. */
async function pool<T>(
  items: readonly T[],
  n: number,
  work: (item: T) => Promise<void>,
  stop: AbortSignal,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !stop.aborted) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
}

/** The account and region folders under `base`, when the projection does not say them. */
async function discover(
  s3: SizeLister,
  bucket: string,
  key: string,
  layout: TableLayout,
  scheme: PartitionScheme,
  sel: PartitionSelection,
  signal: AbortSignal,
  concurrency: number,
): Promise<{ accounts: string[]; regions: string[] }> {
  if (!scheme.account || !scheme.region) return { accounts: [], regions: [] };
  const accounts = layout.accounts
    ? [...layout.accounts]
    : (sel.accounts ? [...sel.accounts] : await s3.listFolders(bucket, key, signal)).filter((a) => /^\d{12}$/.test(a));
  if (layout.regions) return { accounts, regions: [...layout.regions] };
  const regions = new Set<string>();
  await pool(
    accounts,
    concurrency,
    async (a) => {
      for (const r of await s3.listFolders(bucket, `${key}${a}/CloudTrail/`, signal)) regions.add(r);
    },
    signal,
  );
  return { accounts, regions: [...regions] };
}

/**
 * The bytes under exactly the partitions `sel` keeps. Rejects with a ScanEstimateError (denied,
 * throttled after the SDK's retries, cancelled, too many prefixes or objects).
 */
export async function estimateScan(
  s3: SizeLister,
  scheme: PartitionScheme,
  layout: TableLayout,
  sel: PartitionSelection,
  o: EstimateOptions = {},
): Promise<ScanEstimate & { prefixList: string[]; chains: number }> {
  const concurrency = Math.max(1, Math.min(64, o.concurrency ?? 16));
  const maxObjects = o.maxObjects ?? 5_000_000;
  const at = splitS3Url(layout.base);
  if (!at) throw new ScanEstimateError(`No cost estimate: ${layout.base} is not an s3:// location.`, 'layout');
  // One controller: the caller's cancel, or the first failure, stops every chain.
  const ctl = new AbortController();
  const onAbort = (): void => ctl.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  let requests = 0;
  let failure: ScanEstimateError | undefined;
  try {
    const found = await discover(s3, at.bucket, at.key, layout, scheme, sel, ctl.signal, concurrency).catch((e) => {
      throw explainListingError(e, at.bucket, at.key);
    });
    const projected = projectPrefixes(scheme, { ...layout, ...found }, sel, o.now ?? Date.now());
    if ('error' in projected) throw new ScanEstimateError(`No cost estimate: ${projected.error}.`, 'too-large');
    let bytes = 0;
    let objects = 0;
    let done = 0;
    await pool(
      projected.chains,
      concurrency,
      async (chain) => {
        const prefix = chain.prefix;
        try {
          chain: for await (const page of s3.listPages(projected.bucket, prefix, ctl.signal, chain.startAfter)) {
            requests++;
            for (const item of page.items) {
              if (pastChain(chain, item.key)) break chain;
              bytes += item.size;
              objects++;
            }
            if (objects > maxObjects)
              throw new ScanEstimateError(
                `No cost estimate: the query's partitions hold more than ${maxObjects.toLocaleString('en-US')} files; narrow the time range.`,
                'too-large',
              );
          }
        } catch (e) {
          failure ??= o.signal?.aborted
            ? new ScanEstimateError('The cost estimate was cancelled.', 'cancelled')
            : explainListingError(e, projected.bucket, prefix);
          ctl.abort();
          return;
        }
        o.onProgress?.(++done, projected.chains.length);
      },
      ctl.signal,
    );
    if (failure) throw failure;
    if (o.signal?.aborted) throw new ScanEstimateError('The cost estimate was cancelled.', 'cancelled');
    return {
      bytes,
      objects,
      prefixes: projected.prefixes.length,
      chains: projected.chains.length,
      requests,
      prefixList: projected.prefixes,
    };
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
}
