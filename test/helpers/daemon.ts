// The real daemon as a black box (modelled on PHP-FPM's tester.inc): a config template with
// placeholders is written into a fresh temp dir, `node bin/tsfpm -y FILE -F -O -R` runs as a real
// process, its log lines are captured, and a cleanup hook stops it (SIGQUIT, SIGTERM, SIGKILL).
//
// Placeholders: {{ADDR}} listen address (unix socket in the temp dir, or 127.0.0.1:<free port>),
// {{DIR}} the temp dir, {{SCRIPTS}} test/fixtures/scripts, {{LOG}} an error log path in the temp
// dir, {{PID}} a pid file path in the temp dir, plus any `vars`.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import test from 'node:test';
import {
  encodeGetValues,
  FcgiConnection,
  fcgiRequest,
  listenText,
  type FcgiAddress,
  type FcgiRequestOptions,
  type FcgiResponse,
} from './fcgi-client.js';
import { getFreePort } from './free-port.js';
import { LogLines, type ExpectLogOptions, type LogMatch } from './log-lines.js';
import { confTemplate, FIXTURE_SCRIPTS, REPO_ROOT, TSFPM_BIN } from './paths.js';
import { isAlive } from './proc.js';
import { makeTempDir, type TempDir } from './temp-dir.js';
import { DeadlineError, waitFor } from './wait-for.js';

/** Anything that can run a cleanup: a TestContext, or `{ after }` from node:test inside describe(). */
export interface CleanupScope {
  after(fn: () => unknown): void;
}

export interface DaemonOptions {
  /** Config template text (default: test/fixtures/conf/static-pool.conf). */
  readonly config?: string;
  /** Extra placeholder values; the default template uses MAX_CHILDREN and POOL_EXTRA. */
  readonly vars?: Readonly<Record<string, string>>;
  /** Where the pool listens (default 'unix'). */
  readonly listen?: 'unix' | 'tcp';
  /** An explicit address for {{ADDR}} instead of a fresh one (a taken port, a stale socket path...). */
  readonly address?: FcgiAddress;
  /** Wait for `ready to handle connections` (default true). */
  readonly waitReady?: boolean;
  readonly readyTimeoutMs?: number;
  /** On TCP, check after start that the port answers FastCGI (default true; off when 127.0.0.1 is refused). */
  readonly checkAddress?: boolean;
  /** Extra command-line arguments after `-y FILE -F -O -R`. */
  readonly args?: readonly string[];
  /** Extra environment variables for the daemon (NOTIFY_SOCKET…). */
  readonly env?: Readonly<Record<string, string>>;
  /** A program (and its arguments) that execs `node bin/tsfpm …`, e.g. systemd-socket-activate. */
  readonly wrapper?: readonly string[];
}

/** How the daemon process is launched (DaemonOptions.env / .wrapper). */
export interface LaunchOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly wrapper?: readonly string[];
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface DaemonRequestOptions extends Omit<FcgiRequestOptions, 'scriptFilename'> {
  /** A fixture script name (`hello.mjs`) or an absolute path. */
  readonly script?: string;
  readonly timeoutMs?: number;
}

const DEFAULT_VARS: Readonly<Record<string, string>> = {
  MAX_CHILDREN: '2',
  POOL_EXTRA: '',
  GLOBAL_EXTRA: '',
  LOG_LEVEL: 'notice',
};

/** A file a fixture script writes when it starts (and when its request is aborted). */
export interface ScriptMarker {
  readonly path: string;
  /** `marker=PATH`, to append to the query string. */
  readonly query: string;
  /** Resolves with the pid of the child running the script once it has started. */
  started(timeoutMs?: number): Promise<number>;
  /** Resolves once the script saw its request's abort signal (slow.mjs). */
  aborted(timeoutMs?: number): Promise<void>;
}

export class Daemon {
  readonly dir: TempDir;
  readonly configFile: string;
  readonly address: FcgiAddress;
  readonly process: ChildProcess;
  readonly log: LogLines;
  readonly exited: Promise<ExitStatus>;
  #exitStatus: ExitStatus | undefined;
  #stopping: Promise<void> | undefined;
  #markers = 0;

