/**
 * Runs the integration suite inside a real VS Code extension host (code-server; see
 * ../shared/notes/e2e-in-code-server.md) over a fresh fixture workspace. Prints the suite's
 * output and writes the counts to out/integration-result.json for scripts/test.mjs.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeFixtureWorkspace } from '../support/fixtures';
import { runIntegrationSuite } from './runInCodeServer';

async function main(): Promise<void> {
  const root = resolve(__dirname, '../../..');
  const workspace = makeFixtureWorkspace();
  let passed = 0;
  let failed = 0;
  let exitCode = 1;
  try {
    const result = await runIntegrationSuite({
      extensionPath: root,
      suitePath: join(root, 'out/test/integration/suite/index.js'),
      workspace,
    });
    exitCode = result.exitCode;
    for (const line of result.log) {
      const m = /integration: (\d+) passed, (\d+) failed/.exec(line);
      if (m) [passed, failed] = [Number(m[1]), Number(m[2])];
    }
    if (exitCode !== 0 && failed === 0) failed = 1; // the suite never got to count
  } catch (e) {
    console.error(`integration: the suite could not run: ${(e as Error).message}`);
    failed = Math.max(failed, 1);
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
  mkdirSync(join(root, 'out'), { recursive: true });
  writeFileSync(join(root, 'out/integration-result.json'), JSON.stringify({ passed, failed }));
  process.exitCode = exitCode === 0 && failed === 0 ? 0 : 1;
}

void main();
