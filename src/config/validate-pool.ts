// Cross-field pool checks in php-fpm's order (sapi/fpm/fpm/fpm_conf.c fpm_conf_process_all_pools()), with its
// exact texts and levels. Unlike php-fpm we do not stop at the first failure: every independent problem
// is reported, and checks that depend on a directive whose line already failed are skipped.
// Where php-fpm gives no file:line but we know it, it is appended after php-fpm's text.
import { statSync } from 'node:fs';
import { checkAccessFormat } from './access-format-check.js';
import { isUnixListen } from './build.js';
import { logPathProblem } from './log-path-check.js';
import { unixSocketDirectoryProblem } from './socket-path-check.js';
import type { SectionDraft } from './collect.js';
import type { Located, MessageSink } from './messages.js';
import { lookupGroup, lookupUser } from './passwd.js';
import type { LogLevel, PoolConfig } from './types.js';

export interface PoolUnderCheck {
  readonly config: PoolConfig;
  readonly section: SectionDraft;
}

export interface CheckOptions {
  readonly isRoot: boolean;
  readonly allowRoot: boolean;
  readonly testMode: boolean;
}

/** Linux sockaddr_un.sun_path is 108 bytes including the NUL. */
export const UNIX_PATH_MAX = 107;

class PoolChecker {
  constructor(
    readonly pool: PoolUnderCheck,
    readonly sink: MessageSink,
  ) {}

  get name(): string {
    return this.pool.config.name;
  }

  has(directive: string): boolean {
    return this.pool.section.settings.has(directive);
  }

  broken(...directives: string[]): boolean {
    return directives.some((d) => this.pool.section.broken.has(d));
  }

  /** `[pool NAME] TEXT (at FILE:LINE: DIRECTIVE = "RAW", expected …)`, citing the line when we know it. */
  report(level: LogLevel, text: string, directive?: string, expected?: string): void {
    const set = directive === undefined ? undefined : this.pool.section.settings.get(directive);
    let where: Located | undefined;
    let suffix = '';
    if (set) {
      where = { file: set.file, line: set.line };
      suffix = ` (at ${set.file}:${set.line}: ${set.directive.name} = "${set.raw}"${expected ? `, expected ${expected}` : ''})`;
    } else if (this.pool.section.opened) {
      where = this.pool.section.opened;
      const hint = expected ? `; ${expected}` : '';
      suffix = ` (pool opened at ${where.file}:${where.line}${hint})`;
    }
    this.sink.add(
      level,
      `[pool ${this.name}] ${text}${suffix}`,
      where,
      level === 'notice' || level === 'warning' ? undefined : 'TSFPM_ERR_CONF_INVALID',
    );
  }
}

const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false; // missing or unreadable: php-fpm's fpm_conf_is_dir says "no" too
  }
};

const URI_CHARS = /^[A-Za-z0-9/_\-.~]*$/;

function checkUriPath(c: PoolChecker, kind: 'status' | 'ping', path: string | undefined, directive: string): void {
  if (path === undefined || path === '' || c.broken(directive)) return;
  if (!path.startsWith('/')) c.report('error', `the ${kind} path '${path}' must start with a '/'`, directive);
  else if (path.length < 2) c.report('error', `the ${kind} path '${path}' is not long enough`, directive);
  else if (!URI_CHARS.test(path)) {
    c.report(
      'error',
      `the ${kind} path '${path}' must contain only the following characters '[alphanum]/_-.~'`,
      directive,
    );
  }
}

function checkListenPort(c: PoolChecker, address: string): void {
  if (isUnixListen(address)) return;
  const colon = address.lastIndexOf(':');
  const port = colon < 0 ? address : address.slice(colon + 1);
  const n = /^\d+$/.test(port) ? Number(port) : NaN;
  if (!(n >= 1 && n <= 65535))
    c.report('error', `invalid port value '${port}'`, 'listen', 'a port between 1 and 65535');
}

