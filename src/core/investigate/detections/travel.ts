/**
 * Impossible travel: two events of one principal (or access key) from places farther apart than
 * a plane could fly between their times. The candidates (the rule's query: usually public
 * addresses outside AWS) are taken oldest first; each group keeps its last placed event, and an
 * event fires when it is at least `minKm` from that one and reaching it took more than `maxKmh`.
 * Places are the user's City MMDB coordinates where present, else the country's point (places.ts),
 * so two addresses in one country are 0 km apart at country precision: only travel between
 * countries is seen then. Every fired event gets a note: from where, how far, how fast.
 */
import { distanceKm, type Place } from '../../enrich/centroids';
import type { EventStore } from '../../store/store';
import { keyReader, type MarkOptions } from './groupKeys';
import { sourcePlaces } from './places';
import type { RowNotes, Travel } from './ruleKinds';

interface Last {
  time: number;
  place: Place;
  ip: string;
}

/**
 * Marks (in `o.fired`) the candidates that are an impossible trip from their group's event
 * before; `ordered` holds them oldest first, each with a time. Returns the notes by row.
 */
export function impossibleTravel(
  store: EventStore,
  ordered: Uint32Array,
  rule: Travel,
  o: MarkOptions = {},
): { fired: Uint8Array; notes: RowNotes } {
  const fired = o.fired ?? new Uint8Array(store.size);
  // Each fired row's trip, by the row it came from; written out as text only when shown.
  const from = new Map<number, number>();
  const places = sourcePlaces(store);
  const notes: RowNotes = {
    get size() {
      return from.size;
    },
    get: (row) => {
      const prev = from.get(row);
      if (prev === undefined || !places) return undefined;
      const at = (r: number): Last | undefined => {
        const id = store.valueId('sourceIp', r);
        const place = places.place(id);
        return place && { time: store.time(r), place, ip: store.dictionary('sourceIp').values[id] };
      };
      // The IP data may have changed since the run (a refreshed ip-ranges.json): then no note.
      const a = at(prev);
      const b = at(row);
      return a && b ? travelNote(a, b) : undefined;
    },
  };
  if (!places || ordered.length === 0) return { fired, notes };
  const key = keyReader(store, rule.by);
  const times = store.timeColumn();
  const ipCol = store.column('sourceIp');
  // Per distinct address: its place, looked up once (undefined: not yet asked; null: none).
  const placeById: Array<Place | null | undefined> = [];
  const last = new Map<number | string, { time: number; place: Place; row: number }>();
  for (let i = 0; i < ordered.length; i++) {
    const row = ordered[i];
    const k = key(row);
    if (k === undefined) continue;
    const id = ipCol[row];
    let place = placeById[id];
    if (place === undefined) placeById[id] = place = places.place(id) ?? null;
    if (!place) continue;
    const t = times[row];
    const prev = last.get(k);
    last.set(k, { time: t, place, row });
    if (!prev) continue;
    const km = distanceKm(prev.place, place);
    if (km < rule.minKm || speedKmh(km, t - prev.time) <= rule.maxKmh) continue;
    fired[row] = 1;
    from.set(row, prev.row);
  }
  return { fired, notes };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function span(ms: number): string {
  const min = Math.round(ms / 60_000);
  if (min < 1) return `${Math.round(ms / 1000)} s`;
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  return `${h} h${min % 60 ? ` ${min % 60} min` : ''}`;
}

/** The speed `km` in `ms` takes (Infinity when no time passed): one figure for the rule and its note. */
function speedKmh(km: number, ms: number): number {
  const hours = Math.max(0, ms) / 3_600_000;
  return hours > 0 ? km / hours : Infinity;
}

/** `7,785 km in 40 min (11,678 km/h): DE (185.220.101.45) → US; country points, …`. */
function travelNote(prev: Last, cur: Last): string {
  const km = distanceKm(prev.place, cur.place);
  const kmh = speedKmh(km, cur.time - prev.time);
  const coarse = prev.place.precision === 'country' || cur.place.precision === 'country';
  const speed = Number.isFinite(kmh) ? `${fmt(kmh)} km/h` : 'at the same moment';
  return `${fmt(km)} km in ${span(cur.time - prev.time)} (${speed}): ${prev.place.label} (${prev.ip}) → ${cur.place.label}${coarse ? '; country points, so the distance is between countries' : ''}`;
}
