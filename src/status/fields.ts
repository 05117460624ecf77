// The status page's fields in php-fpm's order (sapi/fpm/fpm/fpm_status.c), named once for every format: the
// text label, the JSON key and the XML tag. Every renderer walks these lists, so the formats cannot
// drift apart. Fields marked `extra` come after php-fpm's own and exist only in tsfpm (8.4's memory
// peak, max children, the recent window's request figures, per-process current memory and running
// requests): parsers that read known keys ignore them.
import type { PoolSnapshot, ProcessSnapshot, RequestSnapshot } from './snapshot.js';

/** How a value is printed: a string, an integer, an epoch time (formatted in text/html), `%.2f`. */
export type FieldKind = 'string' | 'int' | 'time' | 'float';

export interface Field<T> {
  /** Text label (`request URI`) and html row header for pool fields. */
  readonly text: string;
  /** JSON key (`request uri`) and html column header for process fields. */
  readonly json: string;
  /** XML tag (`request-uri`). */
  readonly xml: string;
  readonly kind: FieldKind;
  readonly extra: boolean;
  readonly get: (value: T) => string | number;
}

function field<T>(
  text: string,
  kind: FieldKind,
  get: (value: T) => string | number,
  extra = false,
  json = text,
): Field<T> {
  return { text, json, xml: json.replace(/ /g, '-'), kind, extra, get };
}

export const POOL_FIELDS: readonly Field<PoolSnapshot>[] = [
  field('pool', 'string', (s) => s.pool),
  field('process manager', 'string', (s) => s.processManager),
  field('start time', 'time', (s) => s.startTime),
  field('start since', 'int', (s) => s.startSince),
  field('accepted conn', 'int', (s) => s.acceptedConn),
  field('listen queue', 'int', (s) => s.listenQueue),
  field('max listen queue', 'int', (s) => s.maxListenQueue),
  field('listen queue len', 'int', (s) => s.listenQueueLen),
  field('idle processes', 'int', (s) => s.idleProcesses),
  field('active processes', 'int', (s) => s.activeProcesses),
  field('total processes', 'int', (s) => s.totalProcesses),
  field('max active processes', 'int', (s) => s.maxActiveProcesses),
  field('max children reached', 'int', (s) => s.maxChildrenReached),
  field('slow requests', 'int', (s) => s.slowRequests),
  field('memory peak', 'int', (s) => s.memoryPeak, true),
  field('max children', 'int', (s) => s.maxChildren, true),
  field('window seconds', 'float', (s) => s.windowSeconds, true),
  field('window requests', 'int', (s) => s.windowRequests, true),
  // The text label must stay under 22 characters (the value column); the JSON key says it in full.
  field('window req/s', 'float', (s) => s.windowRequestsPerSecond, true, 'window requests per second'),
  field('window duration p50', 'int', (s) => s.windowDurationP50, true),
  field('window duration p95', 'int', (s) => s.windowDurationP95, true),
  field('window duration p99', 'int', (s) => s.windowDurationP99, true),
];

/** A request's own fields: the process fields of its request, and each of a child's other requests. */
export const REQUEST_FIELDS: readonly Field<RequestSnapshot>[] = [
  field('request duration', 'int', (p) => p.requestDuration),
  field('request method', 'string', (p) => p.requestMethod),
  field('request URI', 'string', (p) => p.requestUri, false, 'request uri'),
  field('content length', 'int', (p) => p.contentLength),
  field('user', 'string', (p) => p.user),
  field('script', 'string', (p) => p.script),
];

export const PROCESS_FIELDS: readonly Field<ProcessSnapshot>[] = [
  field('pid', 'int', (p) => p.pid),
  field('state', 'string', (p) => p.state),
  field('start time', 'time', (p) => p.startTime),
  field('start since', 'int', (p) => p.startSince),
  field('requests', 'int', (p) => p.requests),
  ...REQUEST_FIELDS,
  field('last request cpu', 'float', (p) => p.lastRequestCpu),
  field('last request memory', 'int', (p) => p.lastRequestMemory),
  field('memory', 'int', (p) => p.memory, true),
  field('running requests', 'int', (p) => p.running, true),
];

/** Key (JSON, html) and tag (XML) of the list of a child's other running requests. */
export const OTHER_REQUESTS = { json: 'other requests', xml: 'other-requests', item: 'request' } as const;

/** A number as php-fpm prints it: `%.2f` for floats, integers without a fraction. */
export function formatNumber(kind: FieldKind, value: number): string {
  if (kind === 'float') return value.toFixed(2);
  return String(Math.max(0, Math.trunc(value)));
}
