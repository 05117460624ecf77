// What the machine has: binaries (nginx, Apache, php-fpm, fcgiwrap, wrk), their versions, the core
// count, and whether php-fpm can load OPcache.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { delimiter, join } from 'node:path';

export interface Tool {
  /** Absolute path, or undefined when not found. */
  readonly path: string | undefined;
  /** `nginx 1.22.1`, or why it is missing. */
  readonly version: string;
}

export interface BenchEnvironment {
  readonly nginx: Tool;
  readonly apache: Tool;
  readonly phpFpm: Tool;
  /** Debian's fcgiwrap, the baseline of tsfpm's cgi mode. */
  readonly fcgiwrap: Tool;
  readonly wrk: Tool;
  /** `-d` flags that turn OPcache on, or [] when php-fpm cannot load it. */
  readonly phpOpcacheArgs: readonly string[];
  readonly node: string;
  readonly cores: number;
  readonly cpuModel: string;
  readonly loadAverage: string;
  readonly isRoot: boolean;
}

function findExecutable(envName: string, names: readonly string[]): string | undefined {
  const override = process.env[envName];
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  const candidates =
    override !== undefined && override !== '' ? [override] : names.flatMap((n) => dirs.map((d) => join(d, n)));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

/** stdout+stderr of a short command (nginx -v writes to stderr; wrk -v exits 1). */
function output(command: string, args: readonly string[]): string {
  const result = spawnSync(command, [...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 10_000,
  });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`;
}

function tool(
  envName: string,
  names: readonly string[],
  versionArgs: readonly string[],
  versionPattern: RegExp,
  label: string,
): Tool {
  const path = findExecutable(envName, names);
  if (path === undefined) return { path, version: `${names[0] ?? label} not found (set ${envName})` };
  const version = versionPattern.exec(output(path, versionArgs))?.[1];
  return { path, version: `${label} ${version ?? '(version unknown)'}` };
}

export function probeEnvironment(): BenchEnvironment {
  const phpFpm = tool('PHP_FPM_BIN', ['php-fpm8.2', 'php-fpm'], ['-v'], /^PHP (\S+)/m, 'php-fpm');
  let phpOpcacheArgs: readonly string[] = [];
  if (phpFpm.path !== undefined) {
    const args = ['-d', 'zend_extension=opcache', '-d', 'opcache.enable=1'];
    if (output(phpFpm.path, ['-n', ...args, '-m']).includes('Zend OPcache')) phpOpcacheArgs = args;
  }
  return {
    nginx: tool('NGINX_BIN', ['nginx'], ['-v'], /nginx\/(\S+)/, 'nginx'),
    apache: tool('APACHE_BIN', ['apache2', 'httpd'], ['-v'], /Apache\/(\S+)/, 'Apache httpd'),
    phpFpm,
    // fcgiwrap has no version flag; -h prints `fcgiwrap version 1.1.0` and exits.
    fcgiwrap: tool('FCGIWRAP_BIN', ['fcgiwrap'], ['-h'], /fcgiwrap version (\S+)/, 'fcgiwrap'),
    wrk: tool('WRK_BIN', ['wrk'], ['-v'], /^wrk (\S+)/m, 'wrk'),
    phpOpcacheArgs,
    node: process.version,
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
    loadAverage: loadavg()
      .map((v) => v.toFixed(2))
      .join(' '),
    isRoot: process.getuid?.() === 0,
  };
}
