/**
 * An investigation: the events of every file opened into one view, the outcome of each file, and
 * the current query's result set. Pure state and logic; the webview adapter drives it.
 */
import {
  SEVERITIES,
  type Facet,
  type FileNote,
  type LoadStatus,
  type RowSummary,
  type Severity,
  type SortOrder,
  type Timeline,
} from '../../protocol/logViewer';
import type { FiredDetection } from './storeProtocol';
import { type LoadResult, rereadRaws } from '../ingest/decode';
import { topValues } from '../investigate/facets';
import { buildTimeline } from '../investigate/timeline';
import { SearchEngine, SearchResult, TEXT_FIELDS, type ValueMatch } from '../query/search';
import { EventStore, IndexedField, StringField } from '../store/store';
import { formatUtc } from '../model/time';
import { ChainIndex } from '../investigate/identity/chains';
import { IP_SET_FAMILIES, IpFacts } from '../investigate/ipFacts';
import { IpEnricher } from '../enrich/enricher';
import { defaultEnricher } from '../enrich/loadSources';
import { ipCells } from '../enrich/ipText';
import { setSourcePlaces } from '../investigate/detections/places';
import { DETECTION_SET } from '../investigate/detections/run';
import type { RowNotes } from '../investigate/detections/ruleKinds';
import { parseQuery } from '../query/query';
import { resolveSetIds } from '../query/termFilters';

const MAX_NOTES = 500;
/** Columns whose cells show highlights, with the store field behind each. */
const VISIBLE: ReadonlyArray<[RowSummaryColumn, StringField]> = [
  ['eventName', 'eventName'],
  ['eventSource', 'eventSource'],
  ['principal', 'principal'],
  ['sourceIp', 'sourceIp'],
  ['awsRegion', 'awsRegion'],
  ['errorCode', 'errorCode'],
];
type RowSummaryColumn = 'eventName' | 'eventSource' | 'principal' | 'sourceIp' | 'awsRegion' | 'errorCode';

/** Labels of the fields that have a column, for a typo match named in the match column. */
const COLUMN_LABELS: Partial<Record<IndexedField, string>> = {
  eventName: 'event',
  eventSource: 'source',
  principal: 'principal',
  sourceIp: 'IP',
  awsRegion: 'region',
  errorCode: 'error',
};

const FIELD_LABELS: Partial<Record<IndexedField, string>> = {
  principalArn: 'ARN',
  accessKeyId: 'access key',
  userAgent: 'user agent',
  resources: 'resource',
  account: 'account',
};

export class Investigation {
  readonly store = new EventStore(rereadRaws);
  readonly engine = new SearchEngine(this.store);
  private readonly notes: FileNote[] = [];
  private notesOmitted = 0;
  private filesDone = 0;
  private filesFailed = 0;
  private digests = 0;
  filesTotal = 0;
  loading = false;
  cancelled = false;
  current: string | undefined;
  private result: SearchResult | undefined;
  private resultKey = '';
  /** The current result set's query text. */
  private resultText = '';
  private resultStoreVersion = -1;
  /** Bumped whenever the result set changes, so the webview drops stale rows. */
  resultVersion = 0;
  private chainIndex: ChainIndex | undefined;
  private ipFacts = new IpFacts(this.store, () => this.makeEnricher());
  private ipSetsVersion = -1;
  /** What detections said about the rows they fired on, by lower-case rule id (setDetectionNotes). */
  private detectionNotes = new Map<string, { id: string; notes: RowNotes }>();
  /** The noted detections the current query names. */
  private notedRules: Array<[string, RowNotes]> = [];

  /** `makeEnricher`: the IP data sets (tests hand in their own). */
  constructor(private makeEnricher: () => IpEnricher = defaultEnricher) {
    // Detections ask where source IPs are (first seen by country or ASN, impossible travel).
    setSourcePlaces(this.store, this.ipFacts.places());
  }

  /** Where source IPs are: per distinct IP, on first use. */
  get ip(): IpFacts {
    return this.ipFacts;
  }

  /**
   * Changes the IP data sets (the user's MMDB setting, a refreshed ip-ranges.json): every address
   * is looked up again, and the IP terms name their rows anew, on next use.
   */
  setIpData(makeEnricher: () => IpEnricher): void {
    this.makeEnricher = makeEnricher;
    this.ipFacts = new IpFacts(this.store, () => this.makeEnricher());
    setSourcePlaces(this.store, this.ipFacts.places());
    this.ipSetsVersion = -1;
    this.result = undefined;
  }

  /** The credential chains of the store (made on first use; it indexes rows added since on each use). */
  get chains(): ChainIndex {
    return (this.chainIndex ??= new ChainIndex(this.store));
  }

