// The php-fpm.conf-shaped INI that both php-fpm 8.2 and tsfpm read: one pool, pm static.

export interface FpmPoolInput {
  /** `127.0.0.1:PORT` or an absolute unix socket path. */
  readonly listen: string;
  readonly children: number;
  /** Where the master logs (both daemons also copy it to stderr with -O). */
  readonly errorLog: string;
  readonly pidFile: string;
  /** tsfpm only: extensions a script may have. php-fpm keeps its default (.php). */
  readonly limitExtensions?: string;
  /** Process manager (default static); ondemand spawns children on the first connections. */
  readonly pm?: 'static' | 'ondemand';
  /** More pool lines (tsfpm's `handler = node`...). */
  readonly extra?: readonly string[];
}

export function renderFpmConfig(input: FpmPoolInput): string {
  return [
    '; Written by tsfpm test/bench/fpm-config.ts for one bench cell.',
    '[global]',
    `pid = ${input.pidFile}`,
    `error_log = ${input.errorLog}`,
    '',
    '[www]',
    `listen = ${input.listen}`,
    `pm = ${input.pm ?? 'static'}`,
    `pm.max_children = ${input.children}`,
    ...(input.limitExtensions === undefined ? [] : [`security.limit_extensions = ${input.limitExtensions}`]),
    ...(input.extra ?? []),
    '',
  ].join('\n');
}
