/**
 * First-seen ("new terms") rules, as Elastic's new-terms rules define them: an event fires when
 * the combination of the rule's fields was not seen among the rule's events in the history
 * window before it. Elastic evaluates each run's new events against [now − history, run start);
 * over a fixed set of loaded events the same thing is a window sliding with each event:
 *
 * - the candidates are the events the rule's query selects, taken oldest first;
 * - an event whose fields are not all present is left out (Elastic requires every new-terms field);
 * - it fires when no earlier candidate had its combination within `baselineDays` before it;
 * - but only when the loaded events reach back a whole baseline before it: the first
 *   `baselineDays` of the data are the learning period (with no history everything is new).
 *
 * Memory: one time per distinct combination (a Map), whatever the number of events.
 */
import type { EventStore } from '../../store/store';
import type { FirstSeen } from './ruleKinds';
import { keyReader, type MarkOptions } from './groupKeys';
import { certainlyOnce, KeyTable, numericKeys } from './keyTable';

/**
 * Marks (in `o.fired`, a zeroed mask over the store's rows) the candidates that are first seen;
 * `ordered` holds them oldest first, each with a time.
 */
export function firstSeen(store: EventStore, ordered: Uint32Array, rule: FirstSeen, o: MarkOptions = {}): Uint8Array {
  const fired = o.fired ?? new Uint8Array(store.size);
  const start = dataStart(store);
  if (ordered.length === 0 || start === undefined) return fired;
  const times = store.timeColumn();
  const baseline = rule.baselineDays * 86_400_000;
  const learnedBy = start + baseline;
  const key = keyReader(store, rule.fields);
  // Numeric keys (the usual case) in a typed-array table; text keys (too many combinations for a double) in a Map.
  const table = new KeyTable();
  const texts = new Map<string, number>();
  const keys = numericKeys(ordered, key);
  // A key seen once has no earlier sighting: it needs no table (most of them, keyed by address).
  const once = keys && o.sieve !== false ? certainlyOnce(keys) : undefined;
  for (let i = 0; i < ordered.length; i++) {
    const row = ordered[i];
    const k = keys ? keys[i] : key(row);
    if (k === undefined || k !== k) continue;
    const t = times[row];
    if (once?.[i]) {
      if (t >= learnedBy) fired[row] = 1;
      continue;
    }
    let prev: number;
    if (typeof k === 'number') prev = table.swap(k, t, NaN);
    else {
      prev = texts.get(k) ?? NaN;
      texts.set(k, t);
    }
    if (t >= learnedBy && (Number.isNaN(prev) || t - prev > baseline)) fired[row] = 1;
  }
  return fired;
}

/** The time of the oldest loaded event (of any kind), if any has one. */
function dataStart(store: EventStore): number | undefined {
  const order = store.rowsByTime();
  const times = store.timeColumn();
  for (let i = order.length - 1; i >= 0; i--) if (!Number.isNaN(times[order[i]])) return times[order[i]];
  return undefined;
}
