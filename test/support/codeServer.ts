/**
 * Starts and stops code-server (VS Code 1.100 served to a browser, with a real Node extension
 * host) for the integration and e2e tests. Every server gets its own temporary extensions and
 * user-data folders, so runs never see each other's state or the developer's own settings.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const CODE_SERVER_VERSION = '4.100.3';
const START_TIMEOUT_MS = 60_000;
const INSTALL_EXTENSION_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 5_000;
/** Enough log to explain a failure without holding a chatty server's whole output in memory. */
const MAX_LOG_CHARS = 2_000_000;

/**
 * Settings that keep the workbench quiet and deterministic: no welcome page, trust prompt,
 * tips or update/telemetry traffic that could cover the UI or make screenshots differ.
 */
const DEFAULT_SETTINGS: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'workbench.tips.enabled': false,
  'update.mode': 'none',
  'window.commandCenter': true,
  // The extension host would otherwise send Node's http(s) requests (the SDK's, to the fakes on
  // 127.0.0.1) through a proxy taken from the environment or the system.
  'http.proxySupport': 'off',
};

/** Proxy variables (any case): a CI machine may set them to reach its package registry. */
const PROXY_VARS = /^(https?|all|no)_proxy$/i;

/**
 * Inherited variables that would make code-server do something else than start a fresh
 * server on our port: VSCODE_IPC_HOOK_CLI (set in VS Code terminals) makes it open the folder
 * in that VS Code instead, PORT / CODE_SERVER_HOST override --bind-addr, CODE_SERVER_CONFIG
 * points at a config file we do not control, and the other VSCODE_* / ELECTRON_RUN_AS_NODE
 * variables of a surrounding VS Code confuse its child processes. Proxy variables are dropped.
 */
function isolatedEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE') continue;
    if (key === 'PORT' || key === 'CODE_SERVER_HOST' || key === 'CODE_SERVER_CONFIG') continue;
    // The tests talk only to loopback: no proxy may stand between them and the fakes.
    if (PROXY_VARS.test(key)) continue;
    env[key] = value;
  }
  env.NO_PROXY = env.no_proxy = '127.0.0.1,localhost';
  // No extension gallery: otherwise the workbench queries open-vsx.org at startup, which is
  // slow or failing where the network is restricted and irrelevant to the tests.
  return { ...env, EXTENSIONS_GALLERY: '{}', ...extra };
}

/**
 * Path of the code-server executable: `$CODE_SERVER_BIN`, else where
 * `scripts/install-code-server.sh` installs it by default.
 * @throws Error telling how to install it when the file does not exist.
 */
export function codeServerBin(): string {
  const fromEnv = process.env.CODE_SERVER_BIN;
  const bin =
    fromEnv ||
    path.join(
      os.homedir(),
      '.cache',
      'cloudtrail-lens',
      `code-server-${CODE_SERVER_VERSION}`,
      'node_modules',
      '.bin',
      'code-server',
    );
  if (!existsSync(bin)) {
    throw new Error(
      `code-server not found at ${bin}` +
        (fromEnv ? ' (from $CODE_SERVER_BIN)' : '') +
        ': run `npm run setup` (scripts/install-code-server.sh) or set CODE_SERVER_BIN.',
    );
  }
  return bin;
}

/** A running code-server; `stop()` it when done (it is also killed if the test process exits). */
export interface CodeServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  /** The `--user-data-dir` (settings are in `User/settings.json`). */
  dataDir: string;
  /** The `--extensions-dir`. */
  extDir: string;
  /** Absolute path of the folder the workbench opens. */
  workspace: string;
  /** Everything code-server has written to stdout and stderr so far. */
  logs(): string;
  /** Kills code-server and all its child processes, then deletes the temporary folders. */
  stop(): Promise<void>;
}

/** Servers not yet stopped, killed synchronously if the test process exits without stopping them. */
const live = new Set<{ kill(): void }>();
let exitHooksInstalled = false;

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  // code-server runs in its own process group (so stop() can kill its whole tree), which also
  // means Ctrl-C in the terminal does not reach it: kill it ourselves on the way out.
  process.on('exit', () => {
    for (const server of live) server.kill();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      for (const server of live) server.kill();
      process.removeListener(signal, onSignal);
      // Keep the default "die by this signal" behaviour unless someone else handles it.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** Signals a whole process group, if any process of it is left. */
function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is gone already
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A port that was free a moment ago. The OS could hand it to someone else before code-server
 * binds it; with ephemeral ports handed out round-robin that is rare enough for tests.
 */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not get a free port'))));
    });
  });
}

/** Resolves with the HTTP status of GET url, or undefined if nothing answers yet. */
function httpStatus(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(undefined));
  });
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Runs code-server's CLI to completion (used for --install-extension). */
function runCli(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `code-server ${args.join(' ')} did not finish in ${INSTALL_EXTENSION_TIMEOUT_MS} ms:\n${tail(output)}`,
        ),
      );
    }, INSTALL_EXTENSION_TIMEOUT_MS);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * Starts code-server on a free 127.0.0.1 port with fresh extension and user-data folders and
 * waits until it answers HTTP. The workbench itself loads when a browser opens {@link CodeServer.url}.
 * @param opts.workspace folder the workbench opens
 * @param opts.vsix extension package installed (with `--install-extension`) before the start
 * @param opts.settings user settings, merged over quiet defaults (no welcome page, no telemetry…)
 * @param opts.env extra environment for code-server and so for the extension host
 * @throws if the VSIX does not install, or code-server exits or does not answer within 60 s;
 *   the message includes the end of its output. Nothing is left running or on disk then.
 */