  /** Records one file's outcome; returns the number of events it added. */
  addFile(label: string, result: LoadResult): number {
    const file = this.filesDone++;
    if (result.kind === 'error') {
      this.filesFailed++;
      this.note({ label, state: 'failed', message: result.reason });
      return 0;
    }
    if (result.kind === 'digest') {
      this.digests++;
      const d = result.digest;
      this.note({
        label,
        state: 'digest',
        message: `A CloudTrail digest file, not a log: account ${d.account || '?'}, ${d.startTime || '?'} to ${d.endTime || '?'}, ${d.logFiles} log file${d.logFiles === 1 ? '' : 's'} listed. Integrity validation reads these.`,
      });
      return 0;
    }
    let added = 0;
    if (result.kind === 'batch') added = this.store.addBatch(result.batch, file);
    else for (const rec of result.records) if (this.store.add(rec, file)) added++;
    if ((result.kind === 'batch' ? result.batch.count : result.records.length) === 0)
      this.note({ label, state: 'empty', message: 'A valid log file with no events.' });
    else if (result.warning) this.note({ label, state: 'loaded', message: result.warning });
    return added;
  }

  /** Notes a problem that is not a file's decode result (an unreadable folder). */
  addProblem(label: string, reason: string): void {
    // Counted as a file that failed, so "N of M files could not be read" adds up.
    this.filesTotal++;
    this.filesDone++;
    this.filesFailed++;
    this.note({ label, state: 'failed', message: reason });
  }

  private note(n: FileNote): void {
    this.notes.push(n);
    if (this.notes.length > MAX_NOTES) {
      this.notes.shift();
      this.notesOmitted++;
    }
  }

  status(): LoadStatus {
    return {
      loading: this.loading,
      filesTotal: this.filesTotal,
      filesDone: this.filesDone,
      filesFailed: this.filesFailed,
      digests: this.digests,
      events: this.store.size,
      duplicates: this.store.duplicates,
      notes: this.notes.slice(),
      notesOmitted: this.notesOmitted,
      current: this.current,
      cancelled: this.cancelled,
    };
  }

  /**
   * Names the IP row sets (country:, asn:, org:, aws:, awsService:) in the engine for what is
   * loaded: again whenever events were added, each family computed when a search first names it.
   * Queries and detection runs call it (rules may use the IP terms).
   */
  nameIpSets(): void {
    if (this.ipSetsVersion === this.store.version) return;
    this.ipSetsVersion = this.store.version;
    for (const family of IP_SET_FAMILIES)
      this.engine.setRowSetsLazily(family, () => this.ip.rowSets(family), { open: true });
  }

  /** Runs (or reuses) the query; returns the current result set. */
  query(text: string, sort: SortOrder): { version: number; total: number; errors: string[] } {
    this.nameIpSets();
    // New detection results change what detection:<id> selects, with the store unchanged.
    const key = `${sort}\u0000${this.engine.rowSetsVersion}\u0000${text}`;
    if (!this.result || key !== this.resultKey || this.resultStoreVersion !== this.store.version) {
      this.result = this.engine.search(text, sort);
      this.notedRules = this.rulesWithNotes(text);
      this.resultText = text;
      this.resultKey = key;
      this.resultStoreVersion = this.store.version;
      this.resultVersion++;
    }
    return { version: this.resultVersion, total: this.result.rows.length, errors: this.result.errors };
  }

  /**
   * The detections that fired on events of the current result set, with how many: most severe
   * first, then most events. `rules` names them (the last run's rules); other sets are left out.
   */
  firedIn(rules: ReadonlyMap<string, { title: string; severity: Severity }>, most = 20): FiredDetection[] {
    const rows = this.resultRows();
    const mine = new Uint8Array(this.store.size);
    for (let i = 0; i < rows.length; i++) mine[rows[i]] = 1;
    const out: FiredDetection[] = [];
    for (const [id, set] of this.engine.rowSetsOf(DETECTION_SET)) {
      const rule = rules.get(id);
      if (!rule) continue;
      let n = 0;
      for (let i = 0; i < set.length; i++) n += mine[set[i]] ?? 0;
      if (n > 0) out.push({ id, title: rule.title, severity: rule.severity, count: n });
    }
    const rank = (s: Severity): number => SEVERITIES.indexOf(s);
    return out.sort((a, b) => rank(a.severity) - rank(b.severity) || b.count - a.count).slice(0, most);
  }

  /** Store rows of the current result set, in display order (empty before the first query). */
  resultRows(): Uint32Array {
    return this.result?.rows ?? new Uint32Array();
  }

  /** The current result set's timeline and top values. */
  overview(): { timeline: Timeline; facets: Facet[] } {
    const rows = this.resultRows();
    const s = this.store;
    const noError = s.dictionary('errorCode').idOf('');
    return {
      timeline: buildTimeline(
        rows,
        (r) => s.time(r),
        (r) => s.valueId('errorCode', r) !== noError,
      ),
      facets: [...topValues(s, rows), ...this.ip.facets(rows)],
    };
  }

  /** Summaries of result rows [start, start+count). */
  rows(start: number, count: number): RowSummary[] {
    const rows = this.result?.rows ?? new Uint32Array();
    const out: RowSummary[] = [];
    for (let i = Math.max(0, start); i < Math.min(rows.length, start + count); i++) out.push(this.summarize(rows[i]));
    return out;
  }

