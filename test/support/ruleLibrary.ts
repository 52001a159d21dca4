/**
 * The built-in rule files as the extension ships them (`detections/*.json` and `.yml`), and the
 * events of their own cases (`tests`), for tests that need the library or realistic events.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RuleFile } from '../../src/core/investigate/detections/rules';
import { ruleTestsOf, type RuleTest } from '../../src/core/investigate/detections/ruleTests';
import { repoRoot } from './repoRoot';

/** The top-level rule files of `detections/` (the built-in library). */
export function builtInRuleFiles(): RuleFile[] {
  const dir = join(repoRoot(), 'detections');
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && /\.(json|ya?ml)$/i.test(d.name))
    .map((d) => ({ name: d.name, text: readFileSync(join(dir, d.name), 'utf8') }));
}

/** Each built-in JSON rule file's cases, by file name. */
export function builtInRuleTests(): Map<string, RuleTest[]> {
  return new Map(
    builtInRuleFiles()
      .filter((f) => f.name.endsWith('.json'))
      .map((f) => [f.name, ruleTestsOf(f.text)]),
  );
}

/** Every event of every built-in rule's cases (firing ones and near misses). */
export function ruleCaseEvents(): Array<Record<string, unknown>> {
  return [...builtInRuleTests().values()].flatMap((cases) => cases.flatMap((c) => c.events));
}