function checkUser(c: PoolChecker, opts: CheckOptions): void {
  const { user, group } = c.pool.config;
  if (!opts.isRoot) {
    if (user !== undefined) c.report('notice', "'user' directive is ignored when FPM is not running as root", 'user');
    if (group !== undefined)
      c.report('notice', "'group' directive is ignored when FPM is not running as root", 'group');
    return;
  }
  if (user === undefined && !opts.allowRoot && !c.broken('user')) {
    c.report(
      'alert',
      'user has not been defined',
      undefined,
      "add 'user = NAME' or start with -R (--allow-to-run-as-root)",
    );
    return;
  }
  const u = user === undefined ? undefined : lookupUser(user);
  const g = group === undefined ? undefined : lookupGroup(group);
  if (user !== undefined && !u) c.report('error', `cannot get uid for user '${user}'`, 'user');
  if (group !== undefined && !g) c.report('error', `cannot get gid for group '${group}'`, 'group');
  const gid = g?.id ?? u?.gid;
  if (!opts.allowRoot && (u?.id === 0 || gid === 0)) {
    c.report(
      'error',
      'please specify user and group other than root',
      u?.id === 0 ? 'user' : 'group',
      'a non-root user, or -R',
    );
  }
}

function checkPm(c: PoolChecker): PoolConfig['pm'] | undefined {
  const pm = c.pool.config.pm;
  if (c.broken('pm')) return undefined;
  // The type says PmStyle, but before this check a pool without `pm` carries undefined (the table default).
  if ((pm.style as PoolConfig['pm']['style'] | undefined) === undefined) {
    c.report(
      'alert',
      'the process manager is missing (static, dynamic or ondemand)',
      undefined,
      "add 'pm = static', 'pm = dynamic' or 'pm = ondemand'",
    );
    return undefined;
  }
  const mcOk = c.broken('pm.max_children') || pm.maxChildren >= 1;
  if (!mcOk) c.report('alert', 'pm.max_children must be a positive value', 'pm.max_children', 'an integer >= 1');
  if (pm.style === 'dynamic') return checkDynamic(c, mcOk);
  if (pm.style === 'ondemand' && !c.broken('pm.process_idle_timeout') && pm.processIdleTimeoutMs < 1000) {
    c.report(
      'alert',
      `pm.process_idle_timeout(${Math.floor(pm.processIdleTimeoutMs / 1000)}s) must be greater than 0s`,
      'pm.process_idle_timeout',
      'at least 1s',
    );
  }
  // php-fpm zeroes the spare-server settings of static and ondemand pools ("certainly useless but proper").
  return { ...pm, startServers: 0, minSpareServers: 0, maxSpareServers: 0 };
}

function checkDynamic(c: PoolChecker, maxChildrenOk: boolean): PoolConfig['pm'] | undefined {
  const pm = c.pool.config.pm;
  const { minSpareServers: min, maxSpareServers: max, maxChildren: mc } = pm;
  if (c.broken('pm.min_spare_servers', 'pm.max_spare_servers', 'pm.max_children', 'pm.start_servers')) return undefined;
  let ok = true;
  if (min <= 0) {
    c.report(
      'alert',
      `pm.min_spare_servers(${min}) must be a positive value`,
      'pm.min_spare_servers',
      'an integer >= 1',
    );
    ok = false;
  }
  if (max <= 0) {
    c.report(
      'alert',
      `pm.max_spare_servers(${max}) must be a positive value`,
      'pm.max_spare_servers',
      'an integer >= 1',
    );
    ok = false;
  }
  if (ok && maxChildrenOk && (min > mc || max > mc)) {
    c.report(
      'alert',
      `pm.min_spare_servers(${min}) and pm.max_spare_servers(${max}) cannot be greater than pm.max_children(${mc})`,
      min > mc ? 'pm.min_spare_servers' : 'pm.max_spare_servers',
    );
    ok = false;
  }
  if (ok && max < min) {
    c.report(
      'alert',
      `pm.max_spare_servers(${max}) must not be less than pm.min_spare_servers(${min})`,
      'pm.max_spare_servers',
    );
    ok = false;
  }
  let start = pm.startServers;
  if (ok && start <= 0) {
    start = min + Math.floor((max - min) / 2);
    c.sink.add('notice', `[pool ${c.name}] pm.start_servers is not set. It's been set to ${start}.`);
  } else if (ok && (start < min || start > max)) {
    c.report(
      'alert',
      `pm.start_servers(${start}) must not be less than pm.min_spare_servers(${min}) and not greater than pm.max_spare_servers(${max})`,
      'pm.start_servers',
    );
  }
  if (!c.broken('pm.max_spawn_rate') && pm.maxSpawnRate < 1) {
    c.report('alert', 'pm.max_spawn_rate must be a positive value', 'pm.max_spawn_rate', 'an integer >= 1');
  }
  return { ...pm, startServers: start };
}

