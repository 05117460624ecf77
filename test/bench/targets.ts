// The targets block of `npm run bench` (pure): the figures the "lean, instant children" work is judged
// by, each from this run's own results, its target, and whether the run met it. A median decides
// where a figure has several samples; the spread is shown beside it.
import type { ColdStart } from './costs.js';
import type { CellSample } from './measure.js';
import { cpuRatio, extraOverHello, rpsRatio, userUsOf, type ResponseCosts, type Scenario } from './response-figures.js';
import type { PerUserHost } from './spawn-costs.js';
import { formatSpread, spreadOf, type Spread } from './stats.js';
import type { CellSummary } from './table.js';

/** What a bare Node process holds (node-floor.ts): no master or child of Node goes below it. */
export interface NodeFloor {
  readonly rssKib: number;
  readonly privateKib: number;
  readonly samples: number;
}

export interface TargetInput {
  readonly samples: readonly CellSample[];
  readonly summaries: readonly CellSummary[];
  readonly coldStarts: readonly ColdStart[];
  readonly hosts: readonly PerUserHost[];
  readonly responses?: ResponseCosts;
  readonly floor?: NodeFloor;
  /** Why a part of the run did not happen: the flag that turned it off, or the missing binary. */
  readonly skipped: {
    readonly costs?: string;
    readonly spawn?: string;
    readonly responses?: string;
    readonly phpFpm?: string;
    readonly floor?: string;
  };
}

export type Verdict = 'met' | 'not met' | 'not measured';

export interface TargetLine {
  readonly figure: string;
  /** The median, its min–max and the sample count; '–' when not measured. */
  readonly measured: string;
  readonly target: string;
  readonly verdict: Verdict;
  /** Why it was not measured. */
  readonly why?: string;
  /** What stands beside it: the other contender's figure, the floor, the cells that missed. */
  readonly note: string;
}

const DASH = '–';
const mib = (kib: number): string => (kib / 1024).toFixed(1);
const fixed =
  (digits: number) =>
  (v: number): string =>
    v.toFixed(digits);
const mean = (values: readonly number[]): number | undefined =>
  values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;
const firstLine = (text: string): string => text.split('\n')[0] ?? text;

function measuredText(s: Spread, format: (v: number) => string, unit: string): string {
  return `${formatSpread(s, format)}${unit}${s.count > 1 ? `, ${s.count} samples` : ''}`;
}

/** One line: met when the median is on the right side of the limit. */
function judged(
  figure: string,
  s: Spread | undefined,
  limit: { readonly op: '≤' | '≥'; readonly value: number; readonly shown: string },
  format: (v: number) => string,
  unit: string,
  whyMissing: string,
  note = '',
): TargetLine {
  const target = `${limit.op} ${limit.shown}`;
  if (s === undefined) return { figure, measured: DASH, target, verdict: 'not measured', why: whyMissing, note };
  const met = limit.op === '≤' ? s.median <= limit.value : s.median >= limit.value;
  return { figure, measured: measuredText(s, format, unit), target, verdict: met ? 'met' : 'not met', note };
}

function memoryLines(input: TargetInput): TargetLine[] {
  const tsfpm = input.samples.filter((s) => s.cell.kind === 'tsfpm');
  const perSample = (pick: (s: CellSample) => number | undefined): Spread | undefined =>
    spreadOf(
      tsfpm.flatMap((s) => {
        const v = pick(s);
        return v === undefined ? [] : [v];
      }),
    );
  const why = 'no nginx → tsfpm cell has the figure';
  const f = input.floor;
  return [
    judged(
      'tsfpm child USS after load',
      perSample((s) => mean(s.childPrivateKibAfterLoad)),
      { op: '≤', value: 12 * 1024, shown: '12 MiB' },
      mib,
      ' MiB',
      why,
      f === undefined ? '' : `floor: a bare node process holds ${mib(f.privateKib)} MiB private`,
    ),
    judged(
      'tsfpm child RSS after load',
      perSample((s) => mean(s.childRssKibAfterLoad)),
      { op: '≤', value: 55 * 1024, shown: '55 MiB' },
      mib,
      ' MiB',
      why,
      f === undefined ? '' : `floor: a bare node process's RSS ${mib(f.rssKib)} MiB`,
    ),
    judged(
      'tsfpm master VmRSS',
      perSample((s) => s.masterRssKib),
      { op: '≤', value: 40 * 1024, shown: '40 MiB' },
      mib,
      ' MiB',
      why,
      f === undefined ? '' : `floor: a bare node process's RSS ${mib(f.rssKib)} MiB`,
    ),
  ];
}

