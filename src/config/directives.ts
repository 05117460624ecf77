// THE directive table. Parsing, defaults, relative-path rules, the "does not apply to
// Node" warnings, the -tt dump order, the docs/configuration.md reference and the sample conf/ test all read it.
// Order inside each scope is php-fpm's -tt dump order (fpm_conf_dump); tsfpm additions come last.
import { platform } from 'node:os';
import * as t from './value-types.js';
import type { ValueType } from './value-types.js';

export type Scope = 'global' | 'pool' | 'any';

export interface Directive {
  /** Exact php-fpm spelling. Scalars match case-insensitively; arrays and include match exactly. */
  readonly name: string;
  readonly scope: Scope;
  readonly kind: 'scalar' | 'array' | 'include';
  /** 'tsfpm' marks our additions (not in php-fpm). */
  readonly origin: 'php-fpm' | 'tsfpm';
  readonly type: ValueType<unknown>;
  /** Dotted path of the field in GlobalConfig / PoolConfig (undefined: handled by the loader itself). */
  readonly key: string | undefined;
  /** Typed default placed in the config when the directive is absent. */
  readonly default: unknown;
  /** The default as an operator reads it (docs and sample files). */
  readonly defaultText: string;
  /** php-fpm's meaning, in our words. */
  readonly doc: string;
  /** Set when tsfpm accepts the directive but cannot honour it under Node.js: the warning's reason. */
  readonly ignoredBecause: string | undefined;
  /** Relative paths are resolved against the global prefix, or the pool prefix (falling back to global). */
  readonly path: 'global' | 'pool' | undefined;
  /** `$pool` is replaced by the pool name in this directive's value. */
  readonly expandPool: boolean;
  /** Custom -tt rendering; undefined means type.format(value); returning undefined omits the line. */
  readonly dump: ((value: unknown, section: Readonly<Record<string, unknown>>) => string | undefined) | undefined;
}

interface Spec {
  name: string;
  type: ValueType<unknown>;
  key?: string;
  default?: unknown;
  defaultText?: string;
  doc: string;
  ignoredBecause?: string;
  path?: 'global' | 'pool';
  origin?: 'php-fpm' | 'tsfpm';
  kind?: Directive['kind'];
  dump?: Directive['dump'];
}

function define(scope: Scope, s: Spec): Directive {
  const isString = s.type === t.str;
  return {
    name: s.name,
    scope,
    kind: s.kind ?? 'scalar',
    origin: s.origin ?? 'php-fpm',
    type: s.type,
    key: s.key,
    default: s.default,
    defaultText: s.defaultText ?? (s.default === undefined ? 'unset' : s.type.format(s.default)),
    doc: s.doc,
    ignoredBecause: s.ignoredBecause,
    path: s.path,
    expandPool: scope !== 'global' && (isString || s.kind === 'array'),
    dump: s.dump,
  };
}

const NO_RLIMIT =
  'Node.js has no setrlimit(2); set the core-file limit in the service manager (LimitCORE=) or with ulimit -c before starting tsfpm';
const NOT_PHP = 'tsfpm runs JavaScript, not PHP';
/** php-fpm's FPM_BACKLOG_DEFAULT: -1 where the kernel clamps to SOMAXCONN, else 511. */
const BACKLOG_DEFAULT = ['linux', 'freebsd', 'openbsd', 'darwin'].includes(platform()) ? -1 : 511;
const LIBUV_MECHANISM = platform() === 'linux' ? 'epoll' : platform() === 'win32' ? 'iocp' : 'kqueue';
/** node.flags default: V8's young generation at 2 MB per semi-space (Node's default grows to 16). */
const CHILD_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];

const G = (s: Spec): Directive => define('global', s);
const P = (s: Spec): Directive => define('pool', s);
const A = (name: string, key: string, doc: string, ignoredBecause?: string): Directive =>
  define('pool', {
    name,
    type: t.str,
    key,
    kind: 'array',
    defaultText: 'none',
    doc,
    ...(ignoredBecause ? { ignoredBecause } : {}),
  });

