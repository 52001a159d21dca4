/**
 * Runs an integration suite inside code-server's real extension host, the way VS Code runs its
 * own browser integration tests: the workbench URL carries extensionDevelopmentPath and
 * extensionTestsPath in its `payload`, the extension host loads the suite module and calls its
 * `run()`, and the workbench reports console output and the result through two functions it
 * looks for on `window` (codeAutomationLog, codeAutomationExit).
 *
 * The suite module has the shape `@vscode/test-electron` expects (`export function run():
 * Promise<void>`, usually wrapping mocha), so one suite serves both hosts.
 */
import { format } from 'node:util';
import { pathToFileURL } from 'node:url';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../support/browser';
import { startCodeServer } from '../support/codeServer';

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/**
 * Starts code-server, opens the workbench with the extension under development and its test
 * suite, and waits for the suite's result. Each line the workbench logs (among them the
 * extension host's console output, so the suite's reporter) is written to stdout as it arrives. Browser and server are always stopped before this returns.
 * @param opts.extensionPath folder of the extension under development (its package.json)
 * @param opts.suitePath the compiled suite module exporting `run(): Promise<void>`
 * @param opts.workspace folder the workbench opens
 * @param opts.settings user settings for the run
 * @param opts.env environment for code-server, which the extension host inherits
 * @param opts.timeoutMs how long the whole suite may take (default 5 minutes)
 * @returns exitCode 0 when `run()` resolved, 1 when it rejected; log holds every log line
 * @throws on timeout (with the last log lines), or if code-server or the browser fail
 */
export async function runIntegrationSuite(opts: {
  extensionPath: string;
  suitePath: string;
  workspace: string;
  settings?: Record<string, unknown>;
  env?: Record<string, string>;
  timeoutMs?: number;
}): Promise<{ exitCode: number; log: string[] }> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const log: string[] = [];
  const server = await startCodeServer({ workspace: opts.workspace, settings: opts.settings, env: opts.env });
  let browser: Browser | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    browser = await launchBrowser();
    // The extension host runs on the server, so it resolves these through the remote authority.
    const remote = (file: string): string =>
      `vscode-remote://127.0.0.1:${server.port}${pathToFileURL(path.resolve(file)).pathname}`;
    const payload = [
      ['extensionDevelopmentPath', remote(opts.extensionPath)],
      ['extensionTestsPath', remote(opts.suitePath)],
      ['skipWelcome', 'true'],
    ];

    let finish!: (code: number) => void;
    let fail!: (err: Error) => void;
    const exitCode = new Promise<number>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
    // A timeout may fire while goto is still pending, before anything awaits exitCode.
    exitCode.catch(() => undefined);
    const lastLines = (): string =>
      `${log.slice(-40).join('\n')}\n--- code-server:\n${server.logs().trimEnd().split('\n').slice(-20).join('\n')}`;
    timer = setTimeout(
      () =>
        fail(new Error(`integration suite did not finish within ${timeoutMs / 1000} s; last output:\n${lastLines()}`)),
      timeoutMs,
    );

    const page = await (await browser.newContext()).newPage();
    page.once('crash', () => fail(new Error(`the workbench page crashed; last output:\n${lastLines()}`)));
    // The workbench looks these up on window, so they must exist before its script runs.
    // It calls codeAutomationLog(level, args) for each message of its log at info level and
    // above, which includes the extension host's console output (the suite's reporter).
    await page.exposeFunction('codeAutomationLog', (_level: unknown, message: unknown) => {
      // Console arguments arrive as given (mocha's reporters pass printf-style formats):
      // format them as Node's console would have.
      const text = Array.isArray(message) ? format(...(message as unknown[])) : String(message);
      for (const line of text.replace(/\n$/, '').split('\n')) {
        log.push(line);
        process.stdout.write(`${line}\n`);
      }
    });
    await page.exposeFunction('codeAutomationExit', (code: unknown) => finish(Number(code)));
    await page.goto(
      `${server.url}/?folder=${encodeURIComponent(server.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`,
    );
    return { exitCode: await exitCode, log };
  } finally {
    clearTimeout(timer);
    await browser?.close().catch(() => undefined);
    await server.stop();
  }
}
