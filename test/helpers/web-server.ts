// A web server the tests start themselves (nginx, Apache httpd, Caddy): the process with its output
// captured, its error log, a staged stop, and start-up that waits until 127.0.0.1:PORT accepts.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { CleanupScope } from './daemon.js';
import { LogLines } from './log-lines.js';
import type { TempDir } from './temp-dir.js';
import { waitFor } from './wait-for.js';

export interface WebServerSpec {
  /** Name in failure messages (`nginx`, `apache2`, `caddy`). */
  readonly name: string;
  readonly binary: string;
  readonly args: readonly string[];
  /** The environment (default: the test's). */
  readonly env?: NodeJS.ProcessEnv;
  /** The server's own error log file, shown in failure messages, if it writes one. */
  readonly errorLogPath?: string;
  /** The signals of a stop, each with how long to wait for the exit before the next one. */
  readonly stopSignals: readonly (readonly [NodeJS.Signals, number])[];
}

export class WebServer {
  readonly dir: TempDir;
  readonly port: number;
  readonly process: ChildProcess;
  readonly output: LogLines;
  readonly exited: Promise<void>;
  readonly #spec: WebServerSpec;
  #exited = false;

  constructor(spec: WebServerSpec, dir: TempDir, port: number) {
    this.#spec = spec;
    this.dir = dir;
    this.port = port;
    this.output = new LogLines(`${spec.name} output`);
    this.process = spawn(spec.binary, [...spec.args], {
      cwd: dir.path,
      env: spec.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process.stdout?.setEncoding('utf8').on('data', (text: string) => this.output.push(text));
    this.process.stderr?.setEncoding('utf8').on('data', (text: string) => this.output.push(text));
    this.exited = new Promise((resolve) => {
      this.process.once('exit', () => {
        this.#exited = true;
        resolve();
      });
    });
  }

  get name(): string {
    return this.#spec.name;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get hasExited(): boolean {
    return this.#exited;
  }

  /** The server's error log ('' when it has none or has not written it yet). */
  errorLog(): string {
    if (this.#spec.errorLogPath === undefined) return '';
    try {
      return readFileSync(this.#spec.errorLogPath, 'utf8');
    } catch {
      return '';
    }
  }

  /** The error log and captured output, framed, for failure messages. */
  dump(): string {
    if (this.#spec.errorLogPath === undefined) return this.output.dump();
    const log = this.errorLog().trimEnd();
    const framed =
      log === ''
        ? '  (empty)'
        : log
            .split('\n')
            .map((l) => `  | ${l}`)
            .join('\n');
    const name = this.#spec.name;
    return `\n--- ${name} error.log ---\n${framed}\n--- end of ${name} error.log ---${this.output.dump()}`;
  }

  /** The stop signals in turn, each given its time; waits for the exit; removes the dir. */
  async stop(): Promise<void> {
    for (const [signal, waitMs] of this.#spec.stopSignals) {
      if (this.#exited) break;
      this.process.kill(signal);
      await Promise.race([this.exited, new Promise((resolve) => setTimeout(resolve, waitMs).unref())]);
    }
    this.dir.remove();
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Registers the server's stop with `scope` and waits until it accepts connections (or exits). */
export async function whenListening<T extends WebServer>(scope: CleanupScope, server: T): Promise<T> {
  scope.after(() => server.stop());
  await waitFor(
    async () => {
      if (server.hasExited) throw new Error(`${server.name} exited`);
      return canConnect(server.port);
    },
    { timeoutMs: 10_000, what: `${server.name} to listen on 127.0.0.1:${server.port}`, onTimeout: () => server.dump() },
  );
  return server;
}
