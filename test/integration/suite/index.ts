/**
 * The integration suite's entry, in the shape `@vscode/test-electron` (and VS Code's browser
 * test harness, used here in code-server) expects: `run()` resolves when all tests pass.
 * Its last line, `integration: N passed, M failed`, is read by test/integration/run.ts.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  for (const f of readdirSync(__dirname)
    .filter((n) => n.endsWith('.test.js'))
    .sort())
    mocha.addFile(join(__dirname, f));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const stats = runner.stats ?? { passes: 0, failures };
      console.log(`integration: ${stats.passes} passed, ${stats.failures} failed`);
      if (failures > 0) reject(new Error(`${failures} integration test${failures === 1 ? '' : 's'} failed`));
      else resolve();
    });
  });
}
