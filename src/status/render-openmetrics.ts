// `?openmetrics` (php-fpm 8.1+): php-fpm's metric names, HELP texts and TYPEs exactly, so existing
// exporters and scrape configs work; no labels and no per-process data. php-fpm writes the TYPE line
// of phpfpm_listen_queue_length before its HELP line: kept. 8.4's phpfpm_memory_peak follows, then
// tsfpm's phpfpm_max_children, then `# EOF`.
import type { PoolSnapshot } from './snapshot.js';

export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

interface Metric {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter';
  readonly value: (s: PoolSnapshot) => number;
  /** php-fpm prints TYPE before HELP for this one metric. */
  readonly typeFirst?: boolean;
}

const METRICS: readonly Metric[] = [
  {
    name: 'start_since',
    help: 'The number of seconds since FPM has started.',
    type: 'counter',
    value: (s) => s.startSince,
  },
  {
    name: 'accepted_connections',
    help: 'The number of requests accepted by the pool.',
    type: 'counter',
    value: (s) => s.acceptedConn,
  },
  {
    name: 'listen_queue',
    help: 'The number of requests in the queue of pending connections.',
    type: 'gauge',
    value: (s) => s.listenQueue,
  },
  {
    name: 'max_listen_queue',
    help: 'The maximum number of requests in the queue of pending connections since FPM has started.',
    type: 'counter',
    value: (s) => s.maxListenQueue,
  },
  {
    name: 'listen_queue_length',
    help: 'The size of the socket queue of pending connections.',
    type: 'gauge',
    value: (s) => s.listenQueueLen,
    typeFirst: true,
  },
  { name: 'idle_processes', help: 'The number of idle processes.', type: 'gauge', value: (s) => s.idleProcesses },
  { name: 'active_processes', help: 'The number of active processes.', type: 'gauge', value: (s) => s.activeProcesses },
  {
    name: 'total_processes',
    help: 'The number of idle + active processes.',
    type: 'gauge',
    value: (s) => s.totalProcesses,
  },
  {
    name: 'max_active_processes',
    help: 'The maximum number of active processes since FPM has started.',
    type: 'counter',
    value: (s) => s.maxActiveProcesses,
  },
  {
    name: 'max_children_reached',
    help: "The number of times, the process limit has been reached, when pm tries to start more children (works only for pm 'dynamic' and 'ondemand').",
    type: 'counter',
    value: (s) => s.maxChildrenReached,
  },
  {
    name: 'slow_requests',
    help: "The number of requests that exceeded your 'request_slowlog_timeout' value.",
    type: 'counter',
    value: (s) => s.slowRequests,
  },
  {
    name: 'memory_peak',
    help: 'The memory usage peak since FPM has started.',
    type: 'gauge',
    value: (s) => s.memoryPeak,
  },
  { name: 'max_children', help: 'The value of pm.max_children (tsfpm).', type: 'gauge', value: (s) => s.maxChildren },
];

/** HELP text may not carry a raw newline or backslash (OpenMetrics escaping). */
const escapeHelp = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function block(name: string, help: string, type: string, value: number, typeFirst: boolean): string {
  const helpLine = `# HELP phpfpm_${name} ${escapeHelp(help)}\n`;
  const typeLine = `# TYPE phpfpm_${name} ${type}\n`;
  return `${typeFirst ? typeLine + helpLine : helpLine + typeLine}phpfpm_${name} ${Math.max(0, Math.trunc(value))}\n`;
}

export function renderOpenMetrics(s: PoolSnapshot): string {
  let out = block(
    'up',
    `Could pool ${s.pool} using a ${s.processManager} PM on PHP-FPM be reached?`,
    'gauge',
    1,
    false,
  );
  for (const m of METRICS) out += block(m.name, m.help, m.type, m.value(s), m.typeFirst ?? false);
  return `${out}# EOF\n`;
}