function coldStartLine(input: TargetInput): TargetLine {
  const figure = 'ondemand first request through nginx (tsfpm)';
  const limit = { op: '≤', value: 20, shown: '20 ms' } as const;
  const cold = input.coldStarts.find((c) => c.backend === 'tsfpm');
  const php = spreadOf(input.coldStarts.find((c) => c.backend === 'php-fpm')?.firstMs ?? []);
  const note = php === undefined ? '' : `php-fpm ${formatSpread(php, fixed(1))} ms`;
  const why = cold === undefined ? (input.skipped.costs ?? 'not run') : `failed: ${firstLine(cold.failure ?? '')}`;
  const s = cold === undefined || cold.failure !== undefined ? undefined : spreadOf(cold.firstMs);
  return judged(figure, s, limit, fixed(1), ' ms', why, note);
}

function perUserLines(input: TargetInput): TargetLine[] {
  const host = input.hosts.find((h) => h.backend === 'tsfpm');
  const php = input.hosts.find((h) => h.backend === 'php-fpm' && h.failure === undefined);
  const why = host === undefined ? (input.skipped.spawn ?? 'not run') : `failed: ${firstLine(host.failure ?? '')}`;
  const ok = host !== undefined && host.failure === undefined && host.requestMs.length === host.pools;
  const total = (h: PerUserHost): number => h.requestMs.reduce((a, b) => a + b, 0);
  const one = (v: number | undefined): Spread | undefined => (v === undefined ? undefined : spreadOf([v]));
  const pools = host?.pools ?? 20;
  return [
    judged(
      `per-user host: ${pools} ondemand pools, one request each, all answered in`,
      ok ? one(total(host)) : undefined,
      { op: '≤', value: 1000, shown: '1 s' },
      fixed(0),
      ' ms',
      why,
      [
        ok ? `slowest ${Math.max(...host.requestMs).toFixed(0)} ms` : '',
        php === undefined ? '' : `php-fpm ${total(php).toFixed(0)} ms`,
      ]
        .filter((p) => p !== '')
        .join('; '),
    ),
    judged(
      'per-user host: master + children PSS after',
      ok ? one(host.pssKib) : undefined,
      { op: '≤', value: 300 * 1024, shown: '300 MiB' },
      mib,
      ' MiB',
      why,
      php?.pssKib === undefined ? '' : `php-fpm ${mib(php.pssKib)} MiB`,
    ),
  ];
}

function responseLines(input: TargetInput): TargetLine[] {
  const r = input.responses;
  const why = (scenario: Scenario): string => {
    if (r === undefined) return input.skipped.responses ?? 'not run';
    if (r.failure !== undefined) return `failed: ${firstLine(r.failure)}`;
    return `no ${scenario} samples`;
  };
  const pick = <T>(fn: (x: ResponseCosts) => T | undefined): T | undefined => (r === undefined ? undefined : fn(r));
  const us = fixed(1);
  const clusterExtra = pick((x) => extraOverHello(x, '30k', 'node:cluster'));
  const clusterUser = pick((x) => userUsOf(x, 'hello', 'node:cluster'));
  const ratio = fixed(2);
  const ratioLines = (scenario: Scenario, what: string, min: number): TargetLine[] => [
    judged(
      `${what}: req/s, tsfpm ÷ node:cluster`,
      pick((x) => rpsRatio(x, scenario)),
      { op: '≥', value: min, shown: `${min.toFixed(1)}×` },
      ratio,
      '×',
      why(scenario),
    ),
    judged(
      `${what}: CPU/req, node:cluster ÷ tsfpm`,
      pick((x) => cpuRatio(x, scenario)),
      { op: '≥', value: min, shown: `${min.toFixed(1)}×` },
      ratio,
      '×',
      why(scenario),
    ),
  ];
  return [
    judged(
      '30 KB body: extra CPU/req over hello (tsfpm children)',
      pick((x) => extraOverHello(x, '30k', 'tsfpm')),
      { op: '≤', value: 20, shown: '20 µs' },
      us,
      ' µs',
      why('30k'),
      clusterExtra === undefined ? '' : `node:cluster ${formatSpread(clusterExtra, us)} µs`,
    ),
    ...ratioLines('hello', 'keepalive hello', 1.5),
    ...ratioLines('html', 'HTML page', 1.1),
    ...ratioLines('express', 'Express (tsfpm node mode)', 1),
    judged(
      'hello: user-space CPU/req (tsfpm children)',
      pick((x) => userUsOf(x, 'hello', 'tsfpm')),
      { op: '≤', value: 10, shown: '10 µs' },
      us,
      ' µs',
      why('hello'),
      clusterUser === undefined ? '' : `node:cluster workers ${formatSpread(clusterUser, us)} µs`,
    ),
  ];
}

