// The harness of the php-fpm parity checks: black-box checks that tsfpm answers a configuration, a
// command line, a signal or a request as php-fpm 8.2 does. `check(title, …)` registers a test named
// by what it checks and counts its outcome, so that all-checks.test.ts can print one summary line
// (`php-fpm checks: N passed, N failed`) that CI logs show; plus small helpers the groups share.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import test from 'node:test';
import { startDaemon, type Daemon, type DaemonOptions } from '../../helpers/daemon.js';
import type { FcgiResponse } from '../../helpers/fcgi-client.js';
import { runTsfpm, type CliResult } from '../../helpers/tsfpm-cli.js';
import { makeTempDir, type TempDir } from '../../helpers/temp-dir.js';

/** The titles of the checks, by outcome. */
export interface CheckResults {
  passed: string[];
  failed: string[];
  todo: string[];
}

export const results: CheckResults = { passed: [], failed: [], todo: [] };

export interface CheckOptions {
  readonly timeout?: number;
  /** A known tsfpm bug: the check runs but does not count as failed (reported as todo). */
  readonly todo?: string;
}

/** Registers a test named `title`; the body's outcome is counted for the summary. */
export function check(title: string, options: CheckOptions, fn: (t: test.TestContext) => Promise<void>): void {
  const testOptions: test.TestOptions = { timeout: options.timeout ?? 60_000 };
  if (options.todo !== undefined) testOptions.todo = options.todo;
  void test(title, testOptions, async (t) => {
    try {
      await fn(t);
    } catch (err) {
      (options.todo !== undefined ? results.todo : results.failed).push(title);
      throw err;
    }
    (options.todo !== undefined ? results.todo : results.passed).push(title);
  });
}

/** A daemon whose failures carry its whole log (the helper used by every running check). */
export async function withDaemon(
  t: test.TestContext,
  options: DaemonOptions,
  fn: (fpm: Daemon) => Promise<void>,
): Promise<void> {
  const fpm = await startDaemon(t, options);
  try {
    await fn(fpm);
  } catch (err) {
    throw fpm.withLog(err);
  }
}

/** A configuration tree in a temp dir: files by relative path; removed when the test ends. */
export function confTree(t: test.TestContext, files: Readonly<Record<string, string>>): TempDir {
  const dir = makeTempDir('tsfpm-check-');
  t.after(() => dir.remove());
  for (const [path, text] of Object.entries(files)) {
    const full = join(dir.path, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text.replaceAll('{{DIR}}', dir.path));
  }
  return dir;
}

/** `tsfpm -t` (or other flags) on a file of the tree; -R so that root needs no pool user. */
export function tsfpm(args: readonly string[]): Promise<CliResult> {
  return runTsfpm(['-R', ...args], { timeoutMs: 20_000 });
}

/** The log lines without their `[date] ` prefix (PHP-FPM's testConfig compares them so). */
export function undated(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.replace(/^\[\d\d-\w{3}-\d{4} \d\d:\d\d:\d\d(?:\.\d+)?\] /, ''));
}

/** The status page through the pool (SCRIPT_NAME names no file). */
export function statusRequest(fpm: Daemon, query = '', extra: Record<string, string> = {}): Promise<FcgiResponse> {
  return fpm.request({
    params: {
      SCRIPT_NAME: '/status',
      SCRIPT_FILENAME: '/status',
      REQUEST_URI: query === '' ? '/status' : `/status?${query}`,
      ...extra,
    },
    query,
    timeoutMs: 20_000,
  });
}

/** Text status fields (`name:   value` lines) as a map. */
export function parseTextStatus(body: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of body.split('\n')) {
    const match = /^([a-z ]+):\s+(.*)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined && !fields.has(match[1])) fields.set(match[1], match[2]);
  }
  return fields;
}

/** A minimal pool config (TCP or unix via {{ADDR}}) for startDaemon's `config` option. */
export function poolConfig(poolLines: string, globalLines = ''): string {
  return `[global]
error_log = {{LOG}}
pid = {{PID}}
log_level = notice
${globalLines}

[www]
listen = {{ADDR}}
security.limit_extensions = .js .mjs
${poolLines}
`;
}