export async function startCodeServer(opts: {
  workspace: string;
  vsix?: string;
  settings?: Record<string, unknown>;
  env?: Record<string, string>;
}): Promise<CodeServer> {
  const bin = codeServerBin();
  const workspace = path.resolve(opts.workspace);
  const env = isolatedEnv(opts.env);
  const root = await mkdtemp(path.join(os.tmpdir(), 'ctl-code-server-'));
  const extDir = path.join(root, 'ext');
  const dataDir = path.join(root, 'data');
  // An empty config of our own: otherwise code-server reads (and, if missing, writes)
  // ~/.config/code-server/config.yaml, whose cert/auth settings could change how it serves.
  const configFile = path.join(root, 'config.yaml');
  // Retries: a dying child may still be writing logs under it.
  const removeRoot = (): void => rmSync(root, { recursive: true, force: true, maxRetries: 3 });

  let spawned = false;
  try {
    mkdirSync(extDir);
    writeFileSync(configFile, '');
    // Both the user and the machine settings: code-server's workbench is a remote window, and a
    // remote window drops `machine` and `machine-overridable` settings from the user's own file
    // (VS Code's LOCAL_MACHINE_SCOPES; they belong in the remote machine's settings). Whether a
    // user-file value still counts depends on when the extension's settings schema registers, so
    // an endpoint override there was sometimes seen and sometimes not (Cannot reach AWS, 0
    // requests to the fake). The machine file holds them for good.
    for (const scope of ['User', 'Machine']) {
      mkdirSync(path.join(dataDir, scope), { recursive: true });
      writeFileSync(
        path.join(dataDir, scope, 'settings.json'),
        JSON.stringify({ ...DEFAULT_SETTINGS, ...opts.settings }, null, 2),
      );
    }
    const dirArgs = ['--config', configFile, '--extensions-dir', extDir, '--user-data-dir', dataDir];

    if (opts.vsix) {
      const vsix = path.resolve(opts.vsix);
      const result = await runCli(bin, [...dirArgs, '--install-extension', vsix], env);
      // 4.100.3 exits 1 on failure (bad zip, incompatible engine); the text check guards
      // against releases that only print it.
      if (result.code !== 0 || result.output.includes('Failed Installing Extensions')) {
        throw new Error(`code-server could not install ${vsix} (exit ${result.code}):\n${tail(result.output)}`);
      }
    }

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let log = '';
    // detached: its own process group, so stop() can kill the extension host, pty host and
    // file watcher it forks along with it.
    const proc = spawn(
      bin,
      [
        ...dirArgs,
        '--auth',
        'none',
        '--bind-addr',
        `127.0.0.1:${port}`,
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        workspace,
      ],
      { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    spawned = true;
    const append = (chunk: Buffer): void => {
      log += chunk.toString();
      if (log.length > MAX_LOG_CHARS) log = log.slice(-MAX_LOG_CHARS / 2);
    };
    proc.stdout?.on('data', append);
    proc.stderr?.on('data', append);
    let exited = false;
    const exitPromise = new Promise<void>((resolve) => {
      proc.once('exit', () => {
        exited = true;
        resolve();
      });
      proc.once('error', (err) => {
        log += `\n[spawn error] ${err.message}\n`;
        exited = true;
        resolve();
      });
    });
    const pid = proc.pid;
    const handle = {
      kill(): void {
        if (pid !== undefined) killGroup(pid, 'SIGKILL');
        removeRoot();
      },
    };
    live.add(handle);
    installExitHooks();

    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> =>
      (stopping ??= (async () => {
        if (pid !== undefined) {
          killGroup(pid, 'SIGTERM');
          // A timer cleared on exit, not a bare sleep: a pending one would keep the test
          // process alive for the whole grace period.
          const escalate = setTimeout(() => killGroup(pid, 'SIGKILL'), STOP_GRACE_MS);
          await exitPromise;
          clearTimeout(escalate);
          // Its forked children (extension host, file watcher) are still in the group and may
          // outlive it. Don't wait for the group to empty: where PID 1 reaps slowly, the dead
          // ones linger as zombies and still count as members.
          killGroup(pid, 'SIGKILL');
        }
        live.delete(handle);
        removeRoot();
      })());

    const server: CodeServer = { url, port, dataDir, extDir, workspace, logs: () => log, stop };

    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (exited) {
        await stop();
        throw new Error(`code-server exited during startup (code ${proc.exitCode}):\n${tail(log)}`);
      }
      // /healthz answers as soon as the HTTP server is up, without loading the workbench.
      const status = await httpStatus(`${url}/healthz`);
      if (status !== undefined && status < 500) return server;
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`code-server did not answer on ${url} within ${START_TIMEOUT_MS / 1000} s:\n${tail(log)}`);
      }
      await sleep(200);
    }
  } catch (err) {
    // Once spawned, stop() has already cleaned up.
    if (!spawned) removeRoot();
    throw err;
  }
}
