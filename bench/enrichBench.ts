/**
 * IP enrichment (#24) over the loaded corpus: what the data sets cost to open and hold, what
 * enriching every distinct source IP costs (the corpus's addresses: its users' public IPs, AWS
 * addresses of instance sessions, private ranges and service names), and the rules that use it.
 * Enrichment is lazy — the load itself never waits for it — so "added to load" is what the first
 * top values after the load pay: every distinct address enriched, and the country and network
 * counts over every event.
 */
import type { Investigation } from '../src/core/engine/investigation';
import { defaultEnricher } from '../src/core/enrich/loadSources';
import { loadRules } from '../src/core/investigate/detections/rules';
import { runRule } from '../src/core/investigate/detections/run';
import { builtInRuleFiles } from '../test/support/ruleLibrary';

type Report = (name: string, value: number | string, unit?: string) => void;

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const held = (): number => {
  const m = process.memoryUsage();
  // external counts the Buffers (arrayBuffers is part of it).
  return m.heapUsed + m.external;
};

/**
 * What the data sets hold once open, measured before the corpus loads (a million events' heap
 * moves by more than the data sets weigh): the heap and the buffers (the MMDB and the ASN table
 * are read whole into memory).
 */
export function enrichDataMemory(report: Report): number {
  gc();
  const before = held();
  const t = performance.now();
  const enricher = defaultEnricher();
  report('enrich_data_open', performance.now() - t, 'ms');
  gc();
  const mb = (held() - before) / 1e6;
  report('enrich_data_memory', mb, 'MB');
  if (enricher.sources.problems.length > 0) console.log(`# data problems: ${enricher.sources.problems.join('; ')}`);
  // Kept alive to here, so the collector could not take it before the measure.
  return enricher.sources.info.length >= 0 ? mb : 0;
}

export function enrichBench(report: Report, inv: Investigation, dataMb: number): void {
  const store = inv.store;
  const values = store.dictionary('sourceIp').values;
  report('enrich_distinct_source_values', values.length);

  const enricher = defaultEnricher();
  let t = performance.now();
  for (const v of values) enricher.enrich(v);
  report('enrich_all_distinct', performance.now() - t, 'ms');

  // The investigation's own path after a load: the first top values (every address, then counts over every row).
  const all = inv.engine.search('', 'newest').rows;
  t = performance.now();
  const facets = inv.ip.facets(all);
  const firstTopValues = performance.now() - t;
  report('enrich_first_top_values', firstTopValues, 'ms');
  report('enrich_countries', facets.find((f) => f.name === 'country')?.distinct ?? 0);
  t = performance.now();
  inv.nameIpSets();
  report('enrich_first_country_query', (inv.query('country:de', 'newest'), performance.now() - t), 'ms');

  const lib = loadRules(builtInRuleFiles());
  const ipRules = lib.rules.filter((r) => /travel|new-country|new-asn|outside-aws/.test(r.id));
  let ruleMs = 0;
  for (const r of ipRules) {
    const s = performance.now();
    const res = runRule(inv.engine, store, r);
    const ms = performance.now() - s;
    ruleMs += ms;
    report(`rule_${r.id}`, ms, `ms, ${res.count} events (${((res.count / store.size) * 100).toFixed(3)} %)`);
  }
  report('enrich_rules_total', ruleMs, 'ms');

  console.log('\n# targets (#24), on this machine:');
  const check = (label: string, ok: boolean, detail: string): void =>
    console.log(`#   ${ok ? 'MET ' : 'NOT MET'}  ${label}: ${detail}`);
  const added = firstTopValues / 1000;
  check(
    'enrichment ≤ 1 s added to load',
    added <= 1,
    `${added.toFixed(2)} s for ${values.length.toLocaleString()} distinct source values over ${store.size.toLocaleString()} events`,
  );
  check(
    'data set memory ≤ 100 MB',
    dataMb <= 100,
    `${dataMb.toFixed(1)} MB held (country MMDB, ASN table, AWS ranges, country points)`,
  );
}
