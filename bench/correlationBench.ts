/**
 * First-seen and correlation rules in `npm run bench` (#23): the built-in ones (detections/*.json
 * with `firstSeen` or `correlation`) and three Sigma correlations written here (event_count,
 * value_count over a path, temporal_ordered), over the loaded corpus, timed as the store worker
 * runs them. Target: together ≤ 1 s at 1M events, the indexes their terms need already built
 * (the first run, which builds them, is reported too).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Investigation } from '../src/core/engine/investigation';
import { loadRules, type RuleFile } from '../src/core/investigate/detections/rules';
import { runDetections } from '../src/core/investigate/detections/run';

type Report = (name: string, value: number | string, unit?: string) => void;

const BASE = `title: S3 reads
name: s3_reads
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    eventSource: s3.amazonaws.com
  condition: selection
---
title: Writes
name: writes
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    readOnly: false
  condition: selection
`;
const sigma = (name: string, body: string): RuleFile => ({
  name,
  text: `title: ${name}\nlevel: low\ncorrelation:\n${body}\n---\n${BASE}`,
});
const SIGMA: RuleFile[] = [
  sigma(
    'mr_bench_count.yml',
    '  type: event_count\n  rules: [s3_reads]\n  group-by: [userIdentity.arn]\n  timespan: 10m\n  condition: {gte: 50}',
  ),
  sigma(
    'mr_bench_distinct.yml',
    '  type: value_count\n  rules: [s3_reads]\n  group-by: [userIdentity.arn]\n  timespan: 1h\n  condition: {gte: 20, field: sourceIPAddress}',
  ),
  sigma(
    'mr_bench_ordered.yml',
    '  type: temporal_ordered\n  rules: [s3_reads, writes]\n  group-by: [userIdentity.arn, sourceIPAddress]\n  timespan: 5m',
  ),
];

/** Runs the first-seen and correlation rules over `inv` (already loaded), reporting times and counts. */
export async function correlationBench(report: Report, inv: Investigation, root: string): Promise<void> {
  const dir = join(root, 'detections');
  const files = readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }))
    .filter((f) => /"(firstSeen|correlation)"\s*:/.test(f.text));
  const lib = loadRules(files, SIGMA);
  for (const p of lib.problems) console.log(`#   refused ${p.file}: ${p.problems.join(' ')}`);
  report('correlation_rules', lib.rules.length);
  let t = performance.now();
  await runDetections(inv.engine, inv.store, lib.rules);
  report('correlation_first_run_time', (performance.now() - t) / 1000, 's');
  t = performance.now();
  const cpu0 = process.cpuUsage();
  const results = await runDetections(inv.engine, inv.store, lib.rules);
  const seconds = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  report('correlation_time', seconds, 's');
  // Wall time on the shared machine moves with its other work; this thread's CPU time less so.
  report('correlation_cpu_time', cpuSeconds, 'cpu-s');
  for (const r of results) {
    const one = performance.now();
    await runDetections(inv.engine, inv.store, [r.rule]);
    const whole = (performance.now() - one) / 1000;
    // How much of it is the search for the candidates, the part every rule kind pays.
    const s = performance.now();
    for (const q of r.rule.query) inv.engine.search(q, 'newest');
    const search = (performance.now() - s) / 1000;
    console.log(
      `#   ${whole.toFixed(3).padStart(7)} s (search ${search.toFixed(3)} s)  ${String(r.count).padStart(9)} events  ${r.rule.id}${r.rule.firstSeen ? ' (first seen)' : ` (${r.rule.correlation!.type})`}`,
    );
  }
  console.log('# first-seen and correlation targets:');
  console.log(
    `#   ${cpuSeconds <= 1 ? 'MET ' : 'NOT MET'}  first-seen and sequence rules (${lib.rules.length}) together ≤ 1 s after load: ${cpuSeconds.toFixed(2)} cpu-s (${seconds.toFixed(2)} s wall on a shared machine)`,
  );
}