  constructor(
    dir: TempDir,
    configFile: string,
    address: FcgiAddress,
    args: readonly string[],
    launch: LaunchOptions = {},
  ) {
    this.dir = dir;
    this.configFile = configFile;
    this.address = address;
    this.log = new LogLines('tsfpm log');
    const env = { ...process.env, ...launch.env };
    delete env['NODE_TEST_CONTEXT']; // the daemon is not a test file
    const command = [process.execPath, TSFPM_BIN, '-y', configFile, '-F', '-O', '-R', ...args];
    const [program = process.execPath, ...programArgs] = [...(launch.wrapper ?? []), ...command];
    this.process = spawn(program, programArgs, {
      cwd: dir.path,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: signals meant for the test runner's group never reach the daemon.
      detached: true,
    });
    this.process.stdout?.setEncoding('utf8').on('data', (text: string) => this.log.push(text));
    this.process.stderr?.setEncoding('utf8').on('data', (text: string) => this.log.push(text));
    this.exited = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => {
        this.#exitStatus = { code, signal };
        resolve(this.#exitStatus);
      });
    });
    // Wait for the pipes to drain as well, so the last lines are in the log when `exited` is awaited.
    this.process.once('close', () => this.log.end());
  }

  get pid(): number {
    const pid = this.process.pid;
    if (pid === undefined) throw new Error(`the daemon did not start${this.log.dump()}`);
    return pid;
  }

  get exitStatus(): ExitStatus | undefined {
    return this.#exitStatus;
  }

  /** The unix socket path (throws for a TCP daemon). */
  get socketPath(): string {
    if (this.address.kind !== 'unix') throw new Error('this daemon listens on TCP');
    return this.address.path;
  }

  /** Waits for a log line; on the deadline fails with every captured line. */
  expectLog(pattern: RegExp, options?: ExpectLogOptions): Promise<LogMatch> {
    return this.log.expect(pattern, options);
  }

  /** Index the next captured line will get (use as `from` to match only lines logged after now). */
  get logMark(): number {
    return this.log.lines.length;
  }

  /**
   * A fresh marker file path for slow.mjs / sleep-ignoring-abort.mjs (`?marker=PATH`), and a wait that
   * resolves with the pid written there once the script has started.
   */
  marker(name = 'started'): ScriptMarker {
    const path = join(this.dir.path, `${name}-${++this.#markers}.marker`);
    const read = (file: string): string | undefined => {
      try {
        const text = readFileSync(file, 'utf8');
        return text === '' ? undefined : text;
      } catch {
        return undefined;
      }
    };
    return {
      path,
      query: `marker=${encodeURIComponent(path)}`,
      started: async (timeoutMs = 10_000) =>
        Number(
          await waitFor(() => read(path), {
            timeoutMs,
            what: `the script to start (marker ${path})`,
            onTimeout: () => this.log.dump(),
          }),
        ),
      aborted: async (timeoutMs = 10_000) => {
        await waitFor(() => read(`${path}.aborted`), {
          timeoutMs,
          what: `the script to see its request aborted (${path}.aborted)`,
          onTimeout: () => this.log.dump(),
        });
      },
    };
  }

  /** Pids of children the log says were started and have not exited. */
  liveChildren(): number[] {
    const live = new Set<number>();
    for (const line of this.log.lines) {
      // Not spares (`spare child N started`, at log_level debug): they are in no pool until one takes them.
      const started = /(?<!spare )\bchild (\d+) started\b/.exec(line);
      if (started?.[1] !== undefined) live.add(Number(started[1]));
      const gone = /\bchild (\d+) exited\b/.exec(line);
      if (gone?.[1] !== undefined) live.delete(Number(gone[1]));
    }
    return [...live];
  }

  /** Resolves a fixture script name to its absolute path. */
  script(name: string): string {
    return isAbsolute(name) ? name : join(FIXTURE_SCRIPTS, name);
  }

  /** One FastCGI request on a fresh connection; a failure carries the whole log. */
  async request(options: DaemonRequestOptions = {}): Promise<FcgiResponse> {
    const { script, timeoutMs, ...rest } = options;
    const request: FcgiRequestOptions = script === undefined ? rest : { ...rest, scriptFilename: this.script(script) };
    try {
      return await fcgiRequest(this.address, request, timeoutMs ?? 10_000);
    } catch (err) {
      throw this.withLog(err);
    }
  }

  /** A raw connection to the pool. */
  async connect(timeoutMs = 5000): Promise<FcgiConnection> {
    try {
      return await FcgiConnection.open(this.address, timeoutMs);
    } catch (err) {
      throw this.withLog(err);
    }
  }

  /** Appends the captured log to an error's message (so any failure shows what the daemon said). */
  withLog(err: unknown): Error {
    const error = err instanceof Error ? err : new Error(String(err));
    if (!error.message.includes('--- tsfpm log')) error.message += this.log.dump();
    return error;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.#exitStatus === undefined) this.process.kill(signal);
  }

  /** Waits for the master to exit; throws with the log on the deadline. */
  async waitExit(timeoutMs = 10_000): Promise<ExitStatus> {
    const status = await Promise.race([
      this.exited,
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), timeoutMs).unref()),
    ]);
    if (status === undefined)
      throw new DeadlineError(`the daemon did not exit within ${timeoutMs} ms${this.log.dump()}`);
    await waitFor(
      () => this.process.stderr === null || this.process.stderr.readableEnded || this.process.stderr.destroyed,
      {
        timeoutMs: 2000,
        what: 'the end of the daemon output',
      },
    ).catch(() => undefined);
    return status;
  }

  /** SIGQUIT (graceful), then SIGTERM, then SIGKILL, each with a deadline; waits for the exit; removes the dir. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const ladder: [NodeJS.Signals, number][] = [
        ['SIGQUIT', 8000],
        ['SIGTERM', 4000],
        ['SIGKILL', 4000],
      ];
      for (const [signal, waitMs] of ladder) {
        if (this.#exitStatus !== undefined) break;
        this.signal(signal);
        await Promise.race([this.exited, new Promise((resolve) => setTimeout(resolve, waitMs).unref())]);
      }
      // Children left behind by a killed master notice the lost IPC channel and quit; give them a moment
      // to release files in the dir, bounded; then kill what is left of the daemon's process group.
      await waitFor(() => this.liveChildren().every((pid) => !isAlive(pid)), { timeoutMs: 3000 }).catch(
        () => undefined,
      );
      if (this.liveChildren().some(isAlive)) killGroup(this.pid);
      running.delete(this);
      this.dir.remove();
    })();
    return this.#stopping;
  }
}

/** Daemons not stopped yet: if the test process exits early (a cancelled file), they are killed. */
const running = new Set<Daemon>();
process.once('exit', () => {
  for (const daemon of running) if (daemon.exitStatus === undefined) killGroup(daemon.pid);
});