const groupOf = (c: CellSummary['cell']): string =>
  `${c.transport ?? DASH} keepalive ${c.keepalive === true ? 'on' : 'off'} ${c.children ?? DASH} children`;

/** nginx → tsfpm against nginx → php-fpm in each group of the main table, CPU time per request. */
function cpuVsPhpLine(input: TargetInput): TargetLine {
  const figure = 'main table: nginx → tsfpm CPU/req ≤ php-fpm’s';
  const target = 'every group';
  const pairs = input.summaries.flatMap((t) => {
    if (t.cell.kind !== 'tsfpm' || t.cpuUsPerRequest === undefined) return [];
    const php = input.summaries.find((p) => p.cell.kind === 'php-fpm' && groupOf(p.cell) === groupOf(t.cell));
    return php?.cpuUsPerRequest === undefined
      ? []
      : [{ group: groupOf(t.cell), tsfpm: t.cpuUsPerRequest, php: php.cpuUsPerRequest }];
  });
  if (pairs.length === 0) {
    const why = input.skipped.phpFpm ?? 'no group has both CPU figures';
    return { figure, measured: DASH, target, verdict: 'not measured', why, note: '' };
  }
  const missed = pairs.filter((p) => p.tsfpm > p.php);
  const ratios = spreadOf(pairs.map((p) => p.tsfpm / p.php));
  return {
    figure,
    measured: `${pairs.length - missed.length} of ${pairs.length} groups; tsfpm ÷ php-fpm ${ratios === undefined ? DASH : formatSpread(ratios, fixed(2))}×`,
    target,
    verdict: missed.length === 0 ? 'met' : 'not met',
    note:
      missed.length === 0
        ? ''
        : `above php-fpm: ${missed.map((p) => `${p.group} ${p.tsfpm.toFixed(0)} vs ${p.php.toFixed(0)} µs`).join('; ')}`,
  };
}

export function targetLines(input: TargetInput): TargetLine[] {
  return [
    ...memoryLines(input),
    coldStartLine(input),
    ...perUserLines(input),
    ...responseLines(input),
    cpuVsPhpLine(input),
  ];
}

export const TARGET_COLUMNS = ['figure', 'measured', 'target', 'verdict', 'note'] as const;

export function targetRows(lines: readonly TargetLine[]): string[][] {
  return lines.map((l) => [
    l.figure,
    l.measured,
    l.target,
    l.verdict === 'not measured' ? `not measured (${l.why ?? '?'})` : l.verdict,
    l.note,
  ]);
}

/** The count of each verdict, how the ratios against node:cluster are taken, and the floor of the memory figures. */
export function targetSummaryLines(lines: readonly TargetLine[], input: TargetInput): string[] {
  const count = (v: Verdict): number => lines.filter((l) => l.verdict === v).length;
  const f = input.floor;
  return [
    `${count('met')} of ${lines.length} targets met, ${count('not met')} not met, ${count('not measured')} not measured; a figure with several samples is judged by its median`,
    'against node:cluster (nginx proxy_pass, upstream keepalive): req/s is tsfpm’s over node:cluster’s, CPU/req node:cluster’s over tsfpm’s (above 1, tsfpm spends less), both paired by round; CPU/req counts the backend processes only (pool children, cluster workers), and on 2 cores nginx and wrk take most of each request, so req/s says less about the backend than CPU/req does',
    f === undefined
      ? `floor: not measured (${input.skipped.floor ?? 'not run'})`
      : `floor: a bare \`node -e\` process (Node alone, nothing loaded): RSS ${mib(f.rssKib)} MiB, private (USS) ${mib(f.privateKib)} MiB, median of ${f.samples}: what no Node master or child goes below`,
  ];
}
