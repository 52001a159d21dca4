/**
 * A list filled a page at a time from an async generator, behind a "Load more…" node. Loads are
 * single-flight: a second request while one is running joins it instead of fetching a page twice
 * (or skipping one). After a failure the next load resumes from the last page's token.
 */

export interface Page<T> {
  items: T[];
  /** The token for the page after this one; absent on the last page. */
  nextToken?: string;
}

/** Makes a page generator starting at `token` (undefined: the first page). */
export type PageSource<T> = (token: string | undefined) => AsyncIterator<Page<T>>;

export class PagedList<T> {
  readonly items: T[] = [];
  /** There are no more pages. */
  done = false;
  /** The last load's failure (cleared by the next successful load). */
  error: unknown;
  private inflight: Promise<void> | undefined;
  private iterator: AsyncIterator<Page<T>> | undefined;
  private token: string | undefined;

  constructor(private readonly source: PageSource<T>) {}

  get loading(): boolean {
    return this.inflight !== undefined;
  }

  /** Fetches the next page (or joins the fetch under way). Never rejects: failures land in `error`. */
  loadMore(): Promise<void> {
    if (this.done) return Promise.resolve();
    this.inflight ??= (async () => {
      // Yield first: were the source to throw synchronously, `finally` would run before
      // `inflight` is even assigned, and the list would look busy for ever.
      await Promise.resolve();
      try {
        this.iterator ??= this.source(this.token);
        const next = await this.iterator.next();
        if (next.done) {
          this.done = true;
        } else {
          this.items.push(...next.value.items);
          this.token = next.value.nextToken;
          if (!this.token) this.done = true;
        }
        this.error = undefined;
      } catch (e) {
        this.error = e;
        // A generator that threw is finished: the next load starts a new one at the last token.
        this.iterator = undefined;
      } finally {
        this.inflight = undefined;
      }
    })();
    return this.inflight;
  }
}