/** SIGKILL to a detached daemon's whole process group (its master and children). */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // nothing left in the group
  }
}

/**
 * The TCP port must be the daemon's: a GET_VALUES gets a FastCGI answer. (If another process took the
 * port between getFreePort() and the bind, tsfpm may not notice: see startup-socket-conflicts.test.ts.)
 */
async function assertServesFastCgi(daemon: Daemon): Promise<void> {
  let conn: FcgiConnection | undefined;
  try {
    conn = await FcgiConnection.open(daemon.address, 5000);
    await conn.write(encodeGetValues(['FCGI_MPXS_CONNS']));
    const record = await conn.nextRecord(5000);
    if (record === undefined || record.version !== 1) throw new Error('no FastCGI answer to GET_VALUES');
  } catch (err) {
    throw daemon.withLog(
      new Error(
        `${listenText(daemon.address)} is not served by this daemon (${err instanceof Error ? err.message : String(err)})`,
      ),
    );
  } finally {
    conn?.destroy();
  }
}

/** Replaces every {{NAME}}; an unknown placeholder is an error (a typo must not reach the daemon). */
export function fillTemplate(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{([A-Z_][A-Z0-9_]*)\}\}/g, (_all, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`config template uses {{${name}}}, which has no value`);
    return value;
  });
}

/** Starts the daemon and registers its stop with `scope`; resolves once it is ready to serve. */
export async function startDaemon(scope: CleanupScope, options: DaemonOptions = {}): Promise<Daemon> {
  const dir = makeTempDir();
  let address: FcgiAddress;
  try {
    address =
      options.address !== undefined
        ? options.address
        : options.listen === 'tcp'
          ? { kind: 'tcp', host: '127.0.0.1', port: await getFreePort() }
          : { kind: 'unix', path: dir.socketPath('fpm.sock') };
  } catch (err) {
    dir.remove();
    throw err;
  }
  const vars: Record<string, string> = {
    ...DEFAULT_VARS,
    ADDR: listenText(address),
    DIR: dir.path,
    SCRIPTS: FIXTURE_SCRIPTS,
    REPO: REPO_ROOT,
    LOG: join(dir.path, 'error.log'),
    PID: join(dir.path, 'fpm.pid'),
    ...options.vars,
  };
  const configFile = join(dir.path, 'tsfpm.conf');
  writeFileSync(configFile, fillTemplate(options.config ?? confTemplate('static-pool.conf'), vars));
  const launch: LaunchOptions = {
    ...(options.env !== undefined ? { env: options.env } : {}),
    ...(options.wrapper !== undefined ? { wrapper: options.wrapper } : {}),
  };
  const daemon = new Daemon(dir, configFile, address, options.args ?? [], launch);
  running.add(daemon);
  scope.after(() => daemon.stop());
  if (options.waitReady ?? true) {
    const ready = daemon.expectLog(/NOTICE: ready to handle connections/, {
      timeoutMs: options.readyTimeoutMs ?? 15_000,
    });
    const died = daemon.exited.then((status) => {
      throw new Error(`the daemon exited (${JSON.stringify(status)}) before it was ready${daemon.log.dump()}`);
    });
    await Promise.race([ready, died]);
    if (address.kind === 'tcp' && options.checkAddress !== false) await assertServesFastCgi(daemon);
  }
  return daemon;
}

export interface DaemonTestOptions extends DaemonOptions {
  /** Test timeout (default 60 s). */
  readonly timeout?: number;
  readonly todo?: string;
  readonly skip?: string;
}

/**
 * A test with its own daemon: any failure inside `fn` gets the daemon's whole log appended to the
 * error message (the TAP report then shows what the daemon said).
 */
export function daemonTest(
  name: string,
  options: DaemonTestOptions,
  fn: (t: test.TestContext, fpm: Daemon) => Promise<void>,
): void {
  const { timeout, todo, skip, ...daemonOptions } = options;
  const testOptions: test.TestOptions = { timeout: timeout ?? 60_000 };
  if (todo !== undefined) testOptions.todo = todo;
  if (skip !== undefined) testOptions.skip = skip;
  void test(name, testOptions, async (t) => {
    const fpm = await startDaemon(t, daemonOptions);
    try {
      await fn(t, fpm);
    } catch (err) {
      throw fpm.withLog(err);
    }
  });
}
