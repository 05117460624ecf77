// Runs the tsfpm command line (or any installed copy of it) as a real process and collects its
// exit code and output; for the operator subcommands and packaging tests.
import { spawn } from 'node:child_process';
import { TSFPM_BIN } from './paths.js';

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** The executable (default: node bin/tsfpm of this checkout). */
  readonly bin?: string;
  readonly input?: string | Buffer;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly timeoutMs?: number;
}

export function runTsfpm(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const env = { ...process.env, ...options.env };
  delete env['NODE_TEST_CONTEXT'];
  const [command, commandArgs] =
    options.bin === undefined ? [process.execPath, [TSFPM_BIN, ...args]] : [options.bin, [...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** The result as text for assertion messages. */
export function describeResult(result: CliResult): string {
  return `exit ${result.code ?? result.signal}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}
