// Samples → one summary per cell (medians over rounds, ratios) → a text table and a Markdown table.
import { cellKey, CONTENDER_LABEL, groupKey, OWN_BASELINE, type Cell } from './contenders.js';
import type { CellSample } from './measure.js';
import { errorCount, type WrkResult } from './wrk.js';

export function mean(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;
}

export interface CellSummary {
  readonly cell: Cell;
  readonly label: string;
  readonly samples: number;
  readonly failures: readonly string[];
  readonly requestsPerSec?: number;
  readonly requestsPerSecMin?: number;
  readonly requestsPerSecMax?: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  readonly errors: number;
  readonly errorDetail: string;
  /** Mean VmRSS of one child after the measured load (children idle again). */
  readonly childRssKib?: number;
  /** Mean backend CPU time per request during the load (µs): all, in user space, in the kernel. */
  readonly cpuUsPerRequest?: number;
  readonly userUsPerRequest?: number;
  readonly systemUsPerRequest?: number;
  readonly childRssKibAfterWarmup?: number;
  /** Mean private memory (USS) of one child after the load. */
  readonly childPrivateKib?: number;
  readonly masterRssKib?: number;
  readonly nginxErrorCount: number;
  readonly nginxErrors: readonly string[];
  readonly backendProblemCount: number;
  /** req/s over php-fpm's in the same transport/keepalive/children group. */
  readonly vsPhpFpm?: number;
  /** req/s over the nginx static file's. */
  readonly vsCeiling?: number;
  /** req/s over that of the row's own baseline in the same group (OWN_BASELINE: CGI mode vs fcgiwrap). */
  readonly vsOwnBaseline?: { readonly name: string; readonly ratio: number };
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function errorDetail(results: readonly WrkResult[]): string {
  const sum = (pick: (r: WrkResult) => number): number => results.reduce((acc, r) => acc + pick(r), 0);
  const parts: Array<[string, number]> = [
    ['non-2xx', sum((r) => r.non2xx)],
    ['timeout', sum((r) => r.timeouts)],
    ['connect', sum((r) => r.connectErrors)],
    ['read', sum((r) => r.readErrors)],
    ['write', sum((r) => r.writeErrors)],
  ];
  return parts
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
}

function optional<K extends string>(key: K, value: number | undefined): { [P in K]?: number } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: number };
}

/** Mean CPU per request over the cell's rounds: user, kernel and their sum. */
function cpuPerRequest(
  mine: readonly CellSample[],
): Pick<CellSummary, 'cpuUsPerRequest' | 'userUsPerRequest' | 'systemUsPerRequest'> {
  const measured = mine.flatMap((s) =>
    s.backendUserUsPerRequest === undefined || s.backendSystemUsPerRequest === undefined
      ? []
      : [{ user: s.backendUserUsPerRequest, system: s.backendSystemUsPerRequest }],
  );
  const user = mean(measured.map((m) => m.user));
  const system = mean(measured.map((m) => m.system));
  if (user === undefined || system === undefined) return {};
  return { cpuUsPerRequest: user + system, userUsPerRequest: user, systemUsPerRequest: system };
}

export function summarize(cells: readonly Cell[], samples: readonly CellSample[]): CellSummary[] {
  const base = cells.map((cell) => {
    const mine = samples.filter((s) => cellKey(s.cell) === cellKey(cell));
    const results = mine.flatMap((s) => (s.wrk === undefined ? [] : [s.wrk]));
    const rps = results.map((r) => r.requestsPerSec);
    const childAfterLoad = mine.flatMap((s) => {
      const m = mean(s.childRssKibAfterLoad);
      return m === undefined ? [] : [m];
    });
    const childAfterWarmup = mine.flatMap((s) => {
      const m = mean(s.childRssKibAfterWarmup);
      return m === undefined ? [] : [m];
    });
    return {
      cell,
      label: CONTENDER_LABEL[cell.kind],
      samples: results.length,
      failures: mine.flatMap((s) => (s.failure === undefined ? [] : [s.failure])),
      ...optional('requestsPerSec', median(rps)),
      ...optional('requestsPerSecMin', rps.length > 1 ? Math.min(...rps) : undefined),
      ...optional('requestsPerSecMax', rps.length > 1 ? Math.max(...rps) : undefined),
      ...optional('p50Ms', median(results.map((r) => r.latencyP50Ms))),
      ...optional('p99Ms', median(results.map((r) => r.latencyP99Ms))),
      errors: results.reduce((acc, r) => acc + errorCount(r), 0),
      errorDetail: errorDetail(results),
      ...optional('childRssKib', mean(childAfterLoad)),
      ...cpuPerRequest(mine),
      ...optional('childRssKibAfterWarmup', mean(childAfterWarmup)),
      ...optional(
        'childPrivateKib',
        mean(mine.flatMap((s) => (s.childPrivateKibAfterLoad === undefined ? [] : s.childPrivateKibAfterLoad))),
      ),
      ...optional('masterRssKib', mean(mine.flatMap((s) => (s.masterRssKib === undefined ? [] : [s.masterRssKib])))),
      nginxErrorCount: mine.reduce((acc, s) => acc + s.nginxErrorCount, 0),
      nginxErrors: mine.flatMap((s) => s.nginxErrors).slice(0, 5),
      backendProblemCount: mine.reduce((acc, s) => acc + s.backendProblemCount, 0),
    };
  });
  const ceiling = base.find((s) => s.cell.kind === 'nginx-static')?.requestsPerSec;
  const inGroup = (kind: Cell['kind'], cell: Cell): number | undefined =>
    base.find((o) => o.cell.kind === kind && groupKey(o.cell) === groupKey(cell))?.requestsPerSec;
  return base.map((s) => {
    const php = inGroup('php-fpm', s.cell);
    const own = OWN_BASELINE[s.cell.kind];
    const ownRps = own === undefined ? undefined : inGroup(own.kind, s.cell);
    const rps = s.requestsPerSec;
    return {
      ...s,
      ...optional(
        'vsPhpFpm',
        rps !== undefined && php !== undefined && s.cell.kind !== 'nginx-static' ? rps / php : undefined,
      ),
      ...optional('vsCeiling', rps !== undefined && ceiling !== undefined ? rps / ceiling : undefined),
      ...(own !== undefined && rps !== undefined && ownRps !== undefined
        ? { vsOwnBaseline: { name: own.name, ratio: rps / ownRps } }
        : {}),
    };
  });
}

