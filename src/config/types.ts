// The effective configuration after parsing, defaults and validation.
// Durations are stored in milliseconds whatever the INI said; sizes in bytes.
// Directive names (e.g. 'pm.max_children') live only in config/directives.ts, messages and docs.

export type PmStyle = 'static' | 'dynamic' | 'ondemand';
export type LogLevel = 'alert' | 'error' | 'warning' | 'notice' | 'debug';
/** How a pool runs the script named by SCRIPT_FILENAME. */
export type HandlerMode = 'auto' | 'fetch' | 'node' | 'cgi';
/** Where scripts execute inside a child: on its main thread, or in tinypool worker threads. */
export type ExecutorMode = 'inline' | 'threads';

export interface GlobalConfig {
  /** Absolute path of the main configuration file. */
  readonly configFile: string;
  /** Global prefix used to resolve relative paths (the -p flag, or the config file's directory). */
  readonly prefix: string;
  readonly pid: string | undefined;
  /** Absolute path, or 'syslog'. */
  readonly errorLog: string;
  readonly syslogIdent: string;
  readonly syslogFacility: string;
  readonly logLevel: LogLevel;
  /** True when log_level was set explicitly (the -tt dump prints 'unknown value' otherwise, as php-fpm). */
  readonly logLevelSet: boolean;
  readonly logLimit: number;
  readonly logBuffering: boolean;
  /** tsfpm addition: 'text' (php-fpm's line shape) or 'json' (one JSON object per line). */
  readonly logFormat: 'text' | 'json';
  readonly emergencyRestartThreshold: number;
  readonly emergencyRestartIntervalMs: number;
  readonly processControlTimeoutMs: number;
  readonly processMax: number;
  readonly processPriority: number | undefined;
  readonly daemonize: boolean;
  readonly rlimitFiles: number | undefined;
  readonly rlimitCore: number | 'unlimited' | undefined;
  readonly eventsMechanism: string | undefined;
  readonly systemdIntervalMs: number;
  /** Pool-less children kept started ahead of need (process.spare_children); 0 = none. */
  readonly spareChildren: number;
}

export interface PmConfig {
  readonly style: PmStyle;
  readonly maxChildren: number;
  readonly startServers: number;
  readonly minSpareServers: number;
  readonly maxSpareServers: number;
  readonly maxSpawnRate: number;
  readonly processIdleTimeoutMs: number;
  readonly maxRequests: number;
  /** A child above this RSS (bytes) is replaced after its requests; 0 = never. */
  readonly maxMemoryBytes: number;
  /** A child above this RSS (bytes) while it runs requests is stopped at once (503s) and replaced; 0 = never. */
  readonly maxMemoryHardBytes: number;
  readonly statusPath: string | undefined;
  readonly statusListen: string | undefined;
}

export interface ListenConfig {
  /** The address exactly as written (the key used for uniqueness checks and inherited sockets). */
  readonly address: string;
  readonly backlog: number;
  readonly owner: string | undefined;
  readonly group: string | undefined;
  /** Unix socket mode as a number (e.g. 0o660). */
  readonly mode: number;
  readonly aclUsers: string | undefined;
  readonly aclGroups: string | undefined;
  /** Undefined = any client allowed. An empty array = every TCP client refused (fail closed). */
  readonly allowedClients: readonly string[] | undefined;
  /** Children accepting on the shared socket at once; 0 = auto (CPU cores, at least 2). */
  readonly acceptors: number;
  /** FreeBSD SO_SETFIB table; accepted for compatibility, not applied (Node has no binding). */
  readonly setfib: number;
}

export interface PoolConfig {
  readonly name: string;
  /**
   * Set only on the hidden `<pool>_status` pool that pm.status_listen creates: the pool whose status
   * and ping it serves (it runs no scripts).
   */
  readonly statusOf?: string;
  readonly prefix: string | undefined;
  readonly user: string | undefined;
  readonly group: string | undefined;
  readonly listen: ListenConfig;
  readonly processPriority: number | undefined;
  readonly processDumpable: boolean;
  readonly pm: PmConfig;
  readonly pingPath: string | undefined;
  readonly pingResponse: string;
  readonly accessLog: string | undefined;
  readonly accessFormat: string;
  readonly accessSuppressPaths: readonly string[];
  readonly slowlog: string | undefined;
  readonly requestSlowlogTimeoutMs: number;
  readonly requestSlowlogTraceDepth: number;
  readonly requestTerminateTimeoutMs: number;
  readonly requestTerminateTimeoutTrackFinished: boolean;
  readonly rlimitFiles: number | undefined;
  readonly rlimitCore: number | 'unlimited' | undefined;
  readonly chroot: string | undefined;
  readonly chdir: string | undefined;
  readonly catchWorkersOutput: boolean;
  readonly decorateWorkersOutput: boolean;
  readonly clearEnv: boolean;
  /** Allowed script suffixes; empty = everything allowed. */
  readonly securityLimitExtensions: readonly string[];
  /** node.flags: execArgv of the children. */
  readonly nodeFlags: readonly string[];
  /** Accepted for compatibility, not applied (Node has no AppArmor binding). */
  readonly apparmorHat: string | undefined;
  readonly env: Readonly<Record<string, string>>;
  readonly phpValues: Readonly<Record<string, string>>;
  readonly phpAdminValues: Readonly<Record<string, string>>;
  // tsfpm additions
  readonly handler: HandlerMode;
  readonly executor: ExecutorMode;
  /** executor = threads: V8 heap limit of each script thread (bytes); 0 = none. */
  readonly executorMemoryLimitBytes: number;
  /** executor = threads: a fresh thread (fresh module state) for every request. */
  readonly executorIsolate: boolean;
  /** Real directory every script must live in (symlinks out of it refused); undefined = anywhere. */
  readonly scriptRoot: string | undefined;
  /** Largest PARAMS block accepted per request (bytes). */
  readonly maxParamsBytes: number;
  /** Response bytes held in memory while the request body is still arriving; beyond it a temp file is used. */
  readonly outputBufferBytes: number;
  /** Largest request body accepted (bytes); 0 = unlimited. */
  readonly maxBodyBytes: number;
  /** Most name-value pairs in one request's PARAMS. */
  readonly maxParams: number;
  /** Connections one child holds at once; 0: derived from the open-file limit (connection-cap.ts). */
  readonly maxConnections: number;
  /** The head (BEGIN_REQUEST + PARAMS) must arrive within this (ms); 0 = no limit. */
  readonly requestHeadTimeoutMs: number;
  /** The body may take this long (ms) plus 1 s per requestBodyMinRate bytes; 0 = no limit. */
  readonly requestBodyTimeoutMs: number;
  /** Bytes per second a body must average past requestBodyTimeoutMs; 0 = none. */
  readonly requestBodyMinRate: number;
  /** A request that waited longer than this for a child gets 503; 0 = wait forever. */
  readonly requestQueueTimeoutMs: number;
}

export interface FpmConfig {
  readonly global: GlobalConfig;
  readonly pools: readonly PoolConfig[];
}
