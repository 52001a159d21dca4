/**
 * What the remote back ends (Athena, Logs Insights) share: terms a back end cannot express exactly
 * are sent as a looser filter that keeps every matching event, and the events that come back are
 * checked here with the local engine itself, so all back ends give the same events. Free text is
 * the one difference: remotely it is substring matching only (no typo tolerance), since a fuzzy
 * match depends on the whole local vocabulary.
 */
import type { CtRecord } from '../model/records';
import { EventStore } from '../store/store';
import type { ParsedQuery, Term, TimeTerm, SetTerm } from './query';
import { IP_SET_FIELDS } from './query';
import { SearchEngine } from './search';

/** One back end's rendering of a query. */
export interface RemotePlan {
  /** Terms that could not be sent at all, each "name: why" (the query should not run as is). */
  unsupported: string[];
  /** Terms sent as a looser filter and checked on the events that come back. */
  residual: Term[];
  /** Sentences for the user about how the query was rendered (free text, residual terms). */
  notes: string[];
}

/** A query's terms as a remote compiler takes them: time folded into one window, sets refused. */
export interface RemoteTerms {
  /** The window: the caller's, narrowed by the query's `after:`/`before:` (epoch ms, [start, end)). */
  start?: number;
  end?: number;
  /** The terms left for the back end to compile. */
  terms: Array<Exclude<Term, TimeTerm | SetTerm>>;
  /** `detection:` and other row-set terms, each named with why it cannot run remotely. */
  unsupported: string[];
}

/** The first step of every remote compiler (Athena, Logs Insights). */
export function remoteTerms(parsed: ParsedQuery, window: { start?: number; end?: number } = {}): RemoteTerms {
  let { start, end } = window;
  const terms: RemoteTerms['terms'] = [];
  const unsupported: string[] = [];
  for (const term of parsed.terms) {
    if (term.kind === 'time') {
      if (term.after !== undefined) start = start === undefined ? term.after : Math.max(start, term.after);
      if (term.before !== undefined) end = end === undefined ? term.before : Math.min(end, term.before);
    } else if (term.kind === 'set' && IP_SET_FIELDS.has(term.set)) {
      unsupported.push(
        `${term.name}: the IP data sets (country, ASN, AWS ranges) live in this extension, not in the remote store; run the rest remotely and add ${term.name}: to the results' own search.`,
      );
    } else if (term.kind === 'field' && term.typo) {
      unsupported.push(
        `${term.name}:~${term.values[0] ?? ''}: typo matching runs over the loaded logs' values, which the remote store does not have; search the exact value (or a wildcard) remotely.`,
      );
    } else if (term.kind === 'set') {
      unsupported.push(
        `${term.name}: ${term.set} results exist only in the investigation they ran in; run the ${term.set}'s own query instead.`,
      );
    } else terms.push(term);
  }
  return { start, end, terms, unsupported };
}

/** The name of a term for messages. */
export function termName(t: Term): string {
  return t.kind === 'text' ? `"${t.text}"` : t.kind === 'time' ? 'time' : t.name;
}

/** The notes every remote back end adds: free text is substring matching; residual terms are re-checked here. */
export function remoteNotes(
  parsed: ParsedQuery,
  residual: readonly Term[],
  backEnd: string,
  limitName: string,
): string[] {
  const notes: string[] = [];
  if (parsed.terms.some((t) => t.kind === 'text'))
    notes.push(
      'Free text is matched as a substring (no typo tolerance) in the event name, principal, access key, source IP, error code, event source, resources, region, account and user agent.',
    );
  if (residual.length)
    notes.push(
      `${[...new Set(residual.map(termName))].join(', ')}: ${backEnd} narrows these, and the events that come back are checked here; the ${limitName} counts before that check.`,
    );
  return notes;
}

/**
 * The records matching every residual term, in their order (the local engine over just these
 * records, fuzzy matching off). Records without an eventID, or repeating one, are kept as they are
 * when there is nothing to check.
 */
export function applyResidual(records: readonly CtRecord[], residual: readonly Term[]): CtRecord[] {
  if (residual.length === 0) return records.slice();
  const store = new EventStore();
  const kept: CtRecord[] = [];
  for (const r of records) if (store.add(r, 0)) kept.push(r);
  // No typo matching: a remote text term is a substring search.
  const engine = new SearchEngine(store, false);
  const rows = engine.search({ terms: residual.slice(), errors: [] } satisfies ParsedQuery, 'oldest').rows;
  const keep = new Uint8Array(kept.length);
  for (const r of rows) keep[r] = 1;
  return kept.filter((_r, i) => keep[i] === 1);
}

/**
 * Characters JSON writes as themselves in every serializer (no `"`, `\`, `/`, control or
 * non-ASCII characters): a piece made of them appears verbatim in an event's JSON text whenever
 * the value holding it does.
 */
const JSON_SAFE = /[A-Za-z0-9_.:@+=,#$%&!?~^|;<>()[\]{}'`-]+/g;

/** Constant words principal names are made of (principal.ts): a piece inside one proves nothing. */
const SYNTHESIZED = [
  'root',
  'aws service',
  'assumed role',
  'account',
  'via',
  'federated',
  'identity-center',
  'unknown',
];

/**
 * The longest piece of `value` (lower-case) that must appear in the JSON text of any event whose
 * field holds a value matching it (`*` wildcards split pieces when `glob`), or undefined when no
 * piece is long enough to be worth a filter. Pieces inside the words principal names are built
 * from are skipped, as are pieces that could cross a `/` or space a name was joined with.
 */
export function rawPiece(value: string, glob: boolean): string | undefined {
  const lower = value.toLowerCase();
  let best = '';
  for (const chunk of glob ? lower.split('*') : [lower]) {
    for (const piece of chunk.split(/[\s/]+/)) {
      for (const m of piece.matchAll(JSON_SAFE)) {
        const p = m[0];
        if (p.length > best.length && !SYNTHESIZED.some((w) => w.includes(p))) best = p;
      }
    }
  }
  return best.length >= 2 ? best : undefined;
}