function checkSlowlog(c: PoolChecker): void {
  const p = c.pool.config;
  const hasSlowlog = p.slowlog !== undefined && p.slowlog !== '';
  if (p.requestSlowlogTimeoutMs > 0 && !c.broken('slowlog')) {
    if (!hasSlowlog)
      c.report(
        'error',
        "'slowlog' must be specified for use with 'request_slowlog_timeout'",
        'request_slowlog_timeout',
        "'slowlog = PATH' to be set as well",
      );
    const term = p.requestTerminateTimeoutMs;
    if (term > 0 && p.requestSlowlogTimeoutMs > term) {
      c.report(
        'error',
        `'request_slowlog_timeout' (${p.requestSlowlogTimeoutMs / 1000}) can't be greater than 'request_terminate_timeout' (${term / 1000})`,
        'request_slowlog_timeout',
      );
    }
  }
  // php-fpm only checks the trace depth when it was set explicitly (its default 0 means "use 20").
  if (c.has('request_slowlog_trace_depth') && !c.broken('request_slowlog_trace_depth')) {
    if (!hasSlowlog)
      c.report(
        'error',
        "'slowlog' must be specified for use with 'request_slowlog_trace_depth'",
        'request_slowlog_trace_depth',
        "'slowlog = PATH' to be set as well",
      );
    const depth = p.requestSlowlogTraceDepth;
    if (depth <= 0)
      c.report(
        'error',
        `'request_slowlog_trace_depth' (${depth}) must be a positive value`,
        'request_slowlog_trace_depth',
        'an integer >= 1',
      );
  }
}

/** The checks of each pool on its own. Returns the pool with php-fpm's post-processing applied. */
export function checkPool(pool: PoolUnderCheck, opts: CheckOptions, sink: MessageSink): PoolConfig {
  const c = new PoolChecker(pool, sink);
  const p = pool.config;
  if (p.prefix !== undefined && p.prefix !== '' && !isDir(p.prefix)) {
    c.report('error', `the prefix '${p.prefix}' does not exist or is not a directory`, 'prefix');
  }
  checkUser(c, opts);
  if (p.listen.address === '' && !c.broken('listen')) {
    c.report('alert', 'no listen address have been defined!', undefined, "add e.g. 'listen = 127.0.0.1:9000'");
  } else if (p.listen.address !== '') checkListenPort(c, p.listen.address);
  const prio = p.processPriority;
  if (prio !== undefined && (prio < -19 || prio > 20)) {
    c.report(
      'error',
      'process.priority must be included into [-19,20]',
      'process.priority',
      'an integer between -19 and 20',
    );
  }
  const pm = checkPm(c) ?? p.pm;
  checkUriPath(c, 'status', pm.statusPath, 'pm.status_path');
  checkUriPath(c, 'ping', p.pingPath, 'ping.path');
  if (p.pingPath !== undefined && p.pingPath !== '' && p.pingResponse === '') {
    c.report(
      'error',
      `the ping response page '${p.pingResponse}' is not long enough`,
      'ping.response',
      'a non-empty reply body',
    );
  }
  checkSlowlog(c);
  if (p.chdir !== undefined && p.chdir !== '' && !c.broken('chdir') && !isDir(p.chdir)) {
    c.report('error', `the chdir path '${p.chdir}' does not exist or is not a directory`, 'chdir');
  }
  return { ...p, pm };
}

