// What the status page shows, as one frozen value: built by the master from its scoreboard, sent to
// the child that serves /status, rendered there by a pure renderer per format.

/** One child (php-fpm's per-process fields, plus tsfpm's current memory). */
export interface ProcessSnapshot {
  readonly pid: number;
  /** Stage label: Idle, Running, Finishing, Starting. */
  readonly state: string;
  /** Epoch seconds. */
  readonly startTime: number;
  readonly startSince: number;
  readonly requests: number;
  /** µs: for an idle child the last request's duration, otherwise the time since the current one began. */
  readonly requestDuration: number;
  readonly requestMethod: string;
  /** SCRIPT_NAME, plus `?` and the query string when there is one; `-` when none. */
  readonly requestUri: string;
  readonly contentLength: number;
  readonly user: string;
  readonly script: string;
  /** %CPU of the last request (0 unless idle). */
  readonly lastRequestCpu: number;
  /** Bytes: RSS after the last request (0 unless idle). */
  readonly lastRequestMemory: number;
  /** tsfpm addition: the child's RSS now (bytes), as last reported. */
  readonly memory: number;
  /** Requests in progress in this child (a Node child serves several at once). */
  readonly running: number;
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
