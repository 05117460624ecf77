// Status page rendering: the query flags, then one pure renderer per format (php-fpm §7).
import type { PoolSnapshot, RenderedPage, StatusQuery } from './snapshot.js';

/** Keys of the query string decide (`?json`, `?json&full`, `?full=1`); html > xml > json > openmetrics > text. */
export function parseStatusQuery(queryString: string): StatusQuery {
  const keys = new Set(new URLSearchParams(queryString).keys());
  const format = keys.has('html')
    ? 'html'
    : keys.has('xml')
      ? 'xml'
      : keys.has('json')
        ? 'json'
        : keys.has('openmetrics')
          ? 'openmetrics'
          : 'text';
  return { format, full: keys.has('full') };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `01/Jul/2011:17:53:49 +0200` in local time (php-fpm's text and html start time). */
export function formatStatusTime(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return (
    `${pad2(d.getDate())}/${MONTHS[d.getMonth()] ?? '???'}/${d.getFullYear()}:` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())} ${sign}${pad2(Math.floor(abs / 60))}${pad2(abs % 60)}`
  );
}

const line = (label: string, value: string | number): string => `${`${label}:`.padEnd(22)}${value}\n`;

export function renderText(s: PoolSnapshot, full: boolean): string {
  let out =
    line('pool', s.pool) +
    line('process manager', s.processManager) +
    line('start time', formatStatusTime(s.startTime)) +
    line('start since', s.startSince) +
    line('accepted conn', s.acceptedConn) +
    line('listen queue', s.listenQueue) +
    line('max listen queue', s.maxListenQueue) +
    line('listen queue len', s.listenQueueLen) +
    line('idle processes', s.idleProcesses) +
    line('active processes', s.activeProcesses) +
    line('total processes', s.totalProcesses) +
    line('max active processes', s.maxActiveProcesses) +
    line('max children reached', s.maxChildrenReached) +
    line('slow requests', s.slowRequests);
  if (!full) return out;
  for (const p of s.processes) {
    out +=
      `\n${'*'.repeat(24)}\n` +
      line('pid', p.pid) +
      line('state', p.state) +
      line('start time', formatStatusTime(p.startTime)) +
      line('start since', p.startSince) +
      line('requests', p.requests) +
      line('request duration', p.requestDuration) +
      line('request method', p.requestMethod) +
      line('request URI', p.requestUri) +
      line('content length', p.contentLength) +
      line('user', p.user) +
      line('script', p.script) +
      line('last request cpu', p.lastRequestCpu.toFixed(2)) +
      line('last request memory', p.lastRequestMemory);
  }
  return out;
}

export function renderStatus(snapshot: PoolSnapshot, query: StatusQuery): RenderedPage {
  return { contentType: 'text/plain', body: renderText(snapshot, query.full) };
}
