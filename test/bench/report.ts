// The bench's text and Markdown output: the header, the main table, the cost figures, the response
// costs, any anomalies, and the targets block last.
import { CONTENDER_LABEL, type Cell } from './contenders.js';
import {
  coldStartLine,
  directLine,
  idleLine,
  reloadLine,
  type ColdStart,
  type DirectServe,
  type IdleCost,
  type ReloadUnderLoad,
} from './costs.js';
import type { CellSample } from './measure.js';
import { RESPONSE_COLUMNS, responseNotes, responseRows, type ResponseCosts } from './response-figures.js';
import { COLUMNS, formatMib, mean, renderMarkdownTable, renderTextTable, type CellSummary } from './table.js';
import { TARGET_COLUMNS, targetRows, type TargetLine } from './targets.js';
import type { UploadResult } from './upload.js';
import { errorCount } from './wrk.js';

export interface ReportParts {
  /** The title first, the caveat last. */
  readonly header: readonly string[];
  readonly rows: readonly string[][];
  readonly costs: readonly string[];
  readonly responses?: ResponseCosts;
  readonly anomalies: readonly string[];
  readonly targets: readonly TargetLine[];
  /** Below the targets table: the verdict counts and the floor. */
  readonly targetNotes: readonly string[];
}

const RESPONSE_TITLE = 'response costs (tsfpm behind nginx FastCGI vs a node:cluster behind nginx proxy_pass)';
const TARGETS_TITLE = 'targets (from this run’s figures only)';

export function renderText(p: ReportParts): string {
  const indent = (lines: readonly string[]): string[] => lines.map((l) => `  ${l}`);
  return [
    ...p.header,
    '',
    renderTextTable(COLUMNS, p.rows),
    '',
    'cost figures:',
    ...indent(p.costs),
    ...(p.responses === undefined
      ? []
      : [
          '',
          `${RESPONSE_TITLE}:`,
          ...indent(responseNotes(p.responses)),
          '',
          renderTextTable(RESPONSE_COLUMNS, responseRows(p.responses)),
        ]),
    ...(p.anomalies.length === 0 ? [] : ['', 'anomalies:', ...indent(p.anomalies)]),
    '',
    `${TARGETS_TITLE}:`,
    renderTextTable(TARGET_COLUMNS, targetRows(p.targets)),
    ...indent(p.targetNotes),
  ].join('\n');
}

export function renderMarkdown(p: ReportParts): string {
  const bullets = (lines: readonly string[]): string[] => lines.map((l) => `- ${l.replaceAll('\n', ' ')}`);
  return [
    `## ${p.header[0] ?? 'tsfpm bench'}`,
    '',
    ...bullets(p.header.slice(1, -1)),
    '',
    `*${p.header.at(-1) ?? ''}*`,
    '',
    renderMarkdownTable(COLUMNS, p.rows),
    '',
    '**Cost figures**',
    '',
    ...bullets(p.costs),
    ...(p.responses === undefined
      ? []
      : [
          '',
          `**${RESPONSE_TITLE[0]?.toUpperCase() ?? ''}${RESPONSE_TITLE.slice(1)}**`,
          '',
          ...bullets(responseNotes(p.responses)),
          '',
          renderMarkdownTable(RESPONSE_COLUMNS, responseRows(p.responses)),
        ]),
    ...(p.anomalies.length === 0 ? [] : ['', '**Anomalies**', '', ...bullets(p.anomalies)]),
    '',
    `**${TARGETS_TITLE[0]?.toUpperCase() ?? ''}${TARGETS_TITLE.slice(1)}**`,
    '',
    renderMarkdownTable(TARGET_COLUMNS, targetRows(p.targets)),
    '',
    ...bullets(p.targetNotes),
    '',
  ].join('\n');
}

export function describeCell(cell: Cell): string {
  if (cell.kind === 'nginx-static') return CONTENDER_LABEL[cell.kind];
  return `${CONTENDER_LABEL[cell.kind]} ${cell.transport ?? ''} keepalive ${cell.keepalive === true ? 'on' : 'off'} ${cell.children ?? ''} children`;
}

