/**
 * Runs the same integration suite with @vscode/test-electron, for machines that can download a
 * VS Code build (this project's CI cannot: it reaches only npm and Debian, so `npm test` runs the
 * suite in code-server instead — see run.ts). `npm run test:electron` after `npm run build -- --tests`.
 */
import { join, resolve } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { makeFixtureWorkspace } from '../support/fixtures';

async function main(): Promise<void> {
  const root = resolve(__dirname, '../../..');
  const workspace = makeFixtureWorkspace();
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'out/test/integration/suite/index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    version: process.env.VSCODE_VERSION ?? 'stable',
  });
}

main().catch((e: unknown) => {
  console.error(`integration (test-electron): ${(e as Error).message}`);
  process.exitCode = 1;
});
