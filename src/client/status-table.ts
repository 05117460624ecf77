// A pool status page (php-fpm's `?json&full`, which tsfpm serves the same way) as text for a
// terminal: the pool's figures as `name: value` lines, then one table row per process. Keys are
// taken from the page itself, so fields a server adds (tsfpm's memory, php-fpm 8.4's memory peak)
// show up without changes here. The page's raw units (epoch seconds, seconds, microseconds, bytes)
// are shown as people read them (a local date-time, 3h12m, 1.5 ms, 66 MiB); `--json` keeps them raw.
// A child's other running requests (tsfpm) follow its row, `+` in the pid column.
import { formatBytes, formatDuration, formatLocalTime, formatPercent, formatUptime } from './human-units.js';

type Scalar = string | number | boolean | null;

export class StatusFormatError extends Error {}

/** The unit of each numeric field of php-fpm's JSON page (sapi/fpm/fpm/fpm_status.c), pool and process alike. */
const UNITS: Readonly<Record<string, (value: number) => string>> = {
  'start time': formatLocalTime,
  'start since': formatUptime,
  'request duration': formatDuration,
  'content length': formatBytes,
  'last request cpu': formatPercent,
  'last request memory': formatBytes,
  'memory peak': formatBytes,
  memory: formatBytes,
  'window duration p50': formatDuration,
  'window duration p95': formatDuration,
  'window duration p99': formatDuration,
};

/** tsfpm: a child's other running requests, each shown as a row of its own under the child's. */
const OTHER_REQUESTS = 'other requests';

export function formatStatusTable(json: unknown): string {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new StatusFormatError('the status page is not a JSON object (is the path a status page?)');
  }
  const entries: [string, unknown][] = Object.entries(json);
  const scalars = entries.filter((entry): entry is [string, Scalar] => isScalar(entry[1]));
  const width = Math.max(0, ...scalars.map(([key]) => key.length + 1));
  const lines = scalars.map(([key, value]) => `${`${key}:`.padEnd(width)} ${cell(key, value)}`);
  const processes = entries.find(([key]) => key === 'processes')?.[1];
  if (Array.isArray(processes) && processes.length > 0) {
    lines.push('', ...processTable(processes));
  }
  return `${lines.join('\n')}\n`;
}

function isScalar(value: unknown): value is Scalar {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function processTable(processes: readonly unknown[]): string[] {
  const rows = processes.filter((p): p is Record<string, unknown> => typeof p === 'object' && p !== null);
  const columns: string[] = [];
  for (const row of rows) {
    for (const key of Object.keys(row)) if (key !== OTHER_REQUESTS && !columns.includes(key)) columns.push(key);
  }
  const cells: string[][] = [];
  for (const row of rows) {
    cells.push(columns.map((column) => cell(column, row[column])));
    const others = row[OTHER_REQUESTS];
    if (!Array.isArray(others)) continue;
    for (const other of others) {
      if (typeof other !== 'object' || other === null) continue;
      const fields = other as Record<string, unknown>;
      cells.push(columns.map((column) => (column === 'pid' ? '+' : cell(column, fields[column]))));
    }
  }
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((r) => (r[i] ?? '').length)));
  const render = (values: readonly string[]): string =>
    values
      .map((value, i) => value.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [render(columns), render(widths.map((w) => '-'.repeat(w))), ...cells.map(render)];
}

function cell(key: string, value: unknown): string {
  if (value === undefined) return '';
  const unit = UNITS[key];
  if (unit !== undefined && typeof value === 'number') return unit(value);
  return isScalar(value) ? String(value) : JSON.stringify(value);
}