const DASH = '–';

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return DASH;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export function formatMib(kib: number | undefined): string {
  return kib === undefined ? DASH : `${(kib / 1024).toFixed(1)} MiB`;
}

function formatRps(s: CellSummary): string {
  if (s.requestsPerSec === undefined) return DASH;
  const main = Math.round(s.requestsPerSec).toLocaleString('en-US');
  if (s.requestsPerSecMin === undefined || s.requestsPerSecMax === undefined) return main;
  return `${main} (${Math.round(s.requestsPerSecMin).toLocaleString('en-US')}–${Math.round(s.requestsPerSecMax).toLocaleString('en-US')})`;
}

/** `37 µs (21 + 16)`: the whole, then user space + kernel. */
function formatCpu(s: CellSummary): string {
  if (s.cpuUsPerRequest === undefined || s.userUsPerRequest === undefined || s.systemUsPerRequest === undefined)
    return DASH;
  return `${Math.round(s.cpuUsPerRequest)} µs (${Math.round(s.userUsPerRequest)} + ${Math.round(s.systemUsPerRequest)})`;
}

/** Two decimals; two significant digits below 0.1, so that a CGI row's 0.0034× does not print as 0.00×. */
function formatRatio(r: number | undefined): string {
  if (r === undefined) return DASH;
  return `${r >= 0.1 || r === 0 ? r.toFixed(2) : r.toPrecision(2)}×`;
}

function note(s: CellSummary): string {
  const parts = [...new Set(s.failures.map((f) => f.split('\n')[0] ?? f))];
  if (s.vsOwnBaseline !== undefined) parts.unshift(`vs ${s.vsOwnBaseline.name} ${formatRatio(s.vsOwnBaseline.ratio)}`);
  if (s.nginxErrorCount > 0) parts.push(`nginx logged ${s.nginxErrorCount} error line(s)`);
  if (s.backendProblemCount > 0) parts.push(`backend logged ${s.backendProblemCount} warning/error line(s)`);
  return parts.join('; ');
}

export const COLUMNS = [
  'contender',
  'transport',
  'keepalive',
  'children',
  'req/s',
  'p50',
  'p99',
  'errors',
  'RSS/child',
  'CPU/req',
  'vs php-fpm',
  'vs static',
  'note',
] as const;

export function tableRows(summaries: readonly CellSummary[]): string[][] {
  return summaries.map((s) => [
    s.label,
    s.cell.transport ?? DASH,
    s.cell.keepalive === undefined ? DASH : s.cell.keepalive ? 'on' : 'off',
    s.cell.children === undefined ? DASH : String(s.cell.children),
    formatRps(s),
    formatMs(s.p50Ms),
    formatMs(s.p99Ms),
    s.samples === 0 ? DASH : s.errors === 0 ? '0' : `${s.errors} (${s.errorDetail})`,
    formatMib(s.childRssKib),
    formatCpu(s),
    s.cell.kind === 'nginx-static' ? DASH : formatRatio(s.vsPhpFpm),
    formatRatio(s.vsCeiling),
    note(s),
  ]);
}

const RIGHT_ALIGNED = new Set<string>([
  'children',
  'req/s',
  'p50',
  'p99',
  'errors',
  'RSS/child',
  'CPU/req',
  'vs php-fpm',
  'vs static',
  // The response-cost table's.
  'user µs/req',
  'system µs/req',
  'total µs/req',
]);

export function renderTextTable(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (RIGHT_ALIGNED.has(header[i] ?? '') ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function renderMarkdownTable(header: readonly string[], rows: readonly string[][]): string {
  const escape = (c: string): string => c.replaceAll('|', '\\|');
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((h) => (RIGHT_ALIGNED.has(h) ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(escape).join(' | ')} |`),
  ].join('\n');
}