  summarize(row: number): RowSummary {
    const s = this.store;
    const time = s.time(row);
    const type = s.value('identityType', row);
    const arn = s.value('principalArn', row);
    const summary: RowSummary = {
      id: row,
      time: Number.isNaN(time) ? null : time,
      timeText: Number.isNaN(time) ? '' : formatUtc(time),
      eventName: cell(s.value('eventName', row)),
      eventSource: cell(s.value('eventSource', row)),
      principal: cell(s.value('principal', row)),
      principalDetail: cell([type || 'no identity type', arn].filter(Boolean).join(' · ')),
      sourceIp: cell(s.value('sourceIp', row)),
      ...this.ipSummary(row),
      awsRegion: cell(s.value('awsRegion', row)),
      errorCode: cell(s.value('errorCode', row)),
      readOnly: s.value('readOnly', row),
    };
    if (summary.errorCode) summary.errorMessage = s.value('errorMessage', row).slice(0, 500) || undefined;
    const matches = this.result?.matches;
    if (matches && matches.size > 0) this.addHighlights(summary, row, matches);
    if (!summary.otherMatch)
      for (const [id, notes] of this.notedRules) {
        const note = notes.get(row);
        if (note) {
          summary.otherMatch = { field: id, value: cell(note), ranges: [], note: true };
          break;
        }
      }
    return summary;
  }

  /**
   * Keeps what detections said about the rows they fired on (impossible travel: how far, how
   * fast), by rule id; a row of a query naming that detection shows it in "Matched in".
   */
  setDetectionNotes(results: ReadonlyArray<{ rule: { id: string }; notes?: RowNotes }>): void {
    this.detectionNotes = new Map(
      results
        .filter((r) => r.notes && r.notes.size > 0)
        .map((r) => [r.rule.id.toLowerCase(), { id: r.rule.id, notes: r.notes! }]),
    );
    this.notedRules = this.rulesWithNotes(this.resultText);
  }

  /** The noted detections a query selects by `detection:<id>` (not negated), by rule id (the short name "Matched in" shows). */
  private rulesWithNotes(text: string): Array<[string, RowNotes]> {
    if (this.detectionNotes.size === 0 || !/detection:/i.test(text)) return [];
    const ids = [...this.detectionNotes.keys()];
    const out: Array<[string, RowNotes]> = [];
    for (const t of parseQuery(text).terms)
      if (t.kind === 'set' && t.set.toLowerCase() === DETECTION_SET && !t.negate)
        for (const id of resolveSetIds(t, ids).ids) {
          const n = this.detectionNotes.get(id)!;
          out.push([n.id, n.notes]);
        }
    return out;
  }

  /** The row's Country and ASN cells and their tooltip. */
  private ipSummary(row: number): Pick<RowSummary, 'country' | 'asn' | 'ipDetail'> {
    const { country, asn, detail } = ipCells(this.ip.ofRow(row), this.ip.enricher.sources);
    return { country: cell(country), asn: cell(asn), ipDetail: detail };
  }

  private addHighlights(summary: RowSummary, row: number, matches: SearchResult['matches']): void {
    const s = this.store;
    const highlights: NonNullable<RowSummary['highlights']> = {};
    for (const [column, field] of VISIBLE) {
      const m = matches.get(field)?.get(s.valueId(field, row));
      if (m) highlights[column] = m.ranges;
    }
    summary.highlights = highlights;
    // A typo match says which value it took and how far it was from what was typed, in any
    // field; otherwise the match column names a match only where no visible column shows one.
    const best =
      this.bestMatch(row, matches, true) ??
      (Object.keys(highlights).length > 0 ? undefined : this.bestMatch(row, matches, false));
    if (best) summary.otherMatch = best;
  }

  /** The row's best-scoring match in a field (typo matches only, or in fields without a column). */
  private bestMatch(row: number, matches: SearchResult['matches'], typos: boolean): RowSummary['otherMatch'] {
    const s = this.store;
    let best: { m: ValueMatch; field: IndexedField; id: number } | undefined;
    for (const field of TEXT_FIELDS) {
      if (!typos && !FIELD_LABELS[field]) continue;
      const found = matches.get(field);
      if (!found) continue;
      const ids = field === 'resources' ? Array.from(s.resourceValueIds(row)) : [s.valueId(field, row)];
      for (const id of ids) {
        const m = found.get(id);
        if (m && (!typos || m.distance !== undefined) && (!best || m.score < best.m.score)) best = { m, field, id };
      }
    }
    if (!best) return undefined;
    return {
      field: FIELD_LABELS[best.field] ?? COLUMN_LABELS[best.field] ?? best.field,
      value: cell(s.dictionary(best.field).values[best.id]),
      ranges: best.m.ranges,
      ...(best.m.distance !== undefined ? { distance: best.m.distance } : {}),
    };
  }
}

/** A table cell shows a line, not a novel: values past this are cut before they are sent. */
const MAX_CELL = 1000;
function cell(value: string): string {
  return value.length > MAX_CELL ? `${value.slice(0, MAX_CELL)}…` : value;
}