/** -t: the children must be able to open access.log and slowlog (see log-path-check.ts). */
function checkLogDirectory(c: PoolChecker, directive: 'access.log' | 'slowlog', path: string | undefined): void {
  if (path === undefined || path === '' || c.broken(directive)) return;
  const problem = logPathProblem(path);
  if (problem !== undefined)
    c.report(
      'error',
      `cannot open ${directive} '${path}': ${problem}`,
      directive,
      'a path the daemon can create and write',
    );
}

/**
 * -t: a unix socket is bound in its directory, which tsfpm does not create. Without this check the
 * start fails with bind()'s EACCES (libuv reports ENOENT as EACCES for unix sockets), which points at
 * permissions instead of the missing directory.
 */
function checkListenDirectory(c: PoolChecker, address: string): void {
  if (!isUnixListen(address) || c.broken('listen')) return;
  const problem = unixSocketDirectoryProblem(address);
  if (problem !== undefined)
    c.report(
      'error',
      `cannot listen on '${address}': ${problem}`,
      'listen',
      'a unix socket path in an existing directory',
    );
}

/** The checks across pools, after each pool's own: duplicate listen addresses, access.format, test-mode-only checks. */
export function checkAcrossPools(pools: readonly PoolUnderCheck[], opts: CheckOptions, sink: MessageSink): void {
  pools.forEach((a, i) => {
    for (const b of pools.slice(i + 1)) {
      if (a.config.listen.address !== '' && a.config.listen.address === b.config.listen.address) {
        new PoolChecker(b, sink).report(
          'error',
          `unable to set listen address as it's already used in another pool '${a.config.name}'`,
          'listen',
        );
      }
    }
  });
  for (const pool of pools) {
    const p = pool.config;
    if (p.accessLog === undefined || p.accessLog === '') continue;
    const problem = checkAccessFormat(p.accessFormat);
    if (problem)
      new PoolChecker(pool, sink).report(
        'error',
        `wrong format for access.format '${p.accessFormat}': ${problem}`,
        'access.format',
      );
  }
  if (!opts.testMode) return;
  for (const pool of pools) {
    const c = new PoolChecker(pool, sink);
    const { listen } = pool.config;
    if (!opts.isRoot) {
      // As root checkUser already resolved them; php-fpm 8.3 -t checks they exist either way.
      if (pool.config.user !== undefined && !lookupUser(pool.config.user))
        c.report('error', `cannot get uid for user '${pool.config.user}'`, 'user');
      if (pool.config.group !== undefined && !lookupGroup(pool.config.group))
        c.report('error', `cannot get gid for group '${pool.config.group}'`, 'group');
    }
    if (listen.owner !== undefined && !lookupUser(listen.owner))
      c.report('error', `cannot get uid for user '${listen.owner}'`, 'listen.owner');
    if (listen.group !== undefined && !lookupGroup(listen.group))
      c.report('error', `cannot get gid for group '${listen.group}'`, 'listen.group');
    checkLogDirectory(c, 'access.log', pool.config.accessLog);
    checkLogDirectory(c, 'slowlog', pool.config.slowlog);
    checkListenDirectory(c, listen.address);
    const len = Buffer.byteLength(listen.address);
    if (isUnixListen(listen.address) && len > UNIX_PATH_MAX) {
      c.report(
        'error',
        `cannot bind to UNIX socket '${listen.address}' as path is too long (found length: ${len}, maximal length: ${UNIX_PATH_MAX})`,
        'listen',
      );
    }
  }
}
