// What the status page shows, as one frozen value: built by the master from its scoreboard, sent to
// the child that serves /status, rendered there by a pure renderer per format.

/** One request's fields (php-fpm's per-process request fields). */
export interface RequestSnapshot {
  /** µs: for a finished request its duration, for a running one the time since it began. */
  readonly requestDuration: number;
  readonly requestMethod: string;
  /** SCRIPT_NAME, plus `?` and the query string when there is one; `-` when none. */
  readonly requestUri: string;
  readonly contentLength: number;
  readonly user: string;
  readonly script: string;
}

/**
 * One child (php-fpm's per-process fields, plus tsfpm's current memory). Its request fields describe
 * its oldest running request, or when idle the last one it finished.
 */
export interface ProcessSnapshot extends RequestSnapshot {
  readonly pid: number;
  /** Stage label: Idle, Running, Finishing, Starting. */
  readonly state: string;
  /** Epoch seconds. */
  readonly startTime: number;
  readonly startSince: number;
  readonly requests: number;
  /** %CPU of the last request (0 unless idle). */
  readonly lastRequestCpu: number;
  /** Bytes: RSS after the last request (0 unless idle). */
  readonly lastRequestMemory: number;
  /** tsfpm addition: the child's RSS now (bytes), as last reported. */
  readonly memory: number;
  /** Requests in progress in this child (a Node child serves several at once). */
  readonly running: number;
  /** The child's other running requests, oldest first (those the slot had room for). */
  readonly otherRequests: readonly RequestSnapshot[];
}

export interface PoolSnapshot {
  readonly pool: string;
  readonly processManager: 'static' | 'dynamic' | 'ondemand';
  /** Epoch seconds of the pool's start. */
  readonly startTime: number;
  readonly startSince: number;
  readonly acceptedConn: number;
  readonly listenQueue: number;
  readonly maxListenQueue: number;
  readonly listenQueueLen: number;
  readonly idleProcesses: number;
  readonly activeProcesses: number;
  readonly totalProcesses: number;
  readonly maxActiveProcesses: number;
  readonly maxChildrenReached: number;
  readonly slowRequests: number;
  /** Peak RSS seen in any child of the pool (bytes); php-fpm 8.4's memory peak. */
  readonly memoryPeak: number;
  /** tsfpm addition: pm.max_children, to compute saturation (php-src GH-16221). */
  readonly maxChildren: number;
  /**
   * tsfpm additions: requests finished over the last ~10 s (status and ping pages excluded), their
   * rate and duration percentiles (µs).
   */
  readonly windowSeconds: number;
  readonly windowRequests: number;
  readonly windowRequestsPerSecond: number;
  readonly windowDurationP50: number;
  readonly windowDurationP95: number;
  readonly windowDurationP99: number;
  readonly processes: readonly ProcessSnapshot[];
}

/**
 * The query flags php-fpm understands (keys of the query string); format priority html > xml > json >
 * openmetrics > text. `dashboard` and `refresh` are tsfpm's.
 */
export interface StatusQuery {
  readonly format: 'text' | 'json' | 'xml' | 'html' | 'openmetrics' | 'dashboard';
  readonly full: boolean;
  /** `?html&refresh=N`: the html page reloads itself every N seconds. */
  readonly refresh?: number;
}

export interface RenderedPage {
  readonly contentType: string;
  readonly body: string;
}