export function costLines(
  summaries: readonly CellSummary[],
  upload: UploadResult | undefined,
  coldStarts: readonly ColdStart[],
  reloads: readonly ReloadUnderLoad[],
  idles: readonly IdleCost[],
  directs: readonly DirectServe[],
): string[] {
  const lines: string[] = [
    ...coldStarts.map(coldStartLine),
    ...reloads.map(reloadLine),
    ...idles.map(idleLine),
    ...directs.map(directLine),
  ];
  const of = (kind: Cell['kind'], children?: number): CellSummary[] =>
    summaries.filter((s) => s.cell.kind === kind && (children === undefined || s.cell.children === children));
  const avg = (list: readonly CellSummary[], pick: (s: CellSummary) => number | undefined): number | undefined =>
    mean(
      list.flatMap((s) => {
        const v = pick(s);
        return v === undefined ? [] : [v];
      }),
    );
  const childCounts = [...new Set(summaries.flatMap((s) => (s.cell.children === undefined ? [] : [s.cell.children])))];
  lines.push(
    `tsfpm master VmRSS: ${formatMib(avg(of('tsfpm'), (s) => s.masterRssKib))} · php-fpm master: ${formatMib(avg(of('php-fpm'), (s) => s.masterRssKib))}`,
  );
  for (const n of childCounts) {
    lines.push(
      `${n} children: tsfpm child idle after warm-up ${formatMib(avg(of('tsfpm', n), (s) => s.childRssKibAfterWarmup))}, after load ${formatMib(avg(of('tsfpm', n), (s) => s.childRssKib))}` +
        ` · php-fpm child after warm-up ${formatMib(avg(of('php-fpm', n), (s) => s.childRssKibAfterWarmup))}, after load ${formatMib(avg(of('php-fpm', n), (s) => s.childRssKib))}` +
        ` · private (USS) after load: tsfpm child ${formatMib(avg(of('tsfpm', n), (s) => s.childPrivateKib))}, php-fpm child ${formatMib(avg(of('php-fpm', n), (s) => s.childPrivateKib))}`,
    );
  }
  if (upload === undefined) {
    lines.push('upload: skipped (--upload-mib=0)');
  } else if (upload.seconds === undefined) {
    lines.push(`upload of ${upload.mib} MiB: failed: ${upload.failure ?? '?'}`);
  } else {
    lines.push(
      `upload: ${upload.mib} MiB POSTed through nginx (fastcgi_request_buffering off) → tsfpm sha256.mjs over unix in ${upload.seconds.toFixed(1)} s ` +
        `(${(upload.mibPerSec ?? 0).toFixed(0)} MiB/s), sha256 ${upload.verified === true ? 'verified' : `NOT verified: ${upload.failure ?? ''}`}; ` +
        `child VmRSS ${formatMib(upload.baselineRssKib)} → peak ${formatMib(upload.peakRssKib)} (growth ${formatMib(upload.growthKib)}, ${upload.samples ?? 0} samples every 20 ms), ` +
        `VmHWM ${formatMib(upload.hwmBeforeKib)} → ${formatMib(upload.hwmAfterKib)}`,
    );
  }
  return lines;
}

export function anomalyLines(samples: readonly CellSample[]): string[] {
  const lines: string[] = [];
  for (const s of samples) {
    const what = `round ${s.round} ${describeCell(s.cell)}`;
    if (s.failure !== undefined) lines.push(`${what}: ${s.failure.replaceAll('\n', '\n    ')}`);
    if (s.wrk !== undefined && errorCount(s.wrk) > 0) lines.push(`${what}: ${errorCount(s.wrk)} wrk errors`);
    for (const e of s.nginxErrors) lines.push(`${what}: nginx: ${e}`);
    if (s.nginxErrorCount > s.nginxErrors.length)
      lines.push(`${what}: nginx: … ${s.nginxErrorCount} error lines in all`);
    for (const p of s.backendProblems) lines.push(`${what}: backend: ${p}`);
    if (s.backendProblemCount > s.backendProblems.length)
      lines.push(`${what}: backend: … ${s.backendProblemCount} warning/error lines in all`);
  }
  return lines;
}
