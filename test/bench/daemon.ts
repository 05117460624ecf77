// A foreground server process (nginx, php-fpm, tsfpm) started by the bench, with its output tail,
// readiness wait and a stop that escalates to SIGKILL and also reaps orphaned grandchildren.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { descendantsOf, isAlive } from '../helpers/proc.js';
import { onTeardown } from './teardown.js';

const TAIL_BYTES = 16 * 1024;
/** php-fpm's and tsfpm's log levels that mean something went wrong. */
const PROBLEM = /\b(WARNING|ERROR|ALERT)\b/;

export interface DaemonSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** A line on stdout/stderr that says the daemon serves; without it, start() returns once spawned. */
  readonly readyPattern?: RegExp;
  readonly readyTimeoutMs?: number;
  /** Signal for a graceful stop: SIGQUIT for php-fpm/tsfpm/nginx. */
  readonly stopSignal: NodeJS.Signals;
  /** Kill the descendants after a graceful stop too: fcgiwrap's master exits without its children. */
  readonly reapDescendants?: boolean;
  /** WARNING-or-worse lines that are expected under the load given, not counted as problems. */
  readonly expectedProblem?: RegExp;
}

export class Daemon {
  readonly name: string;
  readonly pid: number;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  readonly #stopSignal: NodeJS.Signals;
  readonly #reapDescendants: boolean;
  readonly #unregister: () => void;
  #tail = '';
  #partialLine = '';
  #problemCount = 0;
  readonly #problems: string[] = [];
  #exitDescription: string | undefined;

  private constructor(spec: DaemonSpec, child: ChildProcess, pid: number) {
    this.name = spec.name;
    this.pid = pid;
    this.#child = child;
    this.#stopSignal = spec.stopSignal;
    this.#reapDescendants = spec.reapDescendants === true;
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exitDescription = signal === null ? `exit code ${code ?? '?'}` : `signal ${signal}`;
        resolve();
      });
    });
    const collect = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      this.#tail = (this.#tail + text).slice(-TAIL_BYTES);
      const lines = (this.#partialLine + text).split('\n');
      this.#partialLine = lines.pop() ?? '';
      for (const line of lines) {
        if (!PROBLEM.test(line) || spec.expectedProblem?.test(line) === true) continue;
        this.#problemCount++;
        if (this.#problems.length < 5) this.#problems.push(line);
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.#unregister = onTeardown(spec.name, () => this.stop(), pid);
  }

  static async start(spec: DaemonSpec): Promise<Daemon> {
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const spawned = once(child, 'spawn').then(() => undefined);
    const failed = once(child, 'error').then(([err]: unknown[]) => {
      throw new Error(`${spec.name}: cannot start ${spec.command}: ${String(err)}`);
    });
    await Promise.race([spawned, failed]);
    if (child.pid === undefined) throw new Error(`${spec.name}: no pid`);
    const daemon = new Daemon(spec, child, child.pid);
    if (spec.readyPattern !== undefined) await daemon.#waitForLine(spec.readyPattern, spec.readyTimeoutMs ?? 15_000);
    return daemon;
  }

  get running(): boolean {
    return this.#exitDescription === undefined;
  }

  /** Log lines at WARNING level or worse: the first few and how many in all. */
  problems(): { count: number; first: readonly string[] } {
    return { count: this.#problemCount, first: [...this.#problems] };
  }

  /** The last lines the process wrote, for error messages. */
  tail(lines = 15): string {
    return this.#tail.trimEnd().split('\n').slice(-lines).join('\n');
  }

  async #waitForLine(pattern: RegExp, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.#tail)) {
      if (!this.running) {
        throw new Error(`${this.name} ended (${this.#exitDescription ?? '?'}) before it was ready:\n${this.tail()}`);
      }
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.tail()}`);
      }
      await sleep(25);
    }
  }

  /** Graceful signal, then SIGTERM, then SIGKILL; leftover descendants get SIGKILL too. */
  async stop(graceMs = 5000): Promise<void> {
    const descendants = descendantsOf(this.pid);
    let escalated = false;
    for (const signal of [this.#stopSignal, 'SIGTERM', 'SIGKILL'] as const) {
      if (!this.running) break;
      escalated = signal !== this.#stopSignal;
      this.#child.kill(signal);
      await Promise.race([this.#exited, sleep(signal === 'SIGKILL' ? 2000 : graceMs)]);
    }
    // A master that stopped gracefully took its children with it; one that was killed may leave orphans.
    for (const pid of escalated || this.#reapDescendants ? descendants : []) {
      if (!isAlive(pid)) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone between the check and the kill
      }
    }
    this.#unregister();
  }
}