export const DIRECTIVES: readonly Directive[] = [
  // ---- [global] -------------------------------------------------------------------------------
  G({
    name: 'pid',
    type: t.str,
    key: 'pid',
    path: 'global',
    defaultText: 'none (no pid file)',
    doc: 'File the master writes its pid into; a relative path is taken from the global prefix. A pid line here overrides the -g flag.',
  }),
  G({
    name: 'error_log',
    type: t.str,
    key: 'errorLog',
    path: 'global',
    default: 'log/tsfpm.log',
    defaultText: 'log/tsfpm.log',
    doc: "Where the master logs; 'syslog' sends lines to syslog(3). Relative paths are taken from the global prefix.",
  }),
  G({
    name: 'syslog.ident',
    type: t.str,
    key: 'syslogIdent',
    default: 'tsfpm',
    doc: 'Identifier syslog puts in front of every line when error_log = syslog.',
  }),
  G({
    name: 'syslog.facility',
    type: t.syslogFacility,
    key: 'syslogFacility',
    default: 'daemon',
    defaultText: 'daemon',
    doc: 'Syslog facility used when error_log = syslog (daemon, user, local0..local7, …).',
  }),
  G({
    name: 'log_buffering',
    type: t.bool,
    key: 'logBuffering',
    default: true,
    doc: 'Write each log line with a single write() instead of in pieces.',
  }),
  G({
    name: 'log_level',
    type: t.logLevel,
    key: 'logLevel',
    default: 'notice',
    defaultText: 'notice',
    doc: 'Least severe level written to the error log: alert, error, warning, notice or debug.',
    // php-fpm quirk: -tt prints 'unknown value' when log_level was never set.
    dump: (v, s) => (s['logLevelSet'] === true ? t.logLevel.format(v as 'notice') : 'unknown value'),
  }),
  G({
    name: 'log_limit',
    type: t.int(),
    key: 'logLimit',
    default: 1024,
    doc: 'Longest log line in characters (at least 512); longer master messages are cut, worker output is wrapped.',
  }),
  G({
    name: 'emergency_restart_interval',
    type: t.time,
    key: 'emergencyRestartIntervalMs',
    default: 0,
    doc: 'Window in which emergency_restart_threshold crashed children trigger a graceful reload; 0 disables.',
  }),
  G({
    name: 'emergency_restart_threshold',
    type: t.int({ min: 0 }),
    key: 'emergencyRestartThreshold',
    default: 0,
    doc: 'Number of children dying by SIGSEGV/SIGBUS within the interval that makes the master reload itself; 0 disables.',
  }),
  G({
    name: 'process_control_timeout',
    type: t.time,
    key: 'processControlTimeoutMs',
    default: 30_000,
    doc: "How long children get to finish their requests after a stop (SIGQUIT) or reload (SIGUSR2) before the master escalates to SIGTERM, then SIGKILL. tsfpm defaults to 30s: php-fpm's 0 cuts in-flight requests within a second.",
  }),
  G({
    name: 'process.max',
    type: t.int(),
    key: 'processMax',
    default: 0,
    doc: 'Upper bound on the number of children across all pools; 0 means no bound.',
  }),
  G({
    name: 'process.priority',
    type: t.optionalInt('undefined'),
    key: 'processPriority',
    doc: 'Nice value (-19..20) of the master when it runs as root.',
  }),
  G({
    name: 'daemonize',
    type: t.bool,
    key: 'daemonize',
    default: true,
    doc: 'Fork into the background; -D and -F on the command line override it.',
  }),
  G({
    name: 'rlimit_files',
    type: t.optionalInt('0'),
    key: 'rlimitFiles',
    defaultText: 'system limit',
    doc: 'Open-file limit (RLIMIT_NOFILE) of the master, and of the children of pools that set none: set as soft and hard limit with prlimit(1) at start (raising the hard limit needs root); start-up fails when it cannot be set.',
  }),
  G({
    name: 'rlimit_core',
    type: t.rlimitCore,
    key: 'rlimitCore',
    defaultText: 'system limit',
    doc: "Core-file size limit (RLIMIT_CORE) of the master: 'unlimited' or a number.",
    ignoredBecause: NO_RLIMIT,
  }),
  G({
    name: 'events.mechanism',
    type: t.str,
    key: 'eventsMechanism',
    defaultText: 'auto',
    doc: 'Event mechanism of the master (epoll, kqueue, poll, select, …).',
    ignoredBecause: 'Node.js (libuv) always picks the best event mechanism of the platform itself',
    dump: (v) => (typeof v === 'string' && v !== '' ? v : LIBUV_MECHANISM),
  }),
  G({
    name: 'systemd_interval',
    type: t.time,
    key: 'systemdIntervalMs',
    default: 10_000,
    doc: 'Interval of the status updates sent to systemd (Type=notify); 0 disables them.',
  }),
  G({
    name: 'log_format',
    origin: 'tsfpm',
    type: t.oneOf(['text', 'json'] as const),
    key: 'logFormat',
    default: 'text',
    doc: "tsfpm: shape of error-log lines: 'text' (php-fpm's `[date] LEVEL: message`) or 'json' (one object per line).",
  }),
  G({
    name: 'process.spare_children',
    origin: 'tsfpm',
    type: t.int({ min: 0 }),
    key: 'spareChildren',
    default: 1,
    doc: "tsfpm: children the master keeps started ahead of need, in no pool yet: an ondemand pool's first connection, a dynamic pool's new child or a replacement takes one and serves within milliseconds instead of waiting for a Node start. Kept while an ondemand or dynamic pool can use them; a pool whose node.flags differ from the spares' (or whose environment sets a variable Node reads at start, such as NODE_OPTIONS) forks its children as before. 0 disables.",
  }),
  define('any', {
    name: 'include',
    kind: 'include',
    type: t.str,
    defaultText: 'none',
    doc: 'Load more configuration files matching a glob; relative patterns are taken from the global prefix, not from the including file. Allowed in any section.',
  }),

  // ---- [pool] ---------------------------------------------------------------------------------
  P({
    name: 'prefix',
    type: t.str,
    key: 'prefix',
    path: 'global',
    doc: 'Per-pool prefix for relative listen, access.log, slowlog and chdir paths; itself relative to the global prefix.',
  }),
  P({
    name: 'user',
    type: t.str,
    key: 'user',
    defaultText: "the master's user",
    doc: 'User the children run as (only when the master runs as root, where it is required unless -R).',
  }),
  P({
    name: 'group',
    type: t.str,
    key: 'group',
    defaultText: "the user's group",
    doc: 'Group the children run as (only when the master runs as root).',
  }),
  P({
    name: 'listen',
    type: t.str,
    key: 'listen.address',
    default: '',
    defaultText: 'none (mandatory)',
    doc: "Address of the pool's FastCGI socket: 'ip:port', '[ipv6]:port', 'port' (all addresses) or a unix socket path.",
  }),
  P({
    name: 'listen.backlog',
    type: t.int(),
    key: 'listen.backlog',
    default: BACKLOG_DEFAULT,
    doc: 'Backlog passed to listen(2); -1 lets the kernel use its maximum (somaxconn).',
  }),
  P({
    name: 'listen.acl_users',
    type: t.str,
    key: 'listen.aclUsers',
    doc: 'POSIX ACL users allowed on the unix socket.',
    ignoredBecause: 'Node.js has no POSIX ACL binding; use listen.owner, listen.group and listen.mode',
  }),
  P({
    name: 'listen.acl_groups',
    type: t.str,
    key: 'listen.aclGroups',
    doc: 'POSIX ACL groups allowed on the unix socket.',
    ignoredBecause: 'Node.js has no POSIX ACL binding; use listen.owner, listen.group and listen.mode',
  }),
  P({
    name: 'listen.owner',
    type: t.str,
    key: 'listen.owner',
    defaultText: "the master's user",
    doc: 'Owner of the unix socket.',
  }),
  P({
    name: 'listen.group',
    type: t.str,
    key: 'listen.group',
    defaultText: "the owner's group",
    doc: 'Group of the unix socket.',
  }),
  P({
    name: 'listen.mode',
    type: t.octalMode,
    key: 'listen.mode',
    default: 0o660,
    doc: 'Permissions of the unix socket (octal).',
  }),
  P({
    name: 'listen.allowed_clients',
    type: t.addressList,
    key: 'listen.allowedClients',
    defaultText: 'any',
    doc: 'Comma-separated IP addresses allowed to connect over TCP; when no entry is valid every client is refused.',
  }),
  P({
    name: 'listen.acceptors',
    origin: 'tsfpm',
    type: t.int({ min: 0 }),
    key: 'listen.acceptors',
    default: 0,
    defaultText: '0 (auto: one per CPU core, at least 2)',
    doc: 'tsfpm: pm = static: children waiting on the shared socket at once; more join while those are all busy with a request and leave when the rush is over. php-fpm lets every child wait, which in Node wakes them all for each connection; 0 picks the number of CPU cores.',
  }),
  P({
    name: 'listen.setfib',
    type: t.int(),
    key: 'listen.setfib',
    default: -1,
    doc: 'FreeBSD routing table (SO_SETFIB) of the socket.',
    ignoredBecause: 'FreeBSD-only SO_SETFIB is not available from Node.js',
  }),
  P({
    name: 'process.priority',
    type: t.optionalInt('undefined'),
    key: 'processPriority',
    doc: 'Nice value (-19..20) of the children when the master runs as root.',
  }),
  P({
    name: 'process.dumpable',
    type: t.bool,
    key: 'processDumpable',
    default: false,
    doc: 'Let the pool user ptrace the children and get core dumps (PR_SET_DUMPABLE).',
    ignoredBecause: 'Node.js cannot call prctl(PR_SET_DUMPABLE)',
  }),
  P({
    name: 'pm',
    type: t.pmStyle,
    key: 'pm.style',
    defaultText: 'none (mandatory)',
    doc: 'Process manager: static (fixed number of children), dynamic (spare-server bounds) or ondemand (spawn on connection).',
  }),
  P({
    name: 'pm.max_children',
    type: t.int(),
    key: 'pm.maxChildren',
    default: 0,
    defaultText: 'none (mandatory)',
    doc: 'Number of children for static, upper bound for dynamic and ondemand.',
  }),
  P({
    name: 'pm.start_servers',
    type: t.int(),
    key: 'pm.startServers',
    default: 0,
    defaultText: 'min_spare_servers + (max_spare_servers - min_spare_servers) / 2',
    doc: 'dynamic: children started at launch.',
  }),
  P({
    name: 'pm.min_spare_servers',
    type: t.int(),
    key: 'pm.minSpareServers',
    default: 0,
    defaultText: 'none (mandatory for dynamic)',
    doc: 'dynamic: fewest idle children kept; more are spawned below it.',
  }),
  P({
    name: 'pm.max_spare_servers',
    type: t.int(),
    key: 'pm.maxSpareServers',
    default: 0,
    defaultText: 'none (mandatory for dynamic)',
    doc: 'dynamic: most idle children kept; extra ones are stopped.',
  }),
  P({
    name: 'pm.max_spawn_rate',
    type: t.int(),
    key: 'pm.maxSpawnRate',
    default: 32,
    doc: 'dynamic: most children spawned at once while the spawn rate doubles.',
  }),
  P({
    name: 'pm.process_idle_timeout',
    type: t.time,
    key: 'pm.processIdleTimeoutMs',
    default: 10_000,
    doc: 'ondemand: how long an idle child lives before it is stopped.',
  }),
  P({
    name: 'pm.max_requests',
    type: t.int({ min: 0 }),
    key: 'pm.maxRequests',
    default: 0,
    doc: 'Requests a child serves before it is replaced; 0 means never.',
  }),
  P({
    name: 'pm.status_path',
    type: t.str,
    key: 'pm.statusPath',
    doc: 'URI of the status page (text, json, xml, html, openmetrics); unset disables it.',
  }),
  P({
    name: 'pm.status_listen',
    type: t.str,
    key: 'pm.statusListen',
    doc: 'Extra address served by a hidden <pool>_status pool that answers only status and ping.',
  }),
  P({
    name: 'ping.path',
    type: t.str,
    key: 'pingPath',
    doc: 'URI of the ping page used by monitors; unset disables it.',
  }),
  P({
    name: 'ping.response',
    type: t.str,
    key: 'pingResponse',
    default: 'pong',
    doc: 'Body of the ping reply.',
    dump: (v, s) => (s['pingPath'] === undefined ? 'undefined' : String(v)),
  }),
  P({
    name: 'access.log',
    type: t.str,
    key: 'accessLog',
    path: 'pool',
    doc: 'Per-pool access log, one line per request; relative to the pool prefix.',
  }),
  P({
    name: 'access.format',
    type: t.str,
    key: 'accessFormat',
    default: '%R - %u %t "%m %r" %s',
    doc: 'Format of access log lines (%-tokens such as %R %u %t %m %r %s %d %M %C).',
    dump: (v, s) => (s['accessLog'] === undefined ? 'undefined' : String(v)),
  }),
  A(
    'access.suppress_path',
    'accessSuppressPaths',
    'Exact request URIs not written to the access log when the request was a successful GET/HEAD without query or body (health checks). Use access.suppress_path[] = /ping.',
  ),
  P({
    name: 'slowlog',
    type: t.str,
    key: 'slowlog',
    path: 'pool',
    doc: 'File receiving a report for each request slower than request_slowlog_timeout; relative to the pool prefix.',
  }),
  P({
    name: 'request_slowlog_timeout',
    type: t.time,
    key: 'requestSlowlogTimeoutMs',
    default: 0,
    doc: 'Requests running longer than this are reported to slowlog; 0 disables.',
  }),
  P({
    name: 'request_slowlog_trace_depth',
    type: t.int(),
    key: 'requestSlowlogTraceDepth',
    default: 20,
    doc: 'Most stack frames written per slowlog report.',
  }),
  P({
    name: 'request_terminate_timeout',
    type: t.time,
    key: 'requestTerminateTimeoutMs',
    default: 0,
    doc: 'A child whose request runs longer than this is killed; 0 disables.',
  }),
  P({
    name: 'request_terminate_timeout_track_finished',
    type: t.bool,
    key: 'requestTerminateTimeoutTrackFinished',
    default: false,
    doc: 'Keep applying request_terminate_timeout after the response was finished early.',
  }),
  P({
    name: 'rlimit_files',
    type: t.optionalInt('0'),
    key: 'rlimitFiles',
    defaultText: "the master's limit",
    doc: 'Open-file limit (RLIMIT_NOFILE) of the children: set with prlimit(1) on each child after it is forked and before it serves; a child whose limit cannot be set logs an error and keeps the inherited one.',
  }),
  P({
    name: 'rlimit_core',
    type: t.rlimitCore,
    key: 'rlimitCore',
    defaultText: 'system limit',
    doc: "Core-file size limit of the children: 'unlimited' or a number.",
    ignoredBecause: NO_RLIMIT,
  }),
  P({
    name: 'chroot',
    type: t.str,
    key: 'chroot',
    doc: "Directory the children chroot(2) into (root only); may start with '$prefix'.",
    ignoredBecause:
      'Node.js has no chroot(2); the children are NOT confined (use a container or systemd RootDirectory=)',
  }),
  P({
    name: 'chdir',
    type: t.str,
    key: 'chdir',
    path: 'pool',
    defaultText: "the master's working directory",
    doc: 'Working directory of the children; relative to the pool prefix.',
  }),
  P({
    name: 'catch_workers_output',
    type: t.bool,
    key: 'catchWorkersOutput',
    default: false,
    doc: "Send the children's stdout/stderr to the master's error log instead of /dev/null.",
  }),
  P({
    name: 'decorate_workers_output',
    type: t.bool,
    key: 'decorateWorkersOutput',
    default: true,
    doc: 'With catch_workers_output: prefix captured lines with time, level, pool and child pid.',
  }),
  P({
    name: 'clear_env',
    type: t.bool,
    key: 'clearEnv',
    default: true,
    doc: "Start children with an empty environment (plus env[] entries) instead of the master's.",
  }),
  P({
    name: 'security.limit_extensions',
    type: t.extensionList,
    key: 'securityLimitExtensions',
    default: ['.js', '.mjs'],
    defaultText: '.js .mjs',
    doc: 'Suffixes a script must end with to be run (tsfpm default .js .mjs); empty allows everything.',
  }),
  P({
    name: 'apparmor_hat',
    type: t.str,
    key: 'apparmorHat',
    doc: 'AppArmor hat the children change into.',
    ignoredBecause: 'Node.js has no AppArmor change_profile binding',
    dump: () => undefined,
  }),
  P({
    name: 'handler',
    origin: 'tsfpm',
    type: t.oneOf(['auto', 'fetch', 'node', 'cgi'] as const),
    key: 'handler',
    default: 'auto',
    doc: "tsfpm: how a script is run: 'fetch' (export default { fetch }), 'node' ((req, res) handler), 'cgi' (exec, fcgiwrap-like) or 'auto' (detect).",
  }),
  P({
    name: 'executor',
    origin: 'tsfpm',
    type: t.oneOf(['inline', 'threads'] as const),
    key: 'executor',
    default: 'inline',
    doc: "tsfpm: run scripts on the child's main thread ('inline') or in worker threads ('threads').",
  }),
  P({
    name: 'executor.memory_limit',
    origin: 'tsfpm',
    type: t.size,
    key: 'executorMemoryLimitBytes',
    default: 0,
    defaultText: '0 (none)',
    doc: 'tsfpm: with executor = threads, the V8 heap limit of each script thread (php_admin_value[memory_limit] for tsfpm); a request that exceeds it gets 500 and the thread is replaced.',
  }),
  P({
    name: 'executor.isolate',
    origin: 'tsfpm',
    type: t.bool,
    key: 'executorIsolate',
    default: false,
    doc: 'tsfpm: with executor = threads, run every request in a fresh thread (no module state shared between requests, as PHP; costs ~15 ms a request).',
  }),
  P({
    name: 'node.flags',
    origin: 'tsfpm',
    type: t.nodeFlags,
    key: 'nodeFlags',
    default: CHILD_NODE_FLAGS,
    defaultText: CHILD_NODE_FLAGS.join(' '),
    doc: 'tsfpm: Node.js options of the children (those NODE_OPTIONS allows, e.g. --max-old-space-size=512). Setting it replaces the default, whose small V8 young generation (2 MB semi-spaces instead of 16) was measured as fast on request-sized work and ~25 MB smaller per child; keep it in the list unless a script needs otherwise.',
  }),
  P({
    name: 'script_root',
    origin: 'tsfpm',
    type: t.str,
    key: 'scriptRoot',
    path: 'pool',
    defaultText: 'unset (anywhere)',
    doc: 'tsfpm: directory scripts must be in, checked on the real path (a symlink pointing out of it is refused with 403); relative to the pool prefix.',
  }),
  P({
    name: 'fastcgi.max_params_size',
    origin: 'tsfpm',
    type: t.size,
    key: 'maxParamsBytes',
    default: 1024 ** 2,
    defaultText: '1M',
    doc: 'tsfpm: largest FastCGI PARAMS block accepted per request.',
  }),
  P({
    name: 'fastcgi.output_buffer_size',
    origin: 'tsfpm',
    type: t.size,
    key: 'outputBufferBytes',
    default: 1024 ** 2,
    defaultText: '1M',
    doc: 'tsfpm: response bytes held in memory while the request body still arrives; beyond it a temporary file is used.',
  }),
  P({
    name: 'fastcgi.max_body_size',
    origin: 'tsfpm',
    type: t.size,
    key: 'maxBodyBytes',
    default: 0,
    defaultText: '0 (unlimited)',
    doc: 'tsfpm: largest request body accepted; a request announcing more (CONTENT_LENGTH) gets 413 without running, a body that grows past it closes the connection; 0 means unlimited.',
  }),
  P({
    name: 'fastcgi.max_params',
    origin: 'tsfpm',
    type: t.int({ min: 1 }),
    key: 'maxParams',
    default: 1000,
    doc: 'tsfpm: most name-value pairs (CGI variables and HTTP headers) in the PARAMS of one request; more close the connection with a logged reason.',
  }),
  P({
    name: 'fastcgi.max_connections',
    origin: 'tsfpm',
    type: t.int({ min: 0 }),
    key: 'maxConnections',
    default: 0,
    defaultText: '0 (derived from the open-file limit)',
    doc: "tsfpm: connections one child holds at once; 0 derives it from the child's open-file limit (the limit less a reserve for the runtime, logs, spill files and the scripts' own files), and a larger value is lowered to that with a warning. At the cap a new connection evicts, in this order, a connection that has sent nothing yet, the slowest request still sending its head, an idle kept connection, a request body arriving below request_body_min_rate, and last a connection accepted moments ago; it is closed only when every connection is busy.",
  }),
  P({
    name: 'request_head_timeout',
    origin: 'tsfpm',
    type: t.time,
    key: 'requestHeadTimeoutMs',
    default: 10_000,
    defaultText: '10s',
    doc: 'tsfpm: the head of a request (BEGIN_REQUEST and the whole PARAMS stream) must arrive within this, counted from the accept (or, on a kept connection, from its first byte), however it trickles; 0 disables.',
  }),
  P({
    name: 'request_body_timeout',
    origin: 'tsfpm',
    type: t.time,
    key: 'requestBodyTimeoutMs',
    default: 20_000,
    defaultText: '20s',
    doc: 'tsfpm: the time a request body may take, extended by 1 s for every request_body_min_rate bytes received (time the script does not read does not count); a body past it closes the connection. 0 disables.',
  }),
  P({
    name: 'request_body_min_rate',
    origin: 'tsfpm',
    type: t.size,
    key: 'requestBodyMinRate',
    default: 500,
    defaultText: '500 (bytes per second)',
    doc: 'tsfpm: the lowest average rate (bytes per second) of a request body once request_body_timeout has passed; 0 makes request_body_timeout a fixed limit on the whole body.',
  }),
  P({
    name: 'request_queue_timeout',
    origin: 'tsfpm',
    type: t.time,
    key: 'requestQueueTimeoutMs',
    default: 0,
    defaultText: '0 (wait forever, as php-fpm)',
    doc: "tsfpm: a request that waited longer than this for a free child (ondemand: in the master's queue or behind a busy child; shared accept: accepted while the child was blocked) gets 503 instead of running; 0 disables.",
  }),
  P({
    name: 'pm.max_memory',
    origin: 'tsfpm',
    type: t.size,
    key: 'pm.maxMemoryBytes',
    default: 0,
    defaultText: '0 (none)',
    doc: 'tsfpm: a child whose resident memory (RSS, sampled after each request) passes this finishes its requests and is replaced; 0 disables.',
  }),
  P({
    name: 'pm.max_memory_hard',
    origin: 'tsfpm',
    type: t.size,
    key: 'pm.maxMemoryHardBytes',
    default: 512 * 1024 ** 2,
    defaultText: '512M',
    doc: "tsfpm: a child whose resident memory (RSS, read by the master every 100 ms while it runs requests; Buffers and the V8 heap alike) passes this stops at once: its running requests get 503, it is killed if it cannot answer (a synchronous loop), the log names the script and request, and it is replaced; 0 disables. The default leaves ~440 MiB above a child's ~70 MiB at rest; size it to the memory for tsfpm divided by the children of all pools.",
  }),
  A(
    'env',
    'env',
    "Set an environment variable of the children: env[NAME] = value; a value starting with '$' copies the master's variable of that name.",
  ),
  A('php_value', 'phpValues', 'PHP ini setting for the pool (php_value[memory_limit] = 128M).', NOT_PHP),
  A('php_flag', 'phpValues', 'Boolean PHP ini setting for the pool (php_flag[display_errors] = off).', NOT_PHP),
  A('php_admin_value', 'phpAdminValues', 'PHP ini setting scripts cannot change.', NOT_PHP),
  A('php_admin_flag', 'phpAdminValues', 'Boolean PHP ini setting scripts cannot change.', NOT_PHP),
];

const byScope = (scope: 'global' | 'pool'): ReadonlyMap<string, Directive> =>
  new Map(DIRECTIVES.filter((d) => d.scope === scope && d.kind === 'scalar').map((d) => [d.name.toLowerCase(), d]));

export const GLOBAL_DIRECTIVES = byScope('global');
export const POOL_DIRECTIVES = byScope('pool');
export const ARRAY_DIRECTIVES: ReadonlyMap<string, Directive> = new Map(
  DIRECTIVES.filter((d) => d.kind === 'array').map((d) => [d.name, d]),
);

/** Scalar lookup, case-insensitive as php-fpm's strcasecmp. */
export function findDirective(scope: 'global' | 'pool', name: string): Directive | undefined {
  return (scope === 'global' ? GLOBAL_DIRECTIVES : POOL_DIRECTIVES).get(name.toLowerCase());
}
